"""Announce: the last rule of a pass records the notifications due and asks for them.

Whatever the trigger (a webhook, its redelivery, the sweep), the incident as the pass
leaves it is compared with what was last told outside GitHub (app.core.notifications).
The record goes into the ledger, so the summary edit this pass makes anyway carries it;
the `Notify` actions go to the notifier, never to GitHub.
"""

from __future__ import annotations

from dataclasses import replace

from app.core import notifications
from app.core.actions import Reply, UpsertComment
from app.core.rules.context import Context
from app.core.rules.plan import Plan
from app.core.rules.record import is_recorded
from app.core.texts.retrospective import RETRO
from app.workflow.model import Workflow


def announce(plan: Plan, workflow: Workflow, ctx: Context) -> Plan:
    if not ctx.notify.channels or not plan.after.is_incident(workflow):
        return plan  # nothing configured: the ledger stays as it was, nothing is recorded
    if not plan.after.ledger.confirmed:
        # A report from someone without triage permission: nobody is paged and nothing
        # leaves GitHub on an outsider's word. Confirming it announces it as declared.
        return plan
    retro = plan.before.has_bot_comment(RETRO) or any(
        isinstance(a, UpsertComment | Reply) and a.kind == RETRO for a in plan.actions
    )
    previous = plan.after.ledger.notified
    record, notices = notifications.due(
        previous,
        plan.after,
        workflow,
        ctx.now,
        ctx.notify,
        # Declared before this pass, as a confirmed incident (a report confirmed now is news).
        recorded_before=is_recorded(plan.before) and plan.before.ledger.confirmed,
        retro_posted=retro,
    )
    if record == previous:
        return plan
    plan = plan.with_ledger(replace(plan.after.ledger, notified=record))
    return replace(plan, actions=(*plan.actions, *notices))
