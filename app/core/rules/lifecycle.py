"""Close, reopen, resolve: the issue's open/closed state follows the status, and back.

With `resolve_on_close`, closing an incident resolves it (when the workflow
allows that move) and resolving closes it; reopening destabilizes it
(Openverse incident policy rollback edge). Resolving posts the close-out and retrospective
checklists once.
"""

from __future__ import annotations

from app.core import markers
from app.core.incident import Incident
from app.core.rules import followups, gate, retro
from app.core.rules.plan import Plan
from app.core.rules.status import resolve_refusal, transition_refusal
from app.core.texts import summary
from app.workflow.model import Workflow


def move_status(plan: Plan, workflow: Workflow, status_key: str) -> Plan:
    """Put the incident in this status: the new label first, then the old ones off."""
    present = tuple(s.label.name for s in plan.after.statuses(workflow))
    return plan.swap_label(workflow.status_by_key(status_key).label.name, present)


def close_refusal(incident: Incident, workflow: Workflow, actor: str, role: str | None) -> str | None:
    """Why closing this incident cannot resolve it, or None when it can."""
    status = incident.status(workflow)
    resolved = workflow.resolved_status
    if status is not None and not status.resolved:
        refusal = transition_refusal(workflow, status, resolved)
        if refusal:
            return f"{refusal} Move it on first, then close the issue."
    return resolve_refusal(incident, workflow, actor, role)


def on_closed(plan: Plan, workflow: Workflow, actor: str, role: str | None) -> Plan:
    incident = plan.after
    status = incident.status(workflow)
    if incident.is_open or not workflow.resolve_on_close or (status and status.resolved):
        return plan
    refusal = close_refusal(incident, workflow, actor, role)
    held = gate.holds(incident, workflow) if refusal is None else None
    if refusal is None and held is None:
        return move_status(plan, workflow, workflow.resolved_status.key)
    if held is not None:
        plan = gate.mark_held(plan, workflow)
    mention = f"@{actor} " if actor and actor != incident.bot_login else ""
    return plan.reopen().reply(f"{mention}I reopened this incident: {refusal or held}")


def on_reopened(plan: Plan, workflow: Workflow, actor: str) -> Plan:
    """A resolved incident reopened by a person is destabilized (Openverse incident policy)."""
    status = plan.after.status(workflow)
    if not plan.after.is_open or actor == plan.after.bot_login or not (status and status.resolved):
        return plan
    return move_status(plan, workflow, workflow.reopen_status)


def align_state(plan: Plan, workflow: Workflow) -> Plan:
    """Resolved means closed and the other way round (when the workflow ties them)."""
    status = plan.after.status(workflow)
    if not workflow.resolve_on_close or status is None:
        return plan
    if status.resolved and plan.after.is_open:
        return plan.close()
    if not status.resolved and not plan.after.is_open:
        return plan.reopen()
    return plan


def after_resolve(plan: Plan, workflow: Workflow) -> Plan:
    """Once resolved: the close-out checklist once, the retrospective, the discussion follow-up."""
    status = plan.after.status(workflow)
    if status is None or not status.resolved:
        return plan
    plan = plan.reply(summary.closeout(plan.after, workflow), kind=markers.CLOSEOUT)
    plan = retro.post(plan, workflow)
    return followups.on_resolve(plan, workflow)
