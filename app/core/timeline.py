"""The incident's timeline, rebuilt from its own history (events, sub-issues, ledger).

Because it only reads the issue, it comes out the same after a restart, on any
replica. Times are UTC. Durations count from the declaration.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from app.core import markers
from app.core.commands import grammar
from app.core.incident import Incident, IssueEvent
from app.workflow.model import Workflow


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    what: str  # one line of markdown, no title or body text of the issue
    by: str = ""  # the person behind it ("" when it was the bot or unknown)


@dataclass(frozen=True)
class Timeline:
    entries: tuple[Entry, ...]
    declared_at: dt.datetime
    declared_by: str
    acknowledged_at: dt.datetime | None
    stabilized_at: dt.datetime | None
    resolved_at: dt.datetime | None

    def _since_declared(self, at: dt.datetime | None) -> dt.timedelta | None:
        return None if at is None else max(at - self.declared_at, dt.timedelta(0))

    @property
    def time_to_acknowledge(self) -> dt.timedelta | None:
        return self._since_declared(self.acknowledged_at)

    @property
    def time_to_stabilize(self) -> dt.timedelta | None:
        return self._since_declared(self.stabilized_at)

    @property
    def time_to_resolve(self) -> dt.timedelta | None:
        return self._since_declared(self.resolved_at)


def declared(incident: Incident, workflow: Workflow) -> tuple[str, dt.datetime]:
    """Who declared the incident and when: the ledger, else the incident label's event."""
    ledger = incident.ledger
    if ledger.declared_by and ledger.declared_at:
        return ledger.declared_by, ledger.declared_at
    event = incident.first_labeled(workflow.incident_label.name)
    if event is not None and event.actor != incident.bot_login:
        return event.actor, event.at
    return incident.author, event.at if event else incident.created_at


def effective_changes(
    events: tuple[IssueEvent, ...], is_kind: Callable[[str], bool], bot_login: str
) -> list[tuple[IssueEvent, str]]:
    """When the effective label of one kind (the newest present) changed, and to what.

    A label the bot took away while it was the effective one was a refused change
    (a forbidden transition, undone): it never happened as far as the timeline goes.
    """
    present: list[str] = []
    changes: list[tuple[IssueEvent, str]] = []
    for event in events:
        label = event.label
        if label is None or not is_kind(label):
            continue
        if event.kind == "labeled":
            present = [p for p in present if p != label] + [label]
            if not changes or changes[-1][1] != label:
                changes.append((event, label))
        elif event.kind == "unlabeled" and label in present:
            was_effective = present[-1] == label
            present.remove(label)
            if was_effective and event.actor == bot_login and changes and changes[-1][1] == label:
                changes.pop()
            elif was_effective and present and changes and changes[-1][1] != present[-1]:
                changes.append((event, present[-1]))
    return changes


def status_history(incident: Incident, workflow: Workflow) -> list[tuple[IssueEvent, str]]:
    """Each change of the effective status label, oldest first: the one reading of it."""
    return effective_changes(
        incident.events, lambda n: workflow.status_for_label(n) is not None, incident.bot_login
    )


def severity_history(incident: Incident, workflow: Workflow) -> list[tuple[IssueEvent, str]]:
    """Each change of the effective severity label, oldest first."""
    return effective_changes(
        incident.events, lambda n: workflow.severity_for_label(n) is not None, incident.bot_login
    )


def _label_entries(incident: Incident, workflow: Workflow) -> list[Entry]:
    entries: list[Entry] = []
    for event, label in severity_history(incident, workflow):
        severity = workflow.severity_for_label(label)
        if severity is not None:
            what = f"Severity {severity.key} ({severity.name})"
            entries.append(Entry(event.at, what, _who(incident, event, SEVERITY_VERBS)))
    for event, label in status_history(incident, workflow):
        status = workflow.status_for_label(label)
        if status is not None:
            entries.append(Entry(event.at, f"Status: {status.name}", _who(incident, event, STATUS_VERBS)))
    return entries


# Commands whose effect is a severity or status label the bot adds on someone's behalf,
# recognised by the command grammar (aliases included: /sev, /resolved).
SEVERITY_VERBS = frozenset({"severity"})
STATUS_VERBS = frozenset({"status", "resolve"})
ASKED_WITHIN = dt.timedelta(minutes=10)


