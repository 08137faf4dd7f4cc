"""Which notifications outside GitHub are due: a pure function of the incident and its ledger.

The ledger's `notified` record holds what was last told (severity, status, lead, whether
the lead is on it, escalations so far, the retrospective, where the PagerDuty alert
stands). Comparing the incident as it will be after this pass with that record gives the
changes to announce; recording them moves the record on, in the same summary edit the
pass makes anyway. So a redelivered webhook, the sweep, or a second replica reading the
ledger afterwards finds nothing due, and no notification is sent twice.

Each due notification is numbered per incident and recorded with the id of the process
that recorded it (`NotifyContext.claimant`). Two replicas handling the same change at the
same moment both write the summary; GitHub keeps the last write, and the notifier sends
only what the ledger on GitHub says it recorded (`claimed`), so one of them sends.

A ledger written before notifications existed (or while none was configured) has no
record: the first pass takes the incident's state as the starting point and sends
nothing for its past.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from app.core import timeline
from app.core.actions import Notify
from app.core.incident import Incident
from app.core.ledger import NOTIFIED_MAX, Ledger, Notified, Recorded
from app.core.texts import notifications as texts
from app.core.texts.summary import lead_acknowledged
from app.workflow.forms import form_facts
from app.workflow.model import Workflow

CHANNELS = ("page", "chat", "webhook")  # the config's names: PagerDuty, chat webhook, signed webhook
PAGE_SEVERITIES = ("critical", "error", "warning")  # by rank: most severe first; the rest warning


@dataclass(frozen=True)
class NotifyContext:
    """What the rules need to know of the server's notifier (plain data)."""

    channels: frozenset[str] = frozenset()  # of CHANNELS: the ones this server can send to
    claimant: str = ""  # this process's id, recorded with each notification it records


def state(incident: Incident, workflow: Workflow, retro_posted: bool) -> Notified:
    """The incident's state as notifications see it (no page state, nothing recorded)."""
    severity = incident.severity(workflow)
    status = incident.status(workflow)
    return Notified(
        severity=severity.key if severity else None,
        status=status.key if status else None,
        lead=incident.lead,
        acknowledged=lead_acknowledged(incident),
        escalated_at=incident.ledger.escalations[-1].at if incident.ledger.escalations else None,
        retrospective=retro_posted,
    )


Change = tuple[str, dict[str, object]]  # (event, what changed)


def _changes(previous: Notified | None, now: Notified, ledger: Ledger) -> list[Change]:
    """(event, what changed), in NOTIFY_EVENTS order."""
    events: list[Change] = []
    if previous is None:
        events.append(("declared", {}))
        if now.retrospective:
            events.append(("retrospective", {}))
        return events
    if now.lead != previous.lead:
        events.append(("lead_changed", {"from": previous.lead, "to": now.lead}))
    if now.acknowledged and not (previous.acknowledged and now.lead == previous.lead):
        events.append(("acknowledged", {"by": now.lead}))
    if now.severity is not None and now.severity != previous.severity:
        events.append(("severity_changed", {"from": previous.severity, "to": now.severity}))
    # By time, not by count: the ledger keeps only the newest escalations (ENTRIES_MAX).
    since = previous.escalated_at
    for escalation in (e for e in ledger.escalations if since is None or e.at > since):
        events.append(("escalated", {"to": escalation.to, "lead": escalation.lead}))
    if now.status is not None and now.status != previous.status:
        events.append(("status_changed", {"from": previous.status, "to": now.status}))
    if now.retrospective and not previous.retrospective:
        events.append(("retrospective", {}))
    return events


def _page_action(event: str, paging: bool, resolved: bool, page: str) -> str | None:
    """PagerDuty's event_action for this change, if any (the alert's dedup_key is the issue)."""
    if not paging:
        return None
    if event == "declared" and not resolved:
        return "trigger"
    if event in ("severity_changed", "status_changed") and not resolved and page in ("", "resolved"):
        return "trigger"  # raised into a paging severity, or back from resolved
    if event == "escalated" and page != "acknowledged":
        return "trigger"  # the same alert again: its log shows the escalation
    if event == "acknowledged" and page == "triggered":
        return "acknowledge"
    if event == "resolved" and page in ("triggered", "acknowledged"):
        return "resolve"
    return None


_PAGE_STATE = {"trigger": "triggered", "acknowledge": "acknowledged", "resolve": "resolved"}


