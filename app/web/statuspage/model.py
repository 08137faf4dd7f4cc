"""What the status page shows, computed purely from loaded incidents (no HTTP here).

A security incident is never listed, not even as a count: its title, updates and
very existence stay private. An issue is treated as one when it carries the
workflow's security label *or* its form ticks the security box, so the page is
safe even in the moment before the bot has labelled it.

Besides the active incidents, the page keeps a short history: incidents resolved in
the last `HISTORY_DAYS` days, with their severity and time to resolve.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from app.core import timeline
from app.core.incident import Incident
from app.workflow.forms import form_facts
from app.workflow.model import Workflow


@dataclass(frozen=True)
class LastUpdate:
    text: str  # what the lead wrote with /update ("" when the ledger dropped an old text)
    at: dt.datetime


@dataclass(frozen=True)
class Listed:
    """One incident as the public sees it."""

    number: int
    title: str
    url: str
    severity_key: str | None
    severity_name: str | None
    severity_rank: int | None  # 0 for the workflow's most severe level
    status: str | None
    resolved: bool
    declared_at: dt.datetime
    since_declared: dt.timedelta
    last_update: LastUpdate | None


HISTORY_DAYS = 90  # how far back resolved incidents are listed


@dataclass(frozen=True)
class Resolved:
    """An incident resolved lately, as the public sees it."""

    number: int
    title: str
    url: str
    severity_key: str | None
    severity_name: str | None
    severity_rank: int | None
    declared_at: dt.datetime
    resolved_at: dt.datetime
    time_to_resolve: dt.timedelta
    last_update: LastUpdate | None


@dataclass(frozen=True)
class Page:
    repo: str  # "owner/repo" as asked
    refreshed_at: dt.datetime
    incidents: tuple[Listed, ...]
    resolved: tuple[Resolved, ...] = ()  # newest first


def is_private(incident: Incident, workflow: Workflow) -> bool:
    """A security incident, by label or by its form's answer."""
    return incident.is_security(workflow) or form_facts(incident.body, workflow).security


def publishable(incident: Incident, workflow: Workflow) -> bool:
    """Whether the public may see this incident at all: a confirmed incident, not a security one.

    The one place the page decides who is shown, active and resolved alike. A report
    filed by someone without triage permission (an outsider's form) is recorded at once
    but stays off the page until someone with triage or above confirms it: an outsider
    must not be able to post to the public page by filing an issue.
    """
    return incident.is_incident(workflow) and incident.ledger.confirmed and not is_private(incident, workflow)


def _severity(incident: Incident, workflow: Workflow) -> tuple[str | None, str | None, int | None]:
    severity = incident.severity(workflow)
    if severity is None:
        return None, None, None
    return severity.key, severity.name, [s.key for s in workflow.severities].index(severity.key)


def _last_update(incident: Incident) -> LastUpdate | None:
    updates = incident.ledger.updates
    return LastUpdate(updates[-1].text, updates[-1].at) if updates else None


def resolved_entry(incident: Incident, workflow: Workflow, now: dt.datetime) -> Resolved | None:
    """The incident's line in the history, or None: not public, not resolved, or too old."""
    status = incident.status(workflow)
    if not publishable(incident, workflow) or status is None or not status.resolved:
        return None
    line = timeline.build(incident, workflow)
    resolved_at = line.resolved_at
    if resolved_at is None or now - resolved_at > dt.timedelta(days=HISTORY_DAYS):
        return None
    key, name, rank = _severity(incident, workflow)
    return Resolved(
        number=incident.number,
        title=incident.title,
        url=f"{incident.repo_url}/issues/{incident.number}" if incident.repo_url else "",
        severity_key=key,
        severity_name=name,
        severity_rank=rank,
        declared_at=line.declared_at,
        resolved_at=resolved_at,
        time_to_resolve=line.time_to_resolve or dt.timedelta(0),
        last_update=_last_update(incident),
    )


def listed(incident: Incident, workflow: Workflow, now: dt.datetime) -> Listed | None:
    """The incident's public entry, or None when it must not (or need not) be shown."""
    if not publishable(incident, workflow) or not incident.is_open:
        return None
    severity = incident.severity(workflow)
    ranks = [s.key for s in workflow.severities]
    status = incident.status(workflow)
    _, declared_at = timeline.declared(incident, workflow)
    updates = incident.ledger.updates
    last = LastUpdate(updates[-1].text, updates[-1].at) if updates else None
    return Listed(
        number=incident.number,
        title=incident.title,
        url=f"{incident.repo_url}/issues/{incident.number}" if incident.repo_url else "",
        severity_key=severity.key if severity else None,
        severity_name=severity.name if severity else None,
        severity_rank=ranks.index(severity.key) if severity else None,
        status=status.name if status else None,
        resolved=bool(status and status.resolved),
        declared_at=declared_at,
        since_declared=max(now - declared_at, dt.timedelta(0)),
        last_update=last,
    )


def build_page(
    repo: str,
    incidents: Iterable[Incident],
    workflow: Workflow,
    now: dt.datetime,
    resolved: Iterable[Resolved] = (),
) -> Page:
    """The page: most severe first, then the longest-running first; the history newest first."""
    entries = [e for e in (listed(i, workflow, now) for i in incidents) if e is not None]
    unset = len(workflow.severities)  # an incident with no severity label yet goes last
    entries.sort(key=lambda e: (unset if e.severity_rank is None else e.severity_rank, e.declared_at))
    active = {e.number for e in entries}
    history = sorted(
        (r for r in resolved if r.number not in active), key=lambda r: r.resolved_at, reverse=True
    )
    return Page(repo=repo, refreshed_at=now, incidents=tuple(entries), resolved=tuple(history))
