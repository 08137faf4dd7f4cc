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


def assignable(world: World, repo: Repo, login: str) -> bool:
    """People with access to the repository (not just public read) can be assigned."""
    user = world.user(login, create=False)
    if user is None or user.type != "User":
        return False
    explicit = Repo(id=0, owner=repo.owner, name=repo.name, private=True, collaborators=repo.collaborators)
    return role_rank(role_of(world, explicit, user.login)) >= role_rank("read")


def label_names(raw: list[Any]) -> list[str]:
    return [str(x["name"] if isinstance(x, dict) else x) for x in raw]


def find_or_create_label(world: World, repo: Repo, name: str) -> Label:
    key = name.lower()
    if key not in repo.labels:
        check_label_name(name)
        repo.labels[key] = Label(id=world.next_id("label"), name=name, color=DEFAULT_LABEL_COLOR)
    return repo.labels[key]


def check_label_name(name: str) -> None:
    if not name.strip():
        raise invalid("Label", "name", "missing_field")
    if len(name) > 50:
        raise invalid("Label", "name", "custom", message="name is too long (maximum is 50 characters)")


def check_text(resource: str, field: str, value: str | None, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise invalid(
            resource, field, "custom", message=f"{field} is too long (maximum is {limit} characters)"
        )


def touch(world: World, iss: Issue) -> None:
    iss.updated_at = world.now()


def add_labels(world: World, repo: Repo, iss: Issue, actor: Actor, names: list[str]) -> None:
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
    wanted = [find_or_create_label(world, repo, n) for n in names]
    wanted_ids = [lb.id for lb in wanted]
    remove_labels(world, repo, iss, actor, [i for i in iss.labels if i not in wanted_ids])
    add_labels(world, repo, iss, actor, [lb.name for lb in wanted])


def add_assignees(world: World, repo: Repo, iss: Issue, actor: Actor, logins: list[str]) -> None:
    for login in logins:
        user = world.user(login, create=False)
        if user is None or not assignable(world, repo, user.login):
            continue  # GitHub silently ignores people who cannot be assigned
        if user.login.lower() in (a.lower() for a in iss.assignees):
            continue
        if len(iss.assignees) >= 10:  # GitHub caps an issue at 10 assignees
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
