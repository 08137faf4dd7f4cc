"""What the periodic sweep asks of a quiet incident: an update reminder, an escalation.

Both are pings, so each is a new comment (a new comment only where a
human must be notified), and each is sent at most once: its key goes into the
ledger and the comment carries the same key as its marker, so a second sweep,
or a sweep after a lost summary edit, finds it done either way.

They apply only while the service is disrupted (open, not yet stabilized):
the cadence and the acknowledgement deadline are about the outage (Sourcegraph incidents,
003); an incident stabilized and never resolved is the hygiene reminders' job.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from app.core import markers, timeline
from app.core.durations import format_duration
from app.core.incident import Incident
from app.core.lead import next_escalation
from app.core.ledger import Escalation, Ledger
from app.core.rules.context import Context
from app.core.rules.plan import Plan
from app.core.texts import summary
from app.workflow.model import Severity, Workflow

UPDATE_REMINDER = markers.UPDATE_REMINDER


def on_sweep(plan: Plan, workflow: Workflow, ctx: Context) -> Plan:
    """Escalate an unacknowledged incident, remind a lead who owes an update."""
    incident = plan.after
    severity = incident.severity(workflow)
    if severity is None or not _disrupted(incident, workflow):
        return plan
    plan = escalate(plan, workflow, severity, ctx)
    return remind_update(plan, workflow, severity)


def _disrupted(incident: Incident, workflow: Workflow) -> bool:
    status = incident.status(workflow)
    return (
        incident.is_open
        and incident.is_incident(workflow)
        and status is not None
        and not (status.stabilized or status.resolved)
    )


# --- the update cadence -----------------------------------------------------------------


def cadence_start(incident: Incident, workflow: Workflow) -> dt.datetime:
    """When the update clock last started: the latest /update, else the declaration."""
    _, declared_at = timeline.declared(incident, workflow)
    return max([declared_at, *(u.at for u in incident.ledger.updates)])


def missed_windows(start: dt.datetime, every: dt.timedelta, now: dt.datetime) -> int:
    """How many whole cadence windows passed since `start` with no update (0: not late)."""
    if every <= dt.timedelta(0) or now <= start:
        return 0
    return (now - start) // every


def update_reminder_key(start: dt.datetime, window: int) -> str:
    """One key per missed window after one start: a new /update starts new keys."""
    return f"{UPDATE_REMINDER}:{int(start.timestamp())}:{window}"


def remind_update(plan: Plan, workflow: Workflow, severity: Severity) -> Plan:
    incident = plan.after
    start = cadence_start(incident, workflow)
    window = missed_windows(start, severity.update_every, plan.now)
    key = update_reminder_key(start, window)
    if window == 0 or key in incident.ledger.sent or incident.has_bot_comment(key):
        return plan
    plan = plan.with_ledger(_with_reminder(incident.ledger, key))
    return plan.reply(_update_text(incident, severity, plan.now - start, key), kind=key)


def _with_reminder(ledger: Ledger, key: str) -> Ledger:
    """Record `key`; keys of an older cadence start can never be due again, so drop them."""
    prefix = key.rsplit(":", 1)[0] + ":"
    kept = tuple(k for k in ledger.sent if not k.startswith(UPDATE_REMINDER) or k.startswith(prefix))
    return replace(ledger, sent=(*kept, key))


def _update_text(incident: Incident, severity: Severity, quiet: dt.timedelta, key: str) -> str:
    who = f"@{incident.lead}" if incident.lead else "Whoever leads this incident:"
    return (
        f"{markers.tag(key)}\n⏰ {who} no update for {format_duration(quiet)}: severity {severity.key} "
        f"asks for one at least every {format_duration(severity.update_every)}. "
        "Write `/update TEXT` with what changed and what you try next."
    )


# --- acknowledgement and escalation -----------------------------------------------------


def lead_since(incident: Incident, workflow: Workflow) -> dt.datetime:
    """When the current lead took over: their latest assignment or hand-off, else the declaration."""
    _, declared_at = timeline.declared(incident, workflow)
    lead = (incident.lead or "").lower()
    times = [declared_at]
    times += [e.at for e in incident.events if e.kind == "assigned" and (e.assignee or "").lower() == lead]
    times += [h.at for h in incident.ledger.handoffs if h.to_login.lower() == lead]
    return max(times)


def escalation_due(incident: Incident, workflow: Workflow, severity: Severity) -> dt.datetime:
    """One deadline after the lead took over, then one deadline after each ping: whoever was
    pinged gets as long to answer as the lead had (and a late sweep does not ping a crowd)."""
    since = lead_since(incident, workflow)
    pinged = [e.at for e in incident.ledger.escalations if e.at >= since]
    return max([since, *pinged]) + severity.ack_within


def escalation_key(login: str) -> str:
    return markers.escalation(login)


def escalate(plan: Plan, workflow: Workflow, severity: Severity, ctx: Context) -> Plan:
    """Ping the next person (rotation, then escalation list) when the lead has not acknowledged."""
    incident = plan.after
    if summary.lead_acknowledged(incident) or plan.now < escalation_due(incident, workflow, severity):
        return plan
    already = tuple(e.to for e in incident.ledger.escalations)
    target = next_escalation(
        workflow.lead, incident.lead, plan.now, already_pinged=already, team_members=ctx.team_members
    )
    if target is None or incident.has_bot_comment(escalation_key(target)):
        return plan
    ledger = incident.ledger
    record = Escalation(target, incident.lead, plan.now)
    plan = plan.with_ledger(replace(ledger, escalations=(*ledger.escalations, record)))
    return plan.reply(_escalation_text(incident, severity, target), kind=escalation_key(target))


def _escalation_text(incident: Incident, severity: Severity, target: str) -> str:
    lead = f"@{incident.lead} has" if incident.lead else "nobody has"
    return (
        f"{markers.tag(escalation_key(target))}\n🚨 @{target}: {lead} not acknowledged this severity "
        f"{severity.key} incident within {format_duration(severity.ack_within)}. Can you take it? "
        f"Write `/lead @{target}` and `/ack`."
    )
