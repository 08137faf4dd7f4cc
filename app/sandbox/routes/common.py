"""Helpers shared by the issue, label and comment routes (state change + event + webhook)."""

from __future__ import annotations

from typing import Any

from ..access import Actor, repo_for, role_of
from ..errors import gone, invalid, not_found
from ..http import Ctx
from ..model import Issue, Label, Repo, World, role_rank
from ..payloads import notify

DEFAULT_LABEL_COLOR = "ededed"  # what GitHub gives a label created implicitly
MAX_LABELS_PER_ISSUE = 100
MAX_TITLE = 256
MAX_BODY = 65536
MAX_LABEL_NAME = 50
# "Issues and pull requests in public repositories, and in private repositories for a paid
# account, can have up to 10 people assigned" (Assigning issues and pull requests to other
# GitHub users). The sandbox has no free-plan private repositories.
MAX_ASSIGNEES = 10


def load_issue(ctx: Ctx) -> tuple[Repo, Issue]:
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    iss = repo.issues.get(ctx.param_int("issue_number"))
    if iss is None:
        raise not_found()
    if iss.deleted:
        raise gone()
    return repo, iss


def actor_login(actor: Actor) -> str:
    assert actor.login is not None
    return actor.login


def assignable(world: World, repo: Repo, login: str, issue: Issue | None = None) -> bool:
    """Whether GitHub lets ``login`` be assigned, as "Assigning issues and pull requests to
    other GitHub users" lists it: anyone with write permissions to the repository,
    organization members with read permissions to it, and (for one issue) anyone who has
    commented on that issue. Read access alone, public or granted, is not enough."""
    user = world.user(login, create=False)
    if user is None or user.type != "User":
        return False
    role = role_rank(role_of(world, repo, user.login))
    if role >= role_rank("write"):
        return True
    org = world.org_of(repo)
    key = user.login.lower()
    if org is not None and role >= role_rank("read") and key in {m.lower() for m in org.members | org.owners}:
        return True
    if issue is not None:
        return any(world.comments[c].user.lower() == key for c in issue.comment_ids if c in world.comments)
    return False


