"""Follow-ups tell their incident: GitHub sends the parent nothing when a sub-issue changes.

When a follow-up (a sub-issue of an incident) is closed, reopened, retitled or
relabelled, or a sub-issue is linked to or unlinked from an incident by a
person, the incident is reconciled with a ``FollowupChanged`` trigger, so its
summary ticks, adds or drops the follow-up at once.

A follow-up opened by hand that is not linked yet is picked up when it carries
the follow-up label (or the bot's follow-up marker) and its body names the
incident (``#N``): the bot links it as a sub-issue of the first incident named.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gidgethub import BadRequest, sansio
from gidgethub.abc import GitHubAPI
from gidgethub.routing import Router

from app.core import markers
from app.core.incident import SubIssue
from app.core.rules import FollowupChanged
from app.github import errors
from app.github.refs import IssueRef
from app.service.pipeline import handle_incident
from app.service.services import Services
from app.workflow.model import Workflow

router = Router()
log = logging.getLogger(__name__)

REFERENCE = re.compile(r"(?<![\w/&#])#(\d+)\b")  # "#12", not "&#12;", "a#12" or "org/repo#12"
ISSUE_URL = re.compile(r"/repos/([^/]+)/([^/]+)/issues/(\d+)$")


def referenced_numbers(body: str, own: int) -> list[int]:
    """Issue numbers the body names as `#N`, in order, without repeats or itself."""
    numbers = (int(n) for n in REFERENCE.findall(body or ""))
    return [n for n in dict.fromkeys(numbers) if n != own]


def issue_ref(url: str) -> IssueRef | None:
    """owner/repo/number of an API issue URL (`parent_issue_url`)."""
    found = ISSUE_URL.search(url or "")
    return IssueRef(found.group(1), found.group(2), int(found.group(3))) if found else None


def _label_names(issue: dict[str, Any]) -> set[str]:
    return {str(label.get("name", "")).lower() for label in issue.get("labels") or ()}


def _is_incident(issue: dict[str, Any], workflow: Workflow) -> bool:
    return workflow.incident_label.name.lower() in _label_names(issue)


def looks_like_followup(issue: dict[str, Any], workflow: Workflow) -> bool:
    bot_made = markers.is_followup(markers.kind_of(str(issue.get("body") or "")))
    return workflow.followups.label.name.lower() in _label_names(issue) or bot_made


@router.register("issues", action="opened")
@router.register("issues", action="edited")
@router.register("issues", action="labeled")
@router.register("issues", action="unlabeled")
@router.register("issues", action="closed")
@router.register("issues", action="reopened")
async def followup_changed(event: sansio.Event, gh: GitHubAPI, services: Services) -> None:
    data = event.data
    sender = str((data.get("sender") or {}).get("login", ""))
    if await services.is_own(data):
        return  # the bot changes follow-ups only when it opens them, and then renders what lists them
    owner, repo = data["repository"]["full_name"].split("/", 1)
    issue = data["issue"]
    workflow = (await services.config(gh, owner, repo)).workflow
    if _is_incident(issue, workflow):
        return  # an incident's own events are the incidents feature's
    ref = IssueRef(owner, repo, int(issue["number"]))
    parent = await _parent(gh, ref, issue, workflow)
    adopt: SubIssue | None = None
    if parent is None and looks_like_followup(issue, workflow):
        parent, adopt = await _adoptive_parent(gh, ref, issue, services)
    if parent is not None:
        await _reconcile(gh, services, parent, FollowupChanged(ref.number, sender, adopt))


@router.register("sub_issues", action="sub_issue_added")
@router.register("sub_issues", action="sub_issue_removed")
async def sub_issue_linked(event: sansio.Event, gh: GitHubAPI, services: Services) -> None:
    """A person linked or unlinked a sub-issue: the parent's summary lists its follow-ups."""
    data = event.data
    sender = str((data.get("sender") or {}).get("login", ""))
    if await services.is_own(data):
        return  # the bot links only what it opened or adopted, in a pass that lists them
    parent = data.get("parent_issue") or {}
    ref = issue_ref(str(parent.get("url") or ""))
    number = int((data.get("sub_issue") or {}).get("number", 0))
    if ref is not None:
        await _reconcile(gh, services, ref, FollowupChanged(number, sender))


async def _parent(gh: GitHubAPI, ref: IssueRef, issue: dict[str, Any], workflow: Workflow) -> IssueRef | None:
    """The issue's parent: from the payload, or (older servers without the field) asked for."""
    if "parent_issue_url" in issue:
        return issue_ref(str(issue.get("parent_issue_url") or ""))
    if not looks_like_followup(issue, workflow):
        return None  # one request per event of every issue would be too many: follow-ups only
    try:
        parent = await gh.getitem("/repos/{owner}/{repo}/issues/{number}/parent", ref.vars)
    except BadRequest as exc:
        if errors.is_not_found(exc):
            return None
        raise
    return issue_ref(str(parent.get("url") or ""))


async def _adoptive_parent(
    gh: GitHubAPI, ref: IssueRef, issue: dict[str, Any], services: Services
) -> tuple[IssueRef | None, SubIssue | None]:
    """The first incident a hand-made follow-up's body names, and the follow-up to link to it
    (None when it got a parent meanwhile); the link itself is the writer's (LinkSubIssue)."""
    workflow = (await services.config(gh, ref.owner, ref.repo)).workflow
    for number in referenced_numbers(str(issue.get("body") or ""), ref.number)[:5]:
        target = IssueRef(ref.owner, ref.repo, number)
        try:
            candidate = await gh.getitem("/repos/{owner}/{repo}/issues/{number}", target.vars)
        except BadRequest:
            continue  # no such issue (or a pull request gone): not our incident
        if not _is_incident(candidate, workflow):
            continue
        current = await gh.getitem("/repos/{owner}/{repo}/issues/{number}", ref.vars)
        if current.get("parent_issue_url"):
            # Linked meanwhile (a replica, a person).
            return issue_ref(str(current["parent_issue_url"])), None
        return target, SubIssue.from_github(current)
    return None, None


async def _reconcile(gh: GitHubAPI, services: Services, ref: IssueRef, trigger: FollowupChanged) -> None:
    config = await services.config(gh, ref.owner, ref.repo)
    parent = await gh.getitem("/repos/{owner}/{repo}/issues/{number}", ref.vars)
    if _is_incident(parent, config.workflow):
        await handle_incident(gh, services, ref, trigger, config)