def due(
    previous: Notified | None,
    incident: Incident,
    workflow: Workflow,
    now: dt.datetime,
    ctx: NotifyContext,
    *,
    recorded_before: bool,
    retro_posted: bool,
) -> tuple[Notified, list[Notify]]:
    """The notified record after this pass, and the notifications it newly records.

    `incident` is the incident as it will be once the pass's writes are done;
    `recorded_before`: its summary existed before this pass (it is not being declared now).
    """
    current = state(incident, workflow, retro_posted)
    if previous is None and recorded_before:
        return current, []  # the starting point: nothing is sent for the past
    severity = incident.severity(workflow)
    status = incident.status(workflow)
    resolved = status is not None and status.resolved
    paging = "page" in ctx.channels and severity is not None and severity.key in workflow.notifications.page
    events = _changes(previous, current, incident.ledger)
    if previous is not None and resolved and current.status != previous.status:
        at = events.index(next(e for e in events if e[0] == "status_changed")) + 1
        events.insert(at, ("resolved", _durations(incident, workflow)))
    page = previous.page if previous else ""
    count = previous.count if previous else 0
    recorded = list(previous.recorded) if previous else []
    notices: list[Notify] = []
    policy = workflow.notifications
    for event, change in events:
        action = _page_action(event, paging, resolved, page)
        chat = "chat" in ctx.channels and event in policy.chat
        hook = "webhook" in ctx.channels and event in policy.webhook
        if action is not None:
            page = _PAGE_STATE[action]
        if action is None and not chat and not hook:
            continue
        count += 1
        recorded.append(Recorded(count, event, ctx.claimant))
        notices.append(_notice(count, event, change, incident, workflow, now, action, chat, hook))
    record = replace(current, page=page, count=count, recorded=tuple(recorded[-NOTIFIED_MAX:]))
    return record, notices


def _durations(incident: Incident, workflow: Workflow) -> dict[str, object]:
    line = timeline.build(incident, workflow)

    def seconds(delta: dt.timedelta | None) -> int | None:
        return None if delta is None else int(delta.total_seconds())

    return {
        "to_acknowledge_seconds": seconds(line.time_to_acknowledge),
        "to_stabilize_seconds": seconds(line.time_to_stabilize),
        "to_resolve_seconds": seconds(line.time_to_resolve),
    }


def repository_of(incident: Incident) -> str:
    """ "owner/repo" from the repository's page (github.com or GitHub Enterprise Server)."""
    parts = incident.repo_url.rstrip("/").split("/")
    return "/".join(parts[-2:]) if len(parts) >= 2 else incident.repo_url


def page_severity(incident: Incident, workflow: Workflow) -> str:
    """Severity 1 → critical, 2 → error, 3 and below → warning (by rank in the workflow)."""
    severity = incident.severity(workflow)
    if severity is None:
        return "error"
    rank = [s.key for s in workflow.severities].index(severity.key)
    return PAGE_SEVERITIES[min(rank, len(PAGE_SEVERITIES) - 1)]


def _notice(
    seq: int,
    event: str,
    change: dict[str, object],
    incident: Incident,
    workflow: Workflow,
    now: dt.datetime,
    page: str | None,
    chat: bool,
    hook: bool,
) -> Notify:
    repository = repository_of(incident)
    notice = Notify(
        seq=seq,
        event=event,
        at=now,
        repository=repository,
        number=incident.number,
        url=f"{incident.repo_url}/issues/{incident.number}",
        security=True,
        title=texts.security_name(incident, workflow, repository),
        text=texts.security_name(incident, workflow, repository),
        page_severity=page_severity(incident, workflow),
        page=page,
        chat=chat,
        webhook=hook,
    )
    if is_security(incident, workflow):
        # Security incidents: only "Security incident #N in OWNER/REPO" and the link. No
        # title, no state, no names: not even which severity or who leads.
        return notice
    severity = incident.severity(workflow)
    status = incident.status(workflow)
    title = texts.bounded_title(incident.title)
    return replace(
        notice,
        security=False,
        title=title,
        text=texts.line(event, change, incident, workflow, repository, title),
        severity=(severity.key, severity.name) if severity else None,
        status=(status.key, status.name) if status else None,
        lead=incident.lead,
        change=change,
    )


def is_security(incident: Incident, workflow: Workflow) -> bool:
    """By label, or by the form's box: safe even before the bot has added the label."""
    return incident.is_security(workflow) or form_facts(incident.body, workflow).security


def claimed(ledger: Ledger, claimant: str) -> frozenset[int]:
    """The notifications this ledger says `claimant` recorded: the ones it may send."""
    if ledger.notified is None:
        return frozenset()
    return frozenset(r.seq for r in ledger.notified.recorded if r.by == claimant)