def distinct_logins(logins: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for login in logins:
        if login.lower() not in seen:
            seen.add(login.lower())
            out.append(login)
    return out


def check_assignees(world: World, repo: Repo, logins: list[str], field: str, issue: Issue | None) -> None:
    """Refuse a whole create/update naming someone who cannot be assigned, as GitHub does.

    The error object is the one GitHub sends: ``{"value": login, "resource": "Issue",
    "field": "assignees", "code": "invalid"}``; newer answers also carry a ``message``
    naming every refused login, "assignees a, b cannot be assigned to this issue".
    """
    wanted = distinct_logins(logins)
    refused = [login for login in wanted if not assignable(world, repo, login, issue)]
    if refused:
        raise invalid(
            "Issue",
            field,
            "invalid",
            value=refused[0],
            message=f"{field} {', '.join(refused)} cannot be assigned to this issue",
        )
    if len(wanted) > MAX_ASSIGNEES:
        raise invalid("Issue", field, "custom", message=f"Issues can have at most {MAX_ASSIGNEES} assignees")


def label_names(raw: list[Any]) -> list[str]:
    return [str(x["name"] if isinstance(x, dict) else x) for x in raw]


def find_or_create_label(world: World, repo: Repo, name: str) -> Label:
    key = name.lower()
    if key not in repo.labels:
        check_implicit_label(name)
        repo.labels[key] = Label(id=world.next_id("label"), name=name, color=DEFAULT_LABEL_COLOR)
    return repo.labels[key]


def check_label_name(name: str) -> None:
    """POST/PATCH /labels: GitHub's answer is a custom error with the limit in its message."""
    if not name.strip():
        raise invalid("Label", "name", "missing_field")
    if len(name) > MAX_LABEL_NAME:
        raise invalid(
            "Label", "name", "custom", message=f"name is too long (maximum is {MAX_LABEL_NAME} characters)"
        )


def check_implicit_label(name: str) -> None:
    """A label an issue names that does not exist yet is created on the fly; a name GitHub
    cannot create is refused as ``{"value": name, "resource": "Label", "field": "name",
    "code": "invalid"}``, without the limit in a message (unlike POST /labels)."""
    if not name.strip() or len(name) > MAX_LABEL_NAME:
        raise invalid("Label", "name", "invalid", value=name)


def check_labels(repo: Repo, names: list[str], keep: int = 0) -> None:
    """Everything add_labels/set_labels would refuse, checked before anything changes."""
    for name in names:
        if name.lower() not in repo.labels:
            check_implicit_label(name)
    if keep + len({n.lower() for n in names}) > MAX_LABELS_PER_ISSUE:
        raise invalid(
            "Issue", "labels", "custom", message=f"maximum of {MAX_LABELS_PER_ISSUE} labels per issue"
        )


def check_text(resource: str, field: str, value: str | None, limit: int) -> None:
    """An issue's title or body over its limit: ``{"resource": "Issue", "code": "custom",
    "field": "body", "message": "body is too long (maximum is 65536 characters)"}``."""
    if value is not None and len(value) > limit:
        raise invalid(
            resource, field, "custom", message=f"{field} is too long (maximum is {limit} characters)"
        )


def check_comment_body(value: str) -> None:
    """A comment over the limit gets GitHub's own, differently shaped error: code
    ``unprocessable``, field ``data``, "Body is too long (maximum is 65536 characters)"."""
    if len(value) > MAX_BODY:
        raise invalid(
            "IssueComment",
            "data",
            "unprocessable",
            message=f"Body is too long (maximum is {MAX_BODY} characters)",
        )


def touch(world: World, iss: Issue) -> None:
    iss.updated_at = world.now()


def add_labels(world: World, repo: Repo, iss: Issue, actor: Actor, names: list[str]) -> None:
    check_labels(repo, names)
    new = [find_or_create_label(world, repo, n) for n in names]
    added: list[Label] = []
    for lb in new:
        if lb.id not in iss.labels and lb.id not in [a.id for a in added]:
            added.append(lb)
    if len(iss.labels) + len(added) > MAX_LABELS_PER_ISSUE:
        raise invalid(
            "Issue", "labels", "custom", message=f"maximum of {MAX_LABELS_PER_ISSUE} labels per issue"
        )
    for lb in added:
        iss.labels.append(lb.id)
        touch(world, iss)
        world.record_event(
            iss, actor_login(actor), "labeled", actor.via_app, label={"name": lb.name, "color": lb.color}
        )
        notify(world, repo, actor, "issues", "labeled", issue=iss, label=lb)


def remove_labels(world: World, repo: Repo, iss: Issue, actor: Actor, ids: list[int]) -> None:
    for lid in ids:
        if lid not in iss.labels:
            continue
        lb = repo.label_by_id(lid)
        iss.labels.remove(lid)
        touch(world, iss)
        if lb is not None:
            world.record_event(
                iss,
                actor_login(actor),
                "unlabeled",
                actor.via_app,
                label={"name": lb.name, "color": lb.color},
            )
            notify(world, repo, actor, "issues", "unlabeled", issue=iss, label=lb)


def set_labels(world: World, repo: Repo, iss: Issue, actor: Actor, names: list[str]) -> None:
    """Replace the label set; only the difference produces events and webhooks."""
    check_labels(repo, names)
    wanted = [find_or_create_label(world, repo, n) for n in names]
    wanted_ids = [lb.id for lb in wanted]
    remove_labels(world, repo, iss, actor, [i for i in iss.labels if i not in wanted_ids])
    add_labels(world, repo, iss, actor, [lb.name for lb in wanted])


def add_assignees(world: World, repo: Repo, iss: Issue, actor: Actor, logins: list[str]) -> None:
    """Add whoever can be assigned; the others, and anyone past the tenth, are left out
    without an error (the add-assignees endpoint's documented behaviour)."""
    for login in logins:
        user = world.user(login, create=False)
        if user is None or not assignable(world, repo, user.login, iss):
            continue
        if user.login.lower() in (a.lower() for a in iss.assignees):
            continue
        if len(iss.assignees) >= MAX_ASSIGNEES:
            break
        iss.assignees.append(user.login)
        touch(world, iss)
        world.record_event(
            iss,
            actor_login(actor),
            "assigned",
            actor.via_app,
            assignee=user.login,
            assigner=actor_login(actor),
        )
        notify(world, repo, actor, "issues", "assigned", issue=iss, assignee=user.login)


def remove_assignees(world: World, repo: Repo, iss: Issue, actor: Actor, logins: list[str]) -> None:
    for login in logins:
        current = next((a for a in iss.assignees if a.lower() == login.lower()), None)
        if current is None:
            continue
        iss.assignees.remove(current)
        touch(world, iss)
        world.record_event(
            iss,
            actor_login(actor),
            "unassigned",
            actor.via_app,
            assignee=current,
            assigner=actor_login(actor),
        )
        notify(world, repo, actor, "issues", "unassigned", issue=iss, assignee=current)
