"""Close, reopen, resolve: the issue's open/closed state follows the status, and back.

With `resolve_on_close`, closing an incident resolves it (when the workflow
allows that move) and resolving closes it; reopening destabilizes it
(seed 001's rollback edge). Resolving posts the close-out and retrospective
checklists once.
"""

from __future__ import annotations

from app import summary
from app.incident import Incident
from app.rules.plan import Plan
from app.rules.status import resolve_refusal, transition_refusal
from app.workflow.model import Workflow


def move_status(plan: Plan, workflow: Workflow, status_key: str) -> Plan:
    """Put the incident in this status: the new label first, then the old ones off."""
    present = tuple(s.label.name for s in plan.after.statuses(workflow))
    return plan.swap_label(workflow.status_by_key(status_key).label.name, present)


def _open_critical(incident: Incident, workflow: Workflow) -> list[int]:
    critical = workflow.followups.critical_label.name
    return [
        s.number
        for s in incident.sub_issues
        if s.state == "open" and any(x.lower() == critical.lower() for x in s.labels)
    ]


def close_refusal(incident: Incident, workflow: Workflow, actor: str, role: str | None) -> str | None:
    """Why closing this incident cannot resolve it, or None when it can."""
    status = incident.status(workflow)
    resolved = workflow.resolved_status
    if status is not None and not status.resolved:
        refusal = transition_refusal(workflow, status, resolved)
        if refusal:
            return f"{refusal} Move it on first, then close the issue."
    blocking = _open_critical(incident, workflow) if workflow.followups.block_close_on_open_critical else []
    if blocking:
        listed = ", ".join(f"#{n}" for n in blocking)
        return f"Critical follow-ups are still open: {listed}. Close them first."
    return resolve_refusal(incident, workflow, actor, role)


def on_closed(plan: Plan, workflow: Workflow, actor: str, role: str | None) -> Plan:
    incident = plan.after
    status = incident.status(workflow)
    if incident.is_open or not workflow.resolve_on_close or (status and status.resolved):
        return plan
    refusal = close_refusal(incident, workflow, actor, role)
    if refusal is None:
        return move_status(plan, workflow, workflow.resolved_status.key)
    mention = f"@{actor} " if actor and actor != incident.bot_login else ""
    return plan.reopen().reply(f"{mention}I reopened this incident: {refusal}")


def on_reopened(plan: Plan, workflow: Workflow, actor: str) -> Plan:
    """A resolved incident reopened by a person is destabilized (seed 001)."""
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
    """The close-out and retrospective checklists, once, when the incident is resolved."""
    status = plan.after.status(workflow)
    if status is None or not status.resolved:
        return plan
    plan = plan.reply(summary.closeout(plan.after, workflow), kind="closeout")
    return plan.reply(summary.retro(plan.after, workflow), kind="retro")
