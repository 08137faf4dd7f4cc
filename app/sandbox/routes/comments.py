"""Issue comments and their reactions."""

from __future__ import annotations

from typing import Any

from .. import render
from ..access import has_role, repo_for
from ..errors import forbidden, gone, invalid, not_found
from ..http import Ctx, Reply, Router
from ..model import Comment, Issue, Reaction, Repo
from ..payloads import notify
from .common import actor_login, check_comment_body, load_issue
from .issues import parse_since, require_login

router = Router()


def _load_comment(ctx: Ctx) -> tuple[Repo, Issue, Comment]:
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    c = ctx.world.comments.get(ctx.param_int("comment_id"))
    if c is None:
        raise not_found()
    iss = ctx.world.issues[c.issue_id]
    if iss.repo != repo.full_name.lower():
        raise not_found()
    if iss.deleted:
        raise gone()
    return repo, iss, c


def _check_body(body: dict[str, Any]) -> str:
    text = str(body["body"])
    if not text.strip():
        raise invalid("IssueComment", "body", "missing_field")
    check_comment_body(text)
    return text


@router.add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
async def list_comments(ctx: Ctx) -> Reply:
    _, iss = load_issue(ctx)
    since = parse_since(ctx.request.query.get("since"))
    items = [ctx.world.comments[i] for i in iss.comment_ids]
    if since is not None:
        items = [c for c in items if c.updated_at >= since]
    return Reply(body=[render.comment(ctx.world, c) for c in items], paginate=True)


@router.add("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments")
async def create_comment(ctx: Ctx) -> Reply:
    world, actor = ctx.world, ctx.actor
    require_login(actor)
    repo, iss = load_issue(ctx)
    text = _check_body(ctx.body)
    if iss.locked and not has_role(world, actor, repo, "write"):
        raise forbidden("Unable to create comment because issue is locked.")
    now = world.now()
    c = Comment(
        id=world.next_id("comment"),
        issue_id=iss.id,
        user=actor_login(actor),
        body=text,
        created_at=now,
        updated_at=now,
        via_app=actor.via_app,
    )
    world.comments[c.id] = c
    iss.comment_ids.append(c.id)
    iss.updated_at = now
    notify(world, repo, actor, "issue_comment", "created", issue=iss, comment=c)
    out = render.comment(world, c)
    return Reply(201, out, {"Location": out["url"]})


@router.add("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
async def get_comment(ctx: Ctx) -> Reply:
    _, _, c = _load_comment(ctx)
    return Reply(body=render.comment(ctx.world, c))


def _may_change(ctx: Ctx, repo: Repo, c: Comment) -> None:
    actor = ctx.actor
    require_login(actor)
    own = (actor.login or "").lower() == c.user.lower()
    # Editing or deleting someone else's comment takes write access (GitHub's role table).
    if not own and not has_role(ctx.world, actor, repo, "write"):
        raise forbidden(
            "Must have admin rights to Repository."
            if actor.kind == "user"
            else "Resource not accessible by integration"
        )


@router.add("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
async def update_comment(ctx: Ctx) -> Reply:
    repo, iss, c = _load_comment(ctx)
    _may_change(ctx, repo, c)
    text = _check_body(ctx.body)
    if text != c.body:
        old = c.body
        c.body = text
        c.updated_at = ctx.world.now()
        notify(
            ctx.world,
            repo,
            ctx.actor,
            "issue_comment",
            "edited",
            issue=iss,
            comment=c,
            changes={"body": {"from": old}},
        )
    return Reply(body=render.comment(ctx.world, c))


@router.add("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}")
async def delete_comment(ctx: Ctx) -> Reply:
    repo, iss, c = _load_comment(ctx)
    _may_change(ctx, repo, c)
    notify(ctx.world, repo, ctx.actor, "issue_comment", "deleted", issue=iss, comment=c)
    iss.comment_ids.remove(c.id)
    del ctx.world.comments[c.id]
    return Reply(204)


@router.add("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions")
async def react(ctx: Ctx) -> Reply:
    require_login(ctx.actor)
    _, _, c = _load_comment(ctx)
    content = ctx.body["content"]
    login = actor_login(ctx.actor)
    existing = next(
        (r for r in c.reactions if r.user.lower() == login.lower() and r.content == content), None
    )
    status = 200
    if existing is None:
        existing = Reaction(
            id=ctx.world.next_id("reaction"), user=login, content=content, created_at=ctx.world.now()
        )
        c.reactions.append(existing)
        status = 201
    return Reply(
        status,
        {
            "id": existing.id,
            "node_id": render.node_id("Reaction", existing.id),
            "user": render.user(ctx.world, existing.user),
            "content": existing.content,
            "created_at": render.ts(existing.created_at),
        },
    )
