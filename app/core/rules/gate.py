"""No loose ends: an incident is not resolved while its critical follow-ups are open.

Only when the workflow says so (`followups.block_close_on_open_critical`). A
`/resolve` is refused with the list and the way past it (`/resolve --force`, by
someone with maintain or admin permission). Closing the issue or adding the
resolved label are undone, but only once for the same open follow-ups (a key in
the ledger's `sent`): whoever does it again means it, and the bot does not
fight people over the state of an issue.
"""

from __future__ import annotations

from dataclasses import replace

from app.core.incident import Incident
from app.core.rules.plan import Plan
from app.workflow.model import Workflow

FORCE_ROLES = frozenset({"maintain", "admin"})


def open_critical(incident: Incident, workflow: Workflow) -> list[int]:
    """Numbers of the open critical follow-ups that hold the incident, when the workflow asks."""
    if not workflow.followups.block_close_on_open_critical:
        return []
    critical = workflow.followups.critical_label.name.lower()
    return [
        s.number
        for s in incident.sub_issues
        if s.state == "open" and any(x.lower() == critical for x in s.labels)
    ]


def _listed(numbers: list[int]) -> str:
    return ", ".join(f"#{n}" for n in numbers)


def how_to_override() -> str:
    return "Close them first, or someone with maintain or admin permission writes `/resolve --force`."


def command_refusal(incident: Incident, workflow: Workflow, force: bool, role_name: str | None) -> str | None:
    """Why `/resolve` (with or without --force) may not resolve now, or None."""
    blocking = open_critical(incident, workflow)
    if not blocking:
        return None
    if force and (role_name or "").lower() in FORCE_ROLES:
        return None
    if force:
        return (
            f"Critical follow-ups are still open ({_listed(blocking)}) and only someone with "
            "maintain or admin permission may resolve past them with `/resolve --force`."
        )
    return f"Critical follow-ups are still open: {_listed(blocking)}. {how_to_override()}"


def _key(blocking: list[int]) -> str:
    return "close-gate-" + "-".join(str(n) for n in sorted(blocking))


def holds(incident: Incident, workflow: Workflow) -> str | None:
    """The refusal for a close or a resolved label, the first time these follow-ups block it."""
    blocking = open_critical(incident, workflow)
    if not blocking or _key(blocking) in incident.ledger.sent:
        return None
    return (
        f"Critical follow-ups are still open: {_listed(blocking)}. {how_to_override()} "
        "(Close it again and I will resolve it as it is.)"
    )


def mark_held(plan: Plan, workflow: Workflow) -> Plan:
    """Remember that the gate held for these follow-ups, so it holds only once."""
    key = _key(open_critical(plan.after, workflow))
    ledger = plan.after.ledger
    if key in ledger.sent:
        return plan
    return plan.with_ledger(replace(ledger, sent=(*ledger.sent, key)))
