"""What the status page shows, computed purely from loaded incidents (no HTTP here).

A security incident is never listed, not even as a count: its title, updates and
very existence stay private (the product's security rule: the bot never repeats a security incident's text).
An issue is treated as one when it carries
the workflow's security label *or* its form ticks the security box, so the page
is safe even in the moment before the bot has labelled it.
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


@dataclass(frozen=True)
class Page:
    repo: str  # "owner/repo" as asked
    refreshed_at: dt.datetime
    incidents: tuple[Listed, ...]


def is_private(incident: Incident, workflow: Workflow) -> bool:
    """A security incident, by label or by its form's answer."""
    return incident.is_security(workflow) or form_facts(incident.body, workflow).security


def listed(incident: Incident, workflow: Workflow, now: dt.datetime) -> Listed | None:
    """The incident's public entry, or None when it must not (or need not) be shown."""
    if is_private(incident, workflow) or not incident.is_open or not incident.is_incident(workflow):
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


def build_page(repo: str, incidents: Iterable[Incident], workflow: Workflow, now: dt.datetime) -> Page:
    """The page: most severe first, then the longest-running first."""
    entries = [e for e in (listed(i, workflow, now) for i in incidents) if e is not None]
    unset = len(workflow.severities)  # an incident with no severity label yet goes last
    entries.sort(key=lambda e: (unset if e.severity_rank is None else e.severity_rank, e.declared_at))
    return Page(repo=repo, refreshed_at=now, incidents=tuple(entries))