def _who(incident: Incident, event: IssueEvent, commands: frozenset[str]) -> str:
    """Who made a label change: the person, or for the bot's change the person whose command asked for it.

    The bot applies commands within seconds; the newest such command it accepted,
    written shortly before the change, is the one it carried out.
    """
    if event.actor != incident.bot_login:
        return event.actor
    asked = [
        c
        for c in incident.comments
        if c.author != incident.bot_login
        and event.at - ASKED_WITHIN <= c.created_at <= event.at
        and commands & grammar.verbs(c.body)
        and incident.ledger.has_processed(c.id)
        and not incident.has_bot_comment(markers.reply(c.id))  # refused: it changed nothing
    ]
    return asked[-1].author if asked else ""


def _person(actor: str, bot_login: str) -> str:
    return "" if actor == bot_login else actor


def _lead_entries(incident: Incident) -> list[Entry]:
    ledger = incident.ledger
    handed_to = {h.to_login.lower() for h in ledger.handoffs}
    entries = [Entry(h.at, _handoff_text(h.from_login, h.to_login), h.by) for h in ledger.handoffs]
    for event in incident.events:
        if event.kind != "assigned" or not event.assignee:
            continue
        by_bot = event.actor == incident.bot_login
        if by_bot and event.assignee.lower() in handed_to:
            continue  # the hand-off entry says it better
        entries.append(
            Entry(event.at, f"@{event.assignee} is the lead", _person(event.actor, incident.bot_login))
        )
    return entries


def _handoff_text(from_login: str | None, to_login: str) -> str:
    if from_login and from_login.lower() != to_login.lower():
        return f"Hand-off from @{from_login} to @{to_login}"
    return f"Lead handed over to @{to_login}"


def _ledger_entries(incident: Incident, workflow: Workflow) -> list[Entry]:
    ledger = incident.ledger
    entries = [Entry(a.at, "Acknowledged", a.by) for a in ledger.acks]
    entries += [Entry(u.at, f"Update: {u.text}" if u.text else "Update", u.by) for u in ledger.updates]
    entries += [Entry(e.at, f"Escalated to @{e.to}: not acknowledged in time") for e in ledger.escalations]
    for assignment in ledger.roles:
        role = workflow.role(assignment.role)
        name = role.name if role else assignment.role
        entries.append(Entry(assignment.at, f"{name}: @{assignment.login}", assignment.by))
    return entries


def _issue_entries(incident: Incident) -> list[Entry]:
    entries = [Entry(s.created_at, f"Follow-up #{s.number} opened", "") for s in incident.sub_issues]
    entries += [
        Entry(s.closed_at, f"Follow-up #{s.number} closed", "")
        for s in incident.sub_issues
        if s.closed_at is not None and s.state == "closed"
    ]
    for event in incident.events:
        if event.kind in ("closed", "reopened"):
            what = "Issue closed" if event.kind == "closed" else "Issue reopened"
            entries.append(Entry(event.at, what, _person(event.actor, incident.bot_login)))
    return entries


def _first_status_time(
    incident: Incident, workflow: Workflow, wanted: Callable[[str], bool]
) -> dt.datetime | None:
    return next((event.at for event, label in status_history(incident, workflow) if wanted(label)), None)


def build(incident: Incident, workflow: Workflow) -> Timeline:
    by, at = declared(incident, workflow)

    def stabilized(label: str) -> bool:
        status = workflow.status_for_label(label)
        return status is not None and (status.stabilized or status.resolved)

    def resolved(label: str) -> bool:
        status = workflow.status_for_label(label)
        return status is not None and status.resolved

    entries = [
        Entry(at, "Declared", by),
        *_label_entries(incident, workflow),
        *_lead_entries(incident),
        *_ledger_entries(incident, workflow),
        *_issue_entries(incident),
    ]
    acks = incident.ledger.acks
    return Timeline(
        entries=tuple(sorted(entries, key=lambda e: e.at)),
        declared_at=at,
        declared_by=by,
        acknowledged_at=acks[0].at if acks else None,
        stabilized_at=_first_status_time(incident, workflow, stabilized),
        resolved_at=_first_status_time(incident, workflow, resolved),
    )
