"""The incident lifecycle: every issue and comment event goes through the rules.

Each handler reads like the rule it enforces: work out what happened (a
Trigger), read the incident as it is now, let the pure rules decide, perform.
"""

from __future__ import annotations

import logging
from typing import Any

from gidgethub import sansio
from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router

from app.core.commands import grammar
from app.core.rules import (
    Closed,
    CommentCreated,
    Edited,
    Labeled,
    Opened,
    Reopened,
    Trigger,
    Unlabeled,
)
from app.github.refs import IssueRef
from app.service.pipeline import apply_commands, handle_incident
from app.service.services import Services
from app.service.webhook import Delivery
from app.workflow.model import Workflow

router = Router()
log = logging.getLogger(__name__)


def _issue_trigger(data: dict[str, Any]) -> Trigger | None:
    actor = (data.get("sender") or {}).get("login", "")
    label = (data.get("label") or {}).get("name", "")
    match data.get("action"):
        case "opened":
            return Opened(actor)
        case "labeled":
            return Labeled(label, actor)
        case "unlabeled":
            return Unlabeled(label, actor)
        case "closed":
            return Closed(actor)
        case "reopened":
            return Reopened(actor)
        case "edited":
            return Edited(actor)
    return None


@router.register("issues", action="opened")
@router.register("issues", action="labeled")
@router.register("issues", action="unlabeled")
@router.register("issues", action="closed")
@router.register("issues", action="reopened")
@router.register("issues", action="edited")
async def issue_changed(event: sansio.Event, gh: GitHubAPI, services: Services) -> None:
    trigger = _issue_trigger(event.data)
    if trigger is not None and _complete(event.data, "repository", "issue"):
        await run_rules(event.data, trigger, gh, services)


@router.register("issue_comment", action="created")
async def comment_created(event: sansio.Event, gh: GitHubAPI, services: Services) -> None:
    """Commands live in new comments only: editing a comment does not run them again."""
    data = event.data
    if not _complete(data, "repository", "issue", "comment"):
        return
    if data["issue"].get("pull_request"):
        return  # a pull-request conversation, not an incident
    comment = data["comment"]
    body = str(comment.get("body") or "")
    user = comment.get("user") or {}
    if user.get("type") == "Bot":
        return  # an integration (this app or another) writes no commands for people
    owner, repo = data["repository"]["full_name"].split("/", 1)
    login = str(user.get("login", ""))
    if not grammar.has_command_line(body) and not await _may_acknowledge(data, login, gh, services):
        return  # plain conversation carries no commands
    trigger = CommentCreated(
        comment_id=int(comment["id"]),
        author=login,
        body=body,
        role_name=await services.role(gh, owner, repo, login),
    )
    await run_rules(data, trigger, gh, services, commands=True)


def _complete(data: dict[str, Any], *keys: str) -> bool:
    """Whether the payload has what GitHub always sends; if not, say so in one line."""
    missing = [key for key in keys if not isinstance(data.get(key), dict) or not data[key]]
    if missing:
        log.warning("%s payload without %s: nothing to act on", data.get("action"), ", ".join(missing))
    return not missing


async def run_rules(
    data: dict[str, Any], trigger: Trigger, gh: GitHubAPI, services: Services, *, commands: bool = False
) -> None:
    owner, repo = data["repository"]["full_name"].split("/", 1)
    issue = data["issue"]
    if await services.is_own(data):
        return  # our own change or comment, made by a pass that already reconciled the issue
    config = await services.config(gh, owner, repo)
    workflow = config.workflow
    if not commands and not _about_incidents(issue, trigger, workflow.incident_label.name):
        return
    ref = IssueRef(owner, repo, int(issue["number"]))
    trigger = await _with_actor_role(trigger, workflow, gh, ref, services)
    await handle_incident(gh, services, ref, trigger, config)


async def _may_acknowledge(data: dict[str, Any], login: str, gh: GitHubAPI, services: Services) -> bool:
    """A plain comment from the lead counts as /ack when the workflow says so."""
    assignees = data["issue"].get("assignees") or ()
    if not assignees or str(assignees[0].get("login", "")).lower() != login.lower():
        return False  # not the lead: no need to read the config
    owner, repo = data["repository"]["full_name"].split("/", 1)
    return (await services.config(gh, owner, repo)).workflow.lead.ack_by_any_comment


async def _with_actor_role(
    trigger: Trigger, workflow: Workflow, gh: GitHubAPI, ref: IssueRef, services: Services
) -> Trigger:
    """Who resolves by label or by closing, when only a role (or an admin) may (Wellcome Collection incident
    response process)."""
    if not any(role.required_to_resolve for role in workflow.roles):
        return trigger
    match trigger:
        case Labeled(label=label, actor=actor) if _is_resolved(workflow, label):
            return Labeled(label, actor, await services.role(gh, ref.owner, ref.repo, actor))
        case Closed(actor=actor):
            return Closed(actor, await services.role(gh, ref.owner, ref.repo, actor))
    return trigger


def _is_resolved(workflow: Workflow, label: str) -> bool:
    status = workflow.status_for_label(label)
    return status is not None and status.resolved


def _about_incidents(issue: dict[str, Any], trigger: Trigger, incident_label: str) -> bool:
    """Whether the event can matter: the issue is (or just stopped being) an incident."""
    names = {str(label.get("name", "")).lower() for label in issue.get("labels") or ()}
    if incident_label.lower() in names:
        return True
    return isinstance(trigger, Unlabeled) and trigger.label.lower() == incident_label.lower()


async def apply_comments(delivery: Delivery, up_to: int, gh: GitHubAPI, services: Services) -> None:
    """The queue's pass for an incident's command comments: every one up to `up_to` that no
    pass applied yet, from GitHub, oldest first, each once (the sweep's own path)."""
    data = delivery.event.data
    owner, repo = data["repository"]["full_name"].split("/", 1)
    ref = IssueRef(owner, repo, int(data["issue"]["number"]))
    config = await services.config(gh, owner, repo)
    await apply_commands(gh, services, ref, config, up_to=up_to, limit=COMMANDS_PER_PASS)


COMMANDS_PER_PASS = 100  # command comments one pass applies; the rest in the next pass or sweep
