"""Sub-issues: list, add (by the sub-issue's numeric id), remove, parent."""

from __future__ import annotations

from typing import Any

from .. import render
from ..access import Actor, can_see, require_role
from ..errors import ApiError, invalid, not_found
from ..http import Ctx, Reply, Router
from ..model import Issue, World
from ..payloads import notify
from .common import actor_login, load_issue
from .issues import require_login

router = Router()
MAX_SUB_ISSUES = 100
MAX_DEPTH = 8  # levels of nesting, the parent's own level included


def _depth_above(world: World, iss: Issue) -> int:
    depth, cur = 1, iss
    while cur.parent_id is not None and cur.parent_id in world.issues:
        cur = world.issues[cur.parent_id]
        depth += 1
    return depth


def _height_below(world: World, iss: Issue) -> int:
    subs = [world.issues[i] for i in iss.sub_issue_ids if i in world.issues]
    return 1 + max((_height_below(world, s) for s in subs), default=0)


def _ancestors(world: World, iss: Issue) -> set[int]:
    out, cur = set(), iss
    while cur.parent_id is not None and cur.parent_id in world.issues:
        out.add(cur.parent_id)
        cur = world.issues[cur.parent_id]
    return out


def _link_events(world: World, actor: Actor, parent: Issue, sub: Issue, added: bool) -> None:
    kind = "added" if added else "removed"
    via = actor.via_app
    world.record_event(parent, actor_login(actor), f"sub_issue_{kind}", via)
    world.record_event(sub, actor_login(actor), f"parent_issue_{kind}", via)
    prepo, srepo = world.repos[parent.repo], world.repos[sub.repo]
    notify(
        world,
        prepo,
        actor,
        "sub_issues",
        f"sub_issue_{kind}",
        extra={
            "parent_issue_id": parent.id,
            "parent_issue": render.issue(world, parent),
            "sub_issue_id": sub.id,
            "sub_issue": render.issue(world, sub),
            "sub_issue_repo": render.repository(world, srepo),
        },
    )
    notify(
        world,
        srepo,
        actor,
        "sub_issues",
        f"parent_issue_{kind}",
        extra={
            "parent_issue_id": parent.id,
            "parent_issue": render.issue(world, parent),
            "parent_issue_repo": render.repository(world, prepo),
            "sub_issue_id": sub.id,
            "sub_issue": render.issue(world, sub),
        },
    )


def _unlink(world: World, actor: Actor, parent: Issue, sub: Issue) -> None:
    parent.sub_issue_ids.remove(sub.id)
    sub.parent_id = None
    parent.updated_at = sub.updated_at = world.now()
    _link_events(world, actor, parent, sub, added=False)


@router.add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues")
async def list_sub_issues(ctx: Ctx) -> Reply:
    _, iss = load_issue(ctx)
    subs = [ctx.world.issues[i] for i in iss.sub_issue_ids if i in ctx.world.issues]
    return Reply(body=[render.issue(ctx.world, s) for s in subs if not s.deleted], paginate=True)


def _sub_from_body(ctx: Ctx) -> Issue:
    body: dict[str, Any] = ctx.body
    sub = ctx.world.issues.get(body["sub_issue_id"])
    if sub is None or sub.deleted or not can_see(ctx.world, ctx.actor, ctx.world.repos[sub.repo]):
        raise not_found()
    return sub


@router.add("POST", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues")
async def add_sub_issue(ctx: Ctx) -> Reply:
    world, actor = ctx.world, ctx.actor
    require_login(actor)
    repo, parent = load_issue(ctx)
    require_role(world, actor, repo, "triage")
    sub = _sub_from_body(ctx)
    if world.repos[sub.repo].owner.lower() != repo.owner.lower():
        raise invalid(
            "Issue",
            "sub_issue_id",
            "invalid",
            message="The sub-issue must belong to the same repository owner",
        )
    if sub.id == parent.id or sub.id in _ancestors(world, parent):
        raise invalid(
            "Issue",
            "sub_issue_id",
            "invalid",
            message="An issue cannot be a sub-issue of itself or its descendants",
        )
    if sub.parent_id == parent.id:
        raise invalid(
            "Issue", "sub_issue_id", "invalid", message="Issue is already a sub-issue of this issue"
        )
    if sub.parent_id is not None and not ctx.body.get("replace_parent"):
        raise invalid(
            "Issue",
            "sub_issue_id",
            "invalid",
            message="Issue may not contain duplicate sub-issues and Sub issue may only have one parent",
        )
    if len(parent.sub_issue_ids) >= MAX_SUB_ISSUES:
        raise invalid(
            "Issue",
            "sub_issue_id",
            "invalid",
            message=f"Parent cannot have more than {MAX_SUB_ISSUES} sub-issues",
        )
    if _depth_above(world, parent) + _height_below(world, sub) > MAX_DEPTH:
        raise invalid(
            "Issue",
            "sub_issue_id",
            "invalid",
            message=f"Sub-issues cannot be nested more than {MAX_DEPTH} levels",
        )
    if sub.parent_id is not None:
        _unlink(world, actor, world.issues[sub.parent_id], sub)
    parent.sub_issue_ids.append(sub.id)
    sub.parent_id = parent.id
    parent.updated_at = sub.updated_at = world.now()
    _link_events(world, actor, parent, sub, added=True)
    out = render.issue(world, parent)
    return Reply(201, out, {"Location": out["url"]})


@router.add("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue")
async def remove_sub_issue(ctx: Ctx) -> Reply:
    world, actor = ctx.world, ctx.actor
    require_login(actor)
    repo, parent = load_issue(ctx)
    require_role(world, actor, repo, "triage")
    if not isinstance(ctx.body, dict):
        raise ApiError(400, "Problems parsing JSON")
    sub = _sub_from_body(ctx)
    if sub.parent_id != parent.id:
        raise not_found()
    _unlink(world, actor, parent, sub)
    return Reply(200, render.issue(world, parent))


@router.add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/parent")
async def get_parent(ctx: Ctx) -> Reply:
    _, iss = load_issue(ctx)
    parent = ctx.world.issues.get(iss.parent_id) if iss.parent_id else None
    if parent is None or not can_see(ctx.world, ctx.actor, ctx.world.repos[parent.repo]):
        raise not_found()
    return Reply(body=render.issue(ctx.world, parent))
