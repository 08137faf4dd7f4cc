"""Assignees and the rate-limit overview."""

from __future__ import annotations

from typing import Any

from .. import render
from ..access import has_role
from ..http import Ctx, Reply, Router
from .common import add_assignees, load_issue, remove_assignees
from .issues import require_login

router = Router()


def _logins(body: dict[str, Any] | None) -> list[str]:
    raw = (body or {}).get("assignees") or []
    return [a["login"] if isinstance(a, dict) else str(a) for a in raw]


@router.add("POST", "/repos/{owner}/{repo}/issues/{issue_number}/assignees")
async def add(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo, iss = load_issue(ctx)
    # Docs: "Only users with push access can add assignees to an issue. Assignees are
    # silently ignored otherwise"; so are people who cannot be assigned, and past the tenth.
    if has_role(ctx.world, ctx.actor, repo, "write"):
        add_assignees(ctx.world, repo, iss, ctx.actor, _logins(ctx.body))
    return Reply(201, render.issue(ctx.world, iss))


@router.add("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/assignees")
async def remove(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo, iss = load_issue(ctx)
    # Docs: "Only users with push access can remove assignees from an issue."
    if has_role(ctx.world, ctx.actor, repo, "write"):
        remove_assignees(ctx.world, repo, iss, ctx.actor, _logins(ctx.body))
    return Reply(200, render.issue(ctx.world, iss))


@router.add("GET", "/rate_limit")
async def rate_limit(ctx: Ctx) -> Reply:
    # Filled in by the server, which owns the counters (GET /rate_limit itself is free).
    return Reply(body=ctx.rate_overview)
