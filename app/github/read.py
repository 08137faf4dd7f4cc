"""Reading an incident's current state from GitHub: the issue and its history.

Handlers always re-read: a webhook payload may be older than the issue by the
time its turn comes, and the rules must decide on what is true now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from typing import Any

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from app.core.incident import Incident
from app.github import errors
from app.github.refs import IssueRef
from app.workflow.model import Workflow

log = logging.getLogger(__name__)


async def load_incident(gh: GitHubAPI, ref: IssueRef, bot_login: str) -> Incident:
    """The issue, its comments, its events and its sub-issues, read at once: four independent
    reads cost one round trip of latency, not four (most are conditional, answered 304)."""
    base = "/repos/{owner}/{repo}/issues/{number}"

    async def every(url: str) -> list[dict[str, Any]]:
        return [item async for item in gh.getiter(base + url, ref.vars)]

    issue, comments, events, sub_issues = await asyncio.gather(
        gh.getitem(base, ref.vars),
        every("/comments?per_page=100"),
        every("/events?per_page=100"),
        every("/sub_issues?per_page=100"),
    )
    return Incident.from_github(issue, comments, events, bot_login=bot_login, sub_issues=sub_issues)


async def load_incidents(
    gh: GitHubAPI, owner: str, repo: str, numbers: Iterable[int], bot_login: str, *, concurrency: int = 4
) -> list[Incident]:
    """Several incidents, at most `concurrency` at a time (each costs three or four requests).

    An issue deleted or transferred since it was found is left out, not an error.
    """
    limit = asyncio.Semaphore(concurrency)

    async def one(number: int) -> Incident | None:
        async with limit:
            try:
                return await load_incident(gh, IssueRef(owner, repo, number), bot_login)
            except BadRequest as exc:
                if errors.is_not_found(exc):
                    return None
                raise

    loaded = await asyncio.gather(*(one(n) for n in numbers))
    return [incident for incident in loaded if incident is not None]


async def role_name(gh: GitHubAPI, owner: str, repo: str, login: str) -> str:
    """The person's precise role on the repository (decide on role_name: https://docs.github.com/en/rest/collaborators/collaborators#get-repository-permissions-for-a-user)."""
    try:
        answer = await gh.getitem(
            "/repos/{owner}/{repo}/collaborators/{login}/permission",
            {"owner": owner, "repo": repo, "login": login},
        )
    except BadRequest as exc:
        if errors.is_hidden(exc):
            return "none"
        raise
    return str(answer.get("role_name") or answer.get("permission") or "none")


async def incidents_led(
    gh: GitHubAPI, owner: str, repo: str, workflow: Workflow, since: dt.datetime
) -> Counter[str]:
    """How many incidents each person led since `since` (Openverse incident policy equity rule)."""
    label = workflow.incident_label.name
    query = f'repo:{owner}/{repo} is:issue label:"{label}" created:>={since.date().isoformat()}'
    led: Counter[str] = Counter()
    async for item in gh.getiter("/search/issues{?q,per_page}", {"q": query, "per_page": 100}):
        for assignee in (item.get("assignees") or [])[:1]:
            led[str(assignee["login"])] += 1
    return led


async def team_members(gh: GitHubAPI, team: str, owner: str) -> tuple[str, ...]:
    """Logins of `org/team-slug` (a bare slug: the owner's organisation), in GitHub's order.

    A team that does not exist or that the app cannot see (no members permission) leaves
    the rotation empty, so the lead falls to the equity rule or the declarer: one log line,
    not a failed incident.
    """
    org, _, slug = team.rpartition("/")
    org = org or owner
    members = gh.getiter("/orgs/{org}/teams/{slug}/members?per_page=100", {"org": org, "slug": slug})
    try:
        return tuple([str(m["login"]) async for m in members])
    except BadRequest as exc:
        if not errors.is_hidden(exc):
            raise
        status = int(exc.status_code)
        # 403: the token may not read teams. An App needs "Members: read"; GitHub Actions'
        # GITHUB_TOKEN has no organization permission at all, so it never can
        # (https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#permissions-for-the-github_token).
        why = (
            "this token may not read the organization's teams (an App needs Members: read; "
            "in GitHub Actions pass an App or fine-grained token as github-token, GITHUB_TOKEN cannot)"
            if status == 403
            else "no such team, or it is secret to this token"
        )
        log.warning("team %s/%s: GitHub answered %d, %s; the rotation has no members", org, slug, status, why)
        return ()


async def is_assignable(gh: GitHubAPI, owner: str, repo: str, login: str) -> bool:
    """Whether GitHub lets `login` be assigned to issues of the repository: 204 yes, 404 no
    (https://docs.github.com/en/rest/issues/assignees#check-if-a-user-can-be-assigned)."""
    try:
        await gh.getitem(
            "/repos/{owner}/{repo}/assignees/{login}", {"owner": owner, "repo": repo, "login": login}
        )
    except BadRequest as exc:
        if errors.is_not_found(exc):
            return False
        raise
    return True
