"""Assignees and the rate-limit overview."""

from __future__ import annotations

import re
from typing import Any

from .. import render
from ..access import has_role
from ..errors import ApiError
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


# GraphQL: only `viewer { login }`, the one question a token can always answer about itself
# ("viewer: the currently authenticated user", https://docs.github.com/en/graphql/reference/queries#viewer).
# An installation token's viewer is its app's bot, GITHUB_TOKEN's is github-actions[bot].
VIEWER_LOGIN = re.compile(r"^\s*(?:query\s*(?:[A-Za-z_]\w*)?\s*)?\{\s*viewer\s*\{\s*login\s*\}\s*\}\s*$")


@router.add("POST", "/graphql")
async def graphql(ctx: Ctx) -> Reply:
    if ctx.actor.kind == "anonymous":
        raise ApiError(
            401,
            "This endpoint requires you to be authenticated.",
            doc="https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
        )
    if ctx.actor.kind == "app":
        raise ApiError(401, "A JSON web token cannot query the GraphQL API: use an installation token")
    query = (ctx.body or {}).get("query") if isinstance(ctx.body, dict) else None
    if not isinstance(query, str) or not VIEWER_LOGIN.match(query):
        # GitHub answers 200 with `errors` for a query it cannot run.
        return Reply(200, {"errors": [{"message": "the sandbox answers only `{ viewer { login } }`"}]})
    return Reply(200, {"data": {"viewer": {"login": ctx.actor.login}}})
