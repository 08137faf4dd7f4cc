"""The one line a notification says, for people reading chat or a page at 3 a.m.

Bot words, the workflow's names, logins and the issue's title (bounded, on one line).
A security incident never gets here: it is only ever "Security incident #N in
OWNER/REPO" (`security_name`). Channel formats (Slack's escaping, JSON) are the
senders' business, in app.service.notify.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import replace

from app.core.durations import format_duration
from app.core.incident import Incident
from app.workflow.model import Workflow

TITLE_MAX = 200  # a chat line, not the issue: the link has the rest


def bounded_title(title: str) -> str:
    """The title on one line (whitespace and control characters folded), at most TITLE_MAX."""
    folded = " ".join("".join(ch if ch.isprintable() else " " for ch in title).split())
    if len(folded) <= TITLE_MAX:
        return folded or "(no title)"
    return folded[: TITLE_MAX - 1] + "…"


def security_name(incident: Incident, workflow: Workflow, repository: str) -> str:
    """ "Security incident #N in OWNER/REPO": its public name, even when only the form's box
    says so (the label may not be there yet)."""
    labelled = replace(incident, labels=(*incident.labels, workflow.security.label.name))
    return f"{labelled.public_name(workflow)} in {repository}"


def _severity(workflow: Workflow, key: object) -> str:
    severity = workflow.severity(str(key)) if key is not None else None
    return f"severity {severity.key} ({severity.name})" if severity else "no severity"


def _status(workflow: Workflow, key: object) -> str:
    status = workflow.status(str(key)) if key is not None else None
    return status.name if status else "none"


def _person(login: object) -> str:
    return f"@{login}" if login else "nobody"


def _duration(seconds: object) -> str:
    return format_duration(dt.timedelta(seconds=seconds)) if isinstance(seconds, int) else "—"


def line(
    event: str,
    change: Mapping[str, object],
    incident: Incident,
    workflow: Workflow,
    repository: str,
    title: str,
) -> str:
    head = f"Incident #{incident.number} in {repository}"
    severity = incident.severity(workflow)
    match event:
        case "declared":
            return (
                f"🚨 {head} declared: {title} · {_severity(workflow, severity.key if severity else None)}"
                f" · lead {_person(incident.lead)}"
            )
        case "lead_changed":
            return f"{head} ({title}): lead {_person(change.get('to'))}, was {_person(change.get('from'))}"
        case "acknowledged":
            return f"{head} ({title}): {_person(change.get('by'))} is on it"
        case "severity_changed":
            return (
                f"{head} ({title}): {_severity(workflow, change.get('to'))}, "
                f"was {_severity(workflow, change.get('from'))}"
            )
        case "escalated":
            lead = change.get("lead")
            who = f"{_person(lead)} has" if lead else "nobody has"
            to = _person(change.get("to"))
            return f"⏰ {head} ({title}) escalated to {to}: {who} not acknowledged in time"
        case "status_changed":
            return f"{head} ({title}): status {_status(workflow, change.get('to'))}"
        case "resolved":
            return (
                f"✅ {head} resolved: {title} · resolved after {_duration(change.get('to_resolve_seconds'))}"
                f" (acknowledged after {_duration(change.get('to_acknowledge_seconds'))}, "
                f"stabilized after {_duration(change.get('to_stabilize_seconds'))})"
            )
        case "retrospective":
            return f"{head} ({title}): the retrospective is posted; {_person(incident.lead)} hosts it"
    return f"{head} ({title}): {event}"
