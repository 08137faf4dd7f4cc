"""The incident lifecycle: every issue and comment event goes through the rules.

Each handler reads like the rule it enforces: work out what happened (a
Trigger), read the incident as it is now, let the pure rules decide, perform.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gidgethub import sansio
from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router

from ..executor import Executor, IssueRef
from ..loading import incidents_led, load_incident, role_name, team_members
from ..rules import (
    Closed,
    CommentCreated,
    Context,
    Edited,
    Labeled,
    Opened,
    Reopened,
    Trigger,
    Unlabeled,
    decide,
)
from ..services import Services
from ..workflow.forms import form_facts

router = Router()
log = logging.getLogger(__name__)

# A line that starts with a slash command: cheap test before reading the whole issue.
COMMAND_LINE = re.compile(r"^\s*/[a-z]", re.IGNORECASE | re.MULTILINE)


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
    if user.get("type") == "Bot" or not COMMAND_LINE.search(body):
        return  # the app's own comments, and plain conversation, carry no commands
    owner, repo = data["repository"]["full_name"].split("/", 1)
    login = str(user.get("login", ""))
    trigger = CommentCreated(
        comment_id=int(comment["id"]),
        author=login,
        body=body,
        role_name=await services.role(gh, owner, repo, login, role_name),
        author_is_bot=False,
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
    bot = await services.bot_login()
    if (data.get("sender") or {}).get("login") == bot:
        return  # our own change, made by a run that already reconciled the issue
    config = await services.config(gh, owner, repo)
    workflow = config.workflow
    if not commands and not _about_incidents(issue, trigger, workflow.incident_label.name):
        return
    ref = IssueRef(owner, repo, int(issue["number"]))
    incident = await load_incident(gh, ref, bot)
    context = Context(
        now=services.now(),
        bot_login=bot,
        config_error=str(config.error) if config.error else None,
        equity_counts=await _equity(gh, owner, repo, workflow, incident, services),
        team_members=await _team(gh, workflow, incident),
        form=form_facts(incident.body, workflow),
    )
    actions = decide(trigger, incident, workflow, context)
    done = await Executor(gh, ref, incident).run(actions)
    if done:
        log.info("%s/%s#%d: %s", owner, repo, ref.number, "; ".join(done))


def _about_incidents(issue: dict[str, Any], trigger: Trigger, incident_label: str) -> bool:
    """Whether the event can matter: the issue is (or just stopped being) an incident."""
    names = {str(label.get("name", "")).lower() for label in issue.get("labels") or ()}
    if incident_label.lower() in names:
        return True
    return isinstance(trigger, Unlabeled) and trigger.label.lower() == incident_label.lower()


async def _equity(
    gh: GitHubAPI, owner: str, repo: str, workflow: Any, incident: Any, services: Services
) -> dict[str, int]:
    """Counts for the equity rule, fetched only when a lead is about to be chosen."""
    policy = workflow.lead
    if incident.lead is not None or not (policy.rotation or policy.responders):
        return {}
    since = services.now() - policy.equity_window
    return dict(await incidents_led(gh, owner, repo, workflow, since))


async def _team(gh: GitHubAPI, workflow: Any, incident: Any) -> tuple[str, ...]:
    rotation = workflow.lead.rotation
    if incident.lead is not None or rotation is None or not rotation.team:
        return ()
    return await team_members(gh, rotation.team)
