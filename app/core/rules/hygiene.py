"""Hygiene reminders on the sweep: loose ends after the outage is over.

- the retrospective checklist untouched `retro_after` after the incident was
  resolved: one reminder per resolve;
- follow-ups untouched `followup_stale_after`: one reminder per period;
- stabilized but not resolved for `stabilized_stale_after`: one per period.

Each reminder is a new comment that pings the lead (a human must act), keyed
``NAME:EPOCH`` by when it was sent. The key goes into the ledger's ``sent`` and
is the comment's marker, so a repeated sweep finds it done; only the newest key
of each name is kept, and the next one is due a whole period after it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from app.core import markers
from app.core.durations import format_duration
from app.core.incident import Incident, SubIssue
from app.core.ledger import Ledger
from app.core.rules.plan import Plan
from app.core.texts import retrospective
from app.core.timeline import status_history
from app.workflow.model import Workflow

RETRO_REMINDER = "retro-reminder"
STALE_FOLLOWUPS = "stale-followups"
STABILIZED_STALE = "stabilized-stale"


def on_sweep(plan: Plan, workflow: Workflow) -> Plan:
    plan = remind_retro(plan, workflow)
    plan = remind_stale_followups(plan, workflow)
    return remind_stabilized(plan, workflow)


# --- when things happened ---------------------------------------------------------------


def status_since(incident: Incident, workflow: Workflow, settled: bool) -> dt.datetime | None:
    """When the incident last entered its current stretch of (un)resolved or stabilized status.

    `settled=False`: when it was last resolved; `settled=True`: when it last became
    stabilized (a relapse to pending and back starts a new stretch).
    """
    changes = status_history(incident, workflow)
    since: dt.datetime | None = None
    for event, label in changes:
        status = workflow.status_for_label(label)
        inside = status is not None and (status.stabilized if settled else status.resolved)
        if not inside:
            since = None
        elif since is None:
            since = event.at
    return since


def last_sent(ledger: Ledger, name: str) -> dt.datetime | None:
    times = [int(k.split(":", 1)[1]) for k in ledger.sent if k.startswith(f"{name}:")]
    return dt.datetime.fromtimestamp(max(times), dt.UTC) if times else None


def _recently(ledger: Ledger, name: str, since: dt.datetime, period: dt.timedelta, now: dt.datetime) -> bool:
    """Whether a reminder of this name went out in this stretch (after `since`) within a period."""
    last = last_sent(ledger, name)
    return last is not None and last >= since and now - last < period


def _remind(plan: Plan, name: str, text: str) -> Plan:
    key = f"{name}:{int(plan.now.timestamp())}"
    ledger = plan.after.ledger
    kept = tuple(k for k in ledger.sent if not k.startswith(f"{name}:"))
    plan = plan.with_ledger(replace(ledger, sent=(*kept, key)))
    return plan.reply(f"{markers.tag(key)}\n{text}", kind=key)


def _lead(incident: Incident) -> str:
    return f"@{incident.lead}" if incident.lead else "Whoever leads this incident:"


# --- the reminders ----------------------------------------------------------------------


def remind_retro(plan: Plan, workflow: Workflow) -> Plan:
    incident = plan.after
    status = incident.status(workflow)
    resolved_at = status_since(incident, workflow, settled=False)
    retro = incident.bot_comment(retrospective.RETRO)
    if status is None or not status.resolved or resolved_at is None or retro is None:
        return plan
    if retrospective.ticked(retro.body):
        return plan
    last = last_sent(incident.ledger, RETRO_REMINDER)
    if (last is not None and last >= resolved_at) or plan.now - resolved_at < workflow.reminders.retro_after:
        return plan  # once per resolve
    text = (
        f"📝 {_lead(incident)} this incident was resolved {format_duration(plan.now - resolved_at)} "
        "ago and its retrospective checklist is untouched. Please hold the retrospective soon, "
        "while memories are fresh, and tick its boxes as you go."
    )
    return _remind(plan, RETRO_REMINDER, text)


def stale_followups(incident: Incident, period: dt.timedelta, now: dt.datetime) -> list[SubIssue]:
    return [
        s for s in incident.sub_issues if s.state == "open" and now - (s.updated_at or s.created_at) >= period
    ]


def remind_stale_followups(plan: Plan, workflow: Workflow) -> Plan:
    incident = plan.after
    period = workflow.reminders.followup_stale_after
    stale = stale_followups(incident, period, plan.now)
    if not stale:
        return plan
    became_stale = min(s.updated_at or s.created_at for s in stale) + period
    if _recently(incident.ledger, STALE_FOLLOWUPS, became_stale, period, plan.now):
        return plan
    listed = ", ".join(f"#{s.number}" for s in stale)
    text = (
        f"🧹 {_lead(incident)} these follow-ups have not moved for {format_duration(period)} or "
        f"more: {listed}. Close the ones that are done; for the others, say what blocks them or "
        "who takes them on."
    )
    return _remind(plan, STALE_FOLLOWUPS, text)


def remind_stabilized(plan: Plan, workflow: Workflow) -> Plan:
    incident = plan.after
    status = incident.status(workflow)
    since = status_since(incident, workflow, settled=True)
    period = workflow.reminders.stabilized_stale_after
    if status is None or status.resolved or since is None or plan.now - since < period:
        return plan
    if _recently(incident.ledger, STABILIZED_STALE, since, period, plan.now):
        return plan
    text = (
        f"🕰️ {_lead(incident)} this incident has been stabilized for "
        f"{format_duration(plan.now - since)} but is not resolved. Once the lasting fixes are "
        "tracked as follow-ups, write `/resolve`; if the investigation goes on, post an `/update`."
    )
    return _remind(plan, STABILIZED_STALE, text)
