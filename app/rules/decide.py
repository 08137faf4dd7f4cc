"""The entry point: route a trigger to the rules of its concern, then reconcile."""

from __future__ import annotations

from app.actions import Action
from app.incident import Incident
from app.rules.context import Context
from app.rules.triggers import Trigger
from app.workflow.model import Workflow


def decide(trigger: Trigger, incident: Incident, workflow: Workflow, ctx: Context) -> list[Action]:
    """The actions, in order, that bring the incident where the workflow wants it."""
    return []
