"""`/lead @login`: whoever is handed the lead hears it at once, with what to do first (Wellcome Collection
incident response process).

Read from the plan rather than from the command: a hand-off this comment added
to the ledger is the one to announce, whichever command (`/lead`, `/ack` with
nobody leading) made it. Taking the lead yourself needs no ping.
"""

from __future__ import annotations

from app.core import markers
from app.core.durations import format_duration
from app.core.ledger import Handoff
from app.core.rules.plan import Plan
from app.workflow.model import Workflow


def handoff_kind(comment_id: int) -> str:
    return markers.handoff(comment_id)


def ping_new_lead(plan: Plan, workflow: Workflow, comment_id: int) -> Plan:
    new = [h for h in plan.after.ledger.handoffs if h not in plan.before.ledger.handoffs]
    handoff = next((h for h in new if h.comment_id == comment_id), None)
    if handoff is None or handoff.to_login.lower() == handoff.by.lower():
        return plan
    kind = handoff_kind(comment_id)
    return plan.reply(f"{markers.tag(kind)}\n{_text(plan, workflow, handoff)}", kind=kind)


def _text(plan: Plan, workflow: Workflow, handoff: Handoff) -> str:
    severity = plan.after.severity(workflow)
    cadence = (
        f" and post `/update TEXT` at least every {format_duration(severity.update_every)}"
        f" (severity {severity.key})"
        if severity
        else ""
    )
    return (
        f"@{handoff.to_login} you now lead this incident (hand-off from @{handoff.by}). "
        f"First write `/ack` when you are on it{cadence}. The summary lists the next steps."
    )
