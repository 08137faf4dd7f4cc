"""Issues: create, list, get, update; issue events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import render
from ..access import Actor, has_role, repo_for
from ..errors import ApiError, forbidden, invalid, invalid_request
from ..http import Ctx, Reply, Router
from ..model import Issue, Repo, World
from ..payloads import notify
from .common import (
    MAX_BODY,
    MAX_TITLE,
    actor_login,
    add_assignees,
    check_assignees,
    check_labels,
    check_text,
    label_names,
    load_issue,
    remove_assignees,
    set_labels,
    touch,
)

router = Router()

# The docs (create and update an issue): "Only users with push access can set labels /
# assignees / type"; without it those fields are silently dropped, on creation and update.
PUSH = "write"


def require_login(actor: Actor) -> None:
    if actor.kind == "anonymous":
        raise ApiError(401, "Requires authentication")


def parse_since(raw: str | None) -> dt.datetime | None:
    if not raw:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid_request(f"For 'since', {raw!r} is not a valid timestamp.") from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _assignee_list(body: dict[str, Any]) -> list[str] | None:
    if "assignees" in body and body["assignees"] is not None:
        return [a["login"] if isinstance(a, dict) else str(a) for a in body["assignees"]]
    if "assignee" in body:
        return [body["assignee"]] if body["assignee"] else []
    return None


def _type_name(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("value")
    return str(value) if value else None


@router.add("POST", "/repos/{owner}/{repo}/issues")
async def create_issue(ctx: Ctx) -> Reply:
    world, actor = ctx.world, ctx.actor
    require_login(actor)
    repo = repo_for(world, actor, ctx.params["owner"], ctx.params["repo"])
    body: dict[str, Any] = ctx.body
    pusher = has_role(world, actor, repo, PUSH)
    if pusher and body.get("milestone") is not None:
        raise invalid("Issue", "milestone", "invalid", value=body["milestone"])
    # Without push access labels, assignees and type are dropped before anything is checked:
    # "Labels are silently dropped otherwise", "Assignees are silently dropped otherwise".
    labels = label_names(body.get("labels") or []) if pusher else []
    assignees = (_assignee_list(body) or []) if pusher else []
    field = "assignee" if body.get("assignees") is None and "assignee" in body else "assignees"
    iss = open_issue(
        world,
        repo,
        actor,
        title=str(body["title"]),
        text=body.get("body"),
        labels=labels,
        assignees=assignees,
        assignee_field=field,
        type_name=_type_name(body.get("type")) if pusher else None,
    )
    out = render.issue(world, iss)
    return Reply(201, out, {"Location": out["url"]})


def open_issue(
    world: World,
    repo: Repo,
    actor: Actor,
    *,
    title: str,
    text: str | None,
    labels: list[str],
    assignees: list[str],
    assignee_field: str = "assignees",
    type_name: str | None = None,
) -> Issue:
    """Create an issue (the REST endpoint and a submitted issue form alike).

    Everything is checked before anything exists: a refused request leaves no issue, no
    label and no webhook behind.
    """
    if not title.strip():
        raise invalid("Issue", "title", "missing_field")
    check_text("Issue", "title", title, MAX_TITLE)
    check_text("Issue", "body", text, MAX_BODY)
    check_labels(repo, labels)
    check_assignees(world, repo, assignees, assignee_field, None)
    now = world.now()
    iss = Issue(
        id=world.next_id("issue"),
        number=repo.next_number,
        repo=repo.full_name.lower(),
        title=title,
        body=text,
        user=actor_login(actor),
        created_at=now,
        updated_at=now,
        via_app=actor.via_app,
        type=type_name,
    )
    repo.next_number += 1
    repo.issues[iss.number] = iss
    world.issues[iss.id] = iss
    # GitHub delivers issues.opened first, then one labeled per label and one assigned per
    # assignee; the opened payload already shows the final labels and assignees.
    pending: list[tuple[str, str, dict[str, Any]]] = []
    original_emit = world.emit
    world.emit = lambda e, a, p: pending.append((e, a, p))
    try:
        set_labels(world, repo, iss, actor, labels)
        add_assignees(world, repo, iss, actor, assignees)
    finally:
        world.emit = original_emit
    iss.updated_at = now
    notify(world, repo, actor, "issues", "opened", issue=iss)
    for event, action, payload in pending:
        world.emit(event, action, payload)
    return iss


def _filter(world: World, repo: Repo, ctx: Ctx) -> list[Issue]:
    q = ctx.request.query
    state = q.get("state", "open")
    if state not in ("open", "closed", "all"):
        raise invalid_request(f"For 'state', {state!r} is not a member of open, closed, all.")
    items = [i for i in repo.issues.values() if not i.deleted]
    if state != "all":
        items = [i for i in items if i.state == state]
    if q.get("labels"):
        wanted = {n.strip().lower() for n in q["labels"].split(",") if n.strip()}
        items = [
            i
            for i in items
            if wanted <= {lb.name.lower() for lid in i.labels if (lb := repo.label_by_id(lid))}
        ]
    assignee = q.get("assignee")
    if assignee == "none":
        items = [i for i in items if not i.assignees]
    elif assignee == "*":
        items = [i for i in items if i.assignees]
    elif assignee:
        items = [i for i in items if assignee.lower() in (a.lower() for a in i.assignees)]
    if q.get("creator"):
        items = [i for i in items if i.user.lower() == q["creator"].lower()]
    since = parse_since(q.get("since"))
    if since is not None:
        items = [i for i in items if i.updated_at >= since]
    sort = q.get("sort", "created")
    keys = {
        "created": lambda i: (i.created_at, i.id),
        "updated": lambda i: (i.updated_at, i.id),
        "comments": lambda i: (len(i.comment_ids), i.id),
    }
    if sort not in keys:
        raise invalid_request(f"For 'sort', {sort!r} is not a member of created, updated, comments.")
    return sorted(items, key=keys[sort], reverse=q.get("direction", "desc") != "asc")


@router.add("GET", "/repos/{owner}/{repo}/issues")
async def list_issues(ctx: Ctx) -> Reply:
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    items = [render.issue(ctx.world, i) for i in _filter(ctx.world, repo, ctx)]
    return Reply(body=items, paginate=True)


@router.add("GET", "/repos/{owner}/{repo}/issues/{issue_number}")
async def get_issue(ctx: Ctx) -> Reply:
    _, iss = load_issue(ctx)
    return Reply(body=render.issue(ctx.world, iss))


@router.add("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}")
async def update_issue(ctx: Ctx) -> Reply:
    world, actor = ctx.world, ctx.actor
    require_login(actor)
    repo, iss = load_issue(ctx)
    body: dict[str, Any] = ctx.body or {}
    is_author = actor.kind == "user" and (actor.login or "").lower() == iss.user.lower()
    if not (is_author or has_role(world, actor, repo, "triage")):
        raise forbidden(
            "Must have admin rights to Repository."
            if actor.kind == "user"
            else "Resource not accessible by integration"
        )
    pusher = has_role(world, actor, repo, PUSH)
    # Check the whole request first: GitHub refuses an update as a whole (422) and then
    # changes nothing, not even the fields that were valid.
    title = str(body["title"]) if body.get("title") is not None else None
    check_text("Issue", "title", title, MAX_TITLE)
    if "body" in body:
        check_text("Issue", "body", body["body"], MAX_BODY)
    # Without push access label, assignee and type changes "are silently dropped".
    labels = label_names(body["labels"]) if pusher and body.get("labels") is not None else None
    if labels is not None:
        check_labels(repo, labels)
    wanted = _assignee_list(body) if pusher else None
    if wanted is not None:
        field = "assignee" if body.get("assignees") is None else "assignees"
        check_assignees(world, repo, wanted, field, iss)
    changes: dict[str, Any] = {}
    if title is not None and title != iss.title:
        changes["title"] = {"from": iss.title}
        world.record_event(
            iss, actor_login(actor), "renamed", actor.via_app, rename={"from": iss.title, "to": title}
        )
        iss.title = title
    if "body" in body and body["body"] != iss.body:
        changes["body"] = {"from": iss.body or ""}
        iss.body = body["body"]
    if changes:
        touch(world, iss)
        notify(world, repo, actor, "issues", "edited", issue=iss, changes=changes)
    state = body.get("state")
    if state is not None and state != iss.state:
        _set_state(world, repo, iss, actor, state, body.get("state_reason"))
    elif state == "closed" and body.get("state_reason") and body["state_reason"] != "reopened":
        iss.state_reason = body["state_reason"]  # changing only the reason of a closed issue
        touch(world, iss)
    if labels is not None:
        set_labels(world, repo, iss, actor, labels)
    if wanted is not None:
        current = list(iss.assignees)
        remove_assignees(
            world, repo, iss, actor, [a for a in current if a.lower() not in {w.lower() for w in wanted}]
        )
        add_assignees(world, repo, iss, actor, wanted)
    if pusher and "type" in body:
        iss.type = _type_name(body["type"])
        touch(world, iss)
    return Reply(body=render.issue(world, iss))


def _set_state(world: World, repo: Repo, iss: Issue, actor: Actor, state: str, reason: str | None) -> None:
    now = world.now()
    if state == "closed":
        iss.state, iss.closed_at, iss.closed_by = "closed", now, actor_login(actor)
        iss.state_reason = reason if reason in ("completed", "not_planned", "duplicate") else "completed"
    else:
        iss.state, iss.closed_at, iss.state_reason = "open", None, "reopened"
    iss.updated_at = now
    world.record_event(iss, actor_login(actor), "closed" if state == "closed" else "reopened", actor.via_app)
    notify(world, repo, actor, "issues", "closed" if state == "closed" else "reopened", issue=iss)


@router.add("GET", "/repos/{owner}/{repo}/issues/{issue_number}/events")
async def list_events(ctx: Ctx) -> Reply:
    _, iss = load_issue(ctx)
    items = [render.event(ctx.world, e) for e in ctx.world.events if e.issue_id == iss.id]
    return Reply(body=items, paginate=True)
