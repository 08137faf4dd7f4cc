"""The entry point: route a trigger to the rules of its concern, then reconcile.

Every trigger ends in the same reconcile (one severity, one status, state
follows status, summary up to date), so whichever webhook arrives first, or
twice, the incident ends in the same place and a repeat finds nothing to do.
"""

from __future__ import annotations

from app.core import markers
from app.core.actions import Action, EnsureLabels
from app.core.commands.apply import on_comment
from app.core.incident import Incident
from app.core.rules import hygiene, lifecycle, reminders
from app.core.rules.context import Context, may_change
from app.core.rules.handoff import ping_new_lead
from app.core.rules.notify import announce
from app.core.rules.plan import SUMMARY_STAGE, Plan, stage
from app.core.rules.record import confirm, form_severity, record
from app.core.rules.status import settle_severity, settle_status
from app.core.rules.triggers import (
    Closed,
    CommentCreated,
    FollowupChanged,
    Labeled,
    Reopened,
    Sweep,
    Trigger,
    Unlabeled,
)
from app.core.texts import summary
from app.core.timeline import severity_history
from app.workflow.model import Workflow


def decide(trigger: Trigger, incident: Incident, workflow: Workflow, ctx: Context) -> list[Action]:
    """The actions, in order, that bring the incident where the workflow wants it."""
    plan = decide_plan(trigger, incident, workflow, ctx)
    return [] if plan is None else plan.finish(workflow)


def decide_plan(trigger: Trigger, incident: Incident, workflow: Workflow, ctx: Context) -> Plan | None:
    """The plan behind ``decide``: its actions and the incident as they will leave it
    (the writer renders the summary from that once it knows what it created); None when
    there is nothing to look at."""
    if isinstance(trigger, CommentCreated) and trigger.author == ctx.bot_login:
        return None  # never parse our own words
    plan = Plan.start(incident, ctx.now)
    if plan.after.is_incident(workflow):
        # Labelled but not yet recorded (its declaration's webhooks were lost): record it
        # first, as that declaration would have, so a command lands on the form's severity
        # and the chosen lead (`/ack` is not a hand-off, the timeline keeps severity 2 → 1).
        plan = record(plan, workflow, ctx)
    if isinstance(trigger, CommentCreated):
        plan = on_comment(plan, workflow, ctx, trigger)
        plan = ping_new_lead(plan, workflow, trigger.comment_id)
    if not plan.after.is_incident(workflow):
        return plan  # untracked: at most the summary says so, once
    plan = record(plan, workflow, ctx)
    plan = _confirm_by_event(plan, trigger, ctx)
    plan = _on_trigger(plan, workflow, trigger)
    plan = _reconcile(plan, workflow, ctx, trigger)
    if isinstance(trigger, Sweep):
        plan = reminders.on_sweep(plan, workflow, ctx)  # after reconcile: never into a resolved one
        plan = hygiene.on_sweep(plan, workflow)  # loose ends: retro, stale follow-ups, never resolved
    plan = _config_notice(plan, ctx)
    return announce(plan, workflow, ctx)  # last: it sees what the pass did


def perform_order(actions: list[Action]) -> tuple[list[Action], list[Action]]:
    """The writes the summary reports on (labels, people, follow-ups), and the rest (the summary,
    replies, the issue's state): the summary is rendered after the first have been done, so it
    shows what GitHub numbered and what it refused (Plan.after_writes), Plan.finish's order kept."""
    cut = next(
        (i for i, a in enumerate(actions) if not isinstance(a, EnsureLabels) and stage(a) >= SUMMARY_STAGE),
        len(actions),
    )
    return actions[:cut], actions[cut:]


def _confirm_by_event(plan: Plan, trigger: Trigger, ctx: Context) -> Plan:
    """A label change (or closing, reopening) by a triager confirms a report, as a command does."""
    actor = getattr(trigger, "actor", "")
    if plan.after.ledger.confirmed or not actor or actor == ctx.bot_login:
        return plan
    if isinstance(trigger, Labeled | Unlabeled | Closed | Reopened) and may_change(ctx.actor_role):
        return confirm(plan, actor)
    return plan


def _on_trigger(plan: Plan, workflow: Workflow, trigger: Trigger) -> Plan:
    match trigger:
        case Closed(actor=actor, actor_role=role):
            return lifecycle.on_closed(plan, workflow, actor, role)
        case Sweep() if not plan.after.is_open:
            return lifecycle.on_closed(plan, workflow, _last_closer(plan.after), None)
        case Reopened(actor=actor):
            return lifecycle.on_reopened(plan, workflow, actor)
        case FollowupChanged(adopt=sub) if sub is not None:
            return plan.link(sub)
        case _:
            return plan


def _last_closer(incident: Incident) -> str:
    closers = [e.actor for e in incident.events if e.kind == "closed"]
    return closers[-1] if closers else ""


def _reconcile(plan: Plan, workflow: Workflow, ctx: Context, trigger: Trigger) -> Plan:
    label = trigger.label if isinstance(trigger, Labeled) else None
    actor = trigger.actor if isinstance(trigger, Labeled) else None
    role = trigger.actor_role if isinstance(trigger, Labeled) else None
    plan = settle_severity(plan, workflow, label, _last_severity(plan.after, workflow, ctx))
    plan = settle_status(plan, workflow, label, actor, role)
    plan = lifecycle.align_state(plan, workflow)
    return lifecycle.after_resolve(plan, workflow)


def _last_severity(incident: Incident, workflow: Workflow, ctx: Context) -> str:
    """The severity to restore when someone removed the only severity label."""
    changes = severity_history(incident, workflow)
    last = workflow.severity_for_label(changes[-1][1]) if changes else None
    return last.key if last else form_severity(workflow, ctx)


def _config_notice(plan: Plan, ctx: Context) -> Plan:
    """Say once, on the incident, that the repository's settings are broken (and when fixed)."""
    if ctx.config_error:
        return plan.upsert(markers.CONFIG_ERROR, summary.config_error(ctx.config_error))
    if plan.before.has_bot_comment(markers.CONFIG_ERROR):
        return plan.upsert(markers.CONFIG_ERROR, summary.config_fixed())
    return plan
