"""Exactly one severity and one status label; the status moves only along the workflow's edges."""

from __future__ import annotations

from app.core.incident import Incident
from app.core.rules import gate
from app.core.rules.context import is_admin
from app.core.rules.plan import Plan
from app.core.timeline import status_history
from app.workflow.model import Status, Workflow


def _status_history(incident: Incident, workflow: Workflow) -> list[str]:
    changes = status_history(incident, workflow)
    return [label for _, label in changes]


def previous_status(incident: Incident, workflow: Workflow, label: str) -> Status | None:
    """The status the incident had before `label` was (last) added."""
    others = [s.label.name for s in incident.statuses(workflow) if s.label.name.lower() != label.lower()]
    if others:
        # Newest wins: the other label still on the issue is where it moved from.
        newest = incident.newest(others)
        return workflow.status_for_label(newest) if newest else None
    history = [x.lower() for x in _status_history(incident, workflow)]
    if label.lower() in history:
        index = len(history) - 1 - history[::-1].index(label.lower())
        return workflow.status_for_label(history[index - 1]) if index > 0 else None
    return workflow.status_for_label(history[-1]) if history else None


def transition_allowed(workflow: Workflow, old: Status | None, new: Status) -> bool:
    return old is None or old.key == new.key or new.key in workflow.transitions.get(old.key, ())


def allowed_next_text(workflow: Workflow, status: Status) -> str:
    allowed = workflow.allowed_next(status.key)
    if not allowed:
        return f"**{status.name}** has no next status."
    moves = ", ".join(f"**{s.name}** (`/status {s.key}`)" for s in allowed)
    return f"From **{status.name}** it can move to {moves}."


def transition_refusal(workflow: Workflow, old: Status | None, new: Status) -> str | None:
    if transition_allowed(workflow, old, new) or old is None:
        return None
    return f"The status cannot move from **{old.name}** to **{new.name}**. " + allowed_next_text(
        workflow, old
    )


def resolve_refusal(incident: Incident, workflow: Workflow, login: str, role_name: str | None) -> str | None:
    """Why `login` may not resolve (Wellcome Collection incident response process: the delivery manager
    declares it resolved)."""
    if login == incident.bot_login or is_admin(role_name):
        return None
    for role in workflow.roles:
        if not role.required_to_resolve:
            continue
        holder = incident.ledger.role_holder(role.key)
        if holder and holder.lower() == login.lower():
            continue
        who = f"@{holder}" if holder else f"nobody yet: assign one with `/role {role.key} @login`"
        return (
            f"Only the {role.name} ({who}) or an admin may resolve this incident. "
            f"Ask them to write `/resolve`."
        )
    return None


def settle_status(
    plan: Plan, workflow: Workflow, label: str | None, actor: str | None, role: str | None
) -> Plan:
    """One status label: `label` (the one just added) wins if the move is allowed, else undo it."""
    incident = plan.after
    present = [s.label.name for s in incident.statuses(workflow)]
    if not present:
        history = _status_history(incident, workflow)
        initial = workflow.status_by_key(workflow.initial_status).label.name
        return plan.add_label(history[-1] if history else initial)
    winner_label = label if label and incident.has_label(label) else incident.newest(present)
    winner = workflow.status_for_label(winner_label or "")
    if winner is None:
        return plan
    actor = actor or _who_added(incident, winner.label.name)
    if actor == incident.bot_login:
        return plan.swap_label(winner.label.name, tuple(present))
    old = previous_status(incident, workflow, winner.label.name)
    refusal = transition_refusal(workflow, old, winner)
    if refusal is None and actor and winner.resolved and (old is None or not old.resolved):
        refusal = resolve_refusal(incident, workflow, actor, role)
        if refusal is None and old is not None and (refusal := gate.holds(incident, workflow)):
            plan = gate.mark_held(plan, workflow)
    if refusal is None or old is None:
        return plan.swap_label(winner.label.name, tuple(present))
    undone = plan.swap_label(old.label.name, tuple(present))
    mention = f"@{actor} " if actor else ""
    return undone.reply(f"{mention}{refusal} I put the status back to **{old.name}**.")


def _who_added(incident: Incident, label: str) -> str:
    added = [e.actor for e in incident.events if e.kind == "labeled" and e.label == label]
    return added[-1] if added else ""


def settle_severity(plan: Plan, workflow: Workflow, label: str | None, fallback: str) -> Plan:
    """One severity label: the newest wins; none at all gets `fallback` (a Severity key)."""
    incident = plan.after
    present = [s.label.name for s in incident.severities(workflow)]
    if not present:
        return plan.add_label(workflow.severity_by_key(fallback).label.name)
    winner = label if label and incident.has_label(label) else incident.newest(present)
    return plan.swap_label(winner or present[0], tuple(present)) if len(present) > 1 else plan
