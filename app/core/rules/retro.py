"""The retrospective comment: posted once, then edited in place (its timeline only).

On resolve and on `/retro`. Resolving again, or any later change to the
history, refreshes the timeline inside the same comment; what people ticked
or wrote there stays (``app.core.texts.retrospective.refresh``).
"""

from __future__ import annotations

from app.core.rules.plan import Plan
from app.core.texts import retrospective
from app.workflow.model import Workflow


def post(plan: Plan, workflow: Workflow) -> Plan:
    existing = plan.before.bot_comment(retrospective.RETRO)
    return plan.upsert(retrospective.RETRO, plan.retrospective(workflow, existing.body if existing else None))
