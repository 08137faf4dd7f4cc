"""Repository labels and the labels of an issue."""

from __future__ import annotations

import re
from typing import Any

from .. import render
from ..access import repo_for, require_role
from ..errors import ApiError, invalid, not_found
from ..http import Ctx, Reply, Router
from ..model import Label, Repo
from .common import (
    add_labels,
    check_label_name,
    label_names,
    load_issue,
    remove_labels,
    set_labels,
)
from .issues import require_login

router = Router()
COLOR = re.compile(r"^[0-9a-fA-F]{6}$")
MAX_DESCRIPTION = 100


def _check_color_description(body: dict[str, Any]) -> None:
    color = body.get("color")
    if color is not None and not COLOR.match(str(color)):
        raise invalid("Label", "color", "invalid")
    desc = body.get("description")
    if desc is not None and len(desc) > MAX_DESCRIPTION:
        raise invalid(
            "Label", "description", "custom", message="description is too long (maximum is 100 characters)"
        )


def _label(ctx: Ctx, repo: Repo) -> Label:
    lb = repo.labels.get(ctx.params["name"].lower())
    if lb is None:
        raise not_found()
    return lb


@router.add("GET", "/repos/{owner}/{repo}/labels")
async def list_labels(ctx: Ctx) -> Reply:
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    items = sorted(repo.labels.values(), key=lambda lb: lb.name.lower())
    return Reply(body=[render.label(ctx.world, repo, lb) for lb in items], paginate=True)


@router.add("POST", "/repos/{owner}/{repo}/labels")
async def create_label(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    require_role(ctx.world, ctx.actor, repo, "write")
    body: dict[str, Any] = ctx.body
    name = str(body["name"])
    check_label_name(name)
    _check_color_description(body)
    if name.lower() in repo.labels:
        raise invalid("Label", "name", "already_exists")
    lb = Label(
        id=ctx.world.next_id("label"),
        name=name,
        color=str(body.get("color") or "ededed").lower(),
        description=body.get("description"),
    )
    repo.labels[name.lower()] = lb
    out = render.label(ctx.world, repo, lb)
    return Reply(201, out, {"Location": out["url"]})


@router.add("GET", "/repos/{owner}/{repo}/labels/{name}")
async def get_label(ctx: Ctx) -> Reply:
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    return Reply(body=render.label(ctx.world, repo, _label(ctx, repo)))


@router.add("PATCH", "/repos/{owner}/{repo}/labels/{name}")
async def update_label(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    require_role(ctx.world, ctx.actor, repo, "write")
    lb = _label(ctx, repo)
    body: dict[str, Any] = ctx.body or {}
    _check_color_description(body)
    new_name = body.get("new_name")
    if new_name is not None and new_name != lb.name:
        check_label_name(new_name)
        if new_name.lower() != lb.name.lower() and new_name.lower() in repo.labels:
            raise invalid("Label", "name", "already_exists")
        del repo.labels[lb.name.lower()]
        lb.name = new_name
        repo.labels[new_name.lower()] = lb
    if body.get("color") is not None:
        lb.color = str(body["color"]).lower()
    if "description" in body:
        lb.description = body["description"]
    return Reply(body=render.label(ctx.world, repo, lb))


@router.add("DELETE", "/repos/{owner}/{repo}/labels/{name}")
async def delete_label(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    require_role(ctx.world, ctx.actor, repo, "write")
    lb = _label(ctx, repo)
    del repo.labels[lb.name.lower()]
    for iss in repo.issues.values():
        if lb.id in iss.labels:
            iss.labels.remove(lb.id)
    return Reply(204)


def _names(body: Any) -> list[str]:
    # Accepted shapes (docs): {"labels": [...]}, a bare array, or (PUT) a single string.
    if body is None:
        return []
    if isinstance(body, dict):
        return label_names(body.get("labels") or [])
    if isinstance(body, list):
        return label_names(body)
    return [str(body)]


def _issue_labels(ctx: Ctx, repo: Repo, ids: list[int]) -> list[dict[str, Any]]:
    return [render.label(ctx.world, repo, lb) for i in ids if (lb := repo.label_by_id(i))]


@router.add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
async def issue_labels(ctx: Ctx) -> Reply:
    repo, iss = load_issue(ctx)
    return Reply(body=_issue_labels(ctx, repo, iss.labels), paginate=True)


@router.add("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
async def add_issue_labels(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo, iss = load_issue(ctx)
    require_role(ctx.world, ctx.actor, repo, "triage")
    add_labels(ctx.world, repo, iss, ctx.actor, _names(ctx.body))
    return Reply(body=_issue_labels(ctx, repo, iss.labels))


@router.add("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
async def set_issue_labels(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo, iss = load_issue(ctx)
    require_role(ctx.world, ctx.actor, repo, "triage")
    set_labels(ctx.world, repo, iss, ctx.actor, _names(ctx.body))
    return Reply(body=_issue_labels(ctx, repo, iss.labels))


@router.add("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels")
async def clear_issue_labels(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo, iss = load_issue(ctx)
    require_role(ctx.world, ctx.actor, repo, "triage")
    remove_labels(ctx.world, repo, iss, ctx.actor, list(iss.labels))
    return Reply(204)


@router.add("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}")
async def remove_issue_label(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    repo, iss = load_issue(ctx)
    require_role(ctx.world, ctx.actor, repo, "triage")
    lb = repo.labels.get(ctx.params["name"].lower())
    if lb is None or lb.id not in iss.labels:
        raise ApiError(404, "Label does not exist")
    remove_labels(ctx.world, repo, iss, ctx.actor, [lb.id])
    return Reply(body=_issue_labels(ctx, repo, iss.labels))
