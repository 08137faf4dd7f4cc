"""Record: the first time the bot sees an incident, give it what the process needs.

Status and severity labels (the form's answers, else the workflow's defaults),
the security label when the form says so, a lead, thanks to an outside
reporter, and who declared it. "Recorded" means the summary comment exists,
so a redelivered trigger finds the work done and does nothing again.
"""

from __future__ import annotations

from dataclasses import replace

from app.core import markers, timeline
from app.core.incident import SUMMARY, Incident
from app.core.lead import choose_lead
from app.core.rules.context import Context, may_change
from app.core.rules.plan import Plan
from app.core.texts import summary
from app.workflow.model import Workflow


def is_recorded(incident: Incident) -> bool:
    return incident.has_bot_comment(SUMMARY)


def form_severity(workflow: Workflow, ctx: Context) -> str:
    """The severity key the form chose, else the workflow's default."""
    severity = ctx.form.severity if ctx.form else None
    return severity.key if severity else workflow.default_severity


def _initial_status(workflow: Workflow, ctx: Context) -> str:
    status = ctx.form.status if ctx.form else None
    return (status or workflow.status_by_key(workflow.initial_status)).label.name


def record(plan: Plan, workflow: Workflow, ctx: Context, declarer: str | None = None) -> Plan:
    """Give a new incident its labels, lead, thanks and declaration; no-op once recorded."""
    if is_recorded(plan.before):
        return plan
    if not plan.after.statuses(workflow):
        plan = plan.add_label(_initial_status(workflow, ctx))
    if not plan.after.severities(workflow):
        plan = plan.add_label(workflow.severity_by_key(form_severity(workflow, ctx)).label.name)
    if ctx.form is not None and ctx.form.security:
        plan = plan.add_label(workflow.security.label.name)
    plan = _declare(plan, workflow, declarer, ctx)
    plan = _assign_lead(plan, workflow, ctx)
    plan = _inform_roles(plan, workflow)
    return _thank_reporter(plan, workflow)


def _inform_roles(plan: Plan, workflow: Workflow) -> Plan:
    """Ping the people a role names to be told of every incident (Wellcome Collection incident response
    process: the delivery manager)."""
    for role in workflow.roles:
        people = [login for login in role.notify if login.lower() != plan.after.author.lower()]
        if people:
            plan = plan.reply(
                summary.role_notice(plan.after, workflow, role, people), kind=markers.notify(role.key)
            )
    return plan


def _declare(plan: Plan, workflow: Workflow, declarer: str | None, ctx: Context) -> Plan:
    """Who declared it and when; declared by someone below triage (an outsider's issue form,
    an integration's label), it is a report until a triager acts on it (Sourcegraph
    incidents, "Identifying an incident": anything that might be an incident is treated as
    one until shown otherwise, so it is recorded and people are called at once)."""
    ledger = plan.after.ledger
    if ledger.declared_by:
        return plan
    if declarer:
        by, at = declarer, plan.now
    else:
        by, at = timeline.declared(plan.after, workflow)
    unconfirmed = declarer is None and ctx.actor_role is not None and not may_change(ctx.actor_role)
    return plan.with_ledger(replace(ledger, declared_by=by, declared_at=at, unconfirmed=unconfirmed))


def confirm(plan: Plan, by: str) -> Plan:
    """A triager (or above) acted on a report: from now on it is a confirmed incident."""
    ledger = plan.after.ledger
    return plan if ledger.confirmed else plan.with_ledger(ledger.confirm(by))


def _assign_lead(plan: Plan, workflow: Workflow, ctx: Context) -> Plan:
    if plan.after.assignees:
        return plan  # someone already took it (or the form assigned them)
    lead = choose_lead(
        workflow.lead,
        now=ctx.now,
        declarer=plan.after.ledger.declared_by or plan.after.author,
        equity_counts=ctx.equity_counts,
        team_members=ctx.team_members,
        unassignable=ctx.unassignable | frozenset(plan.after.ledger.unassignable),
    )
    return plan.assign(lead) if lead else plan


def _thank_reporter(plan: Plan, workflow: Workflow) -> Plan:
    incident = plan.after
    if not workflow.reporter_thanks or incident.reporter_is_collaborator:
        return plan
    if incident.author == incident.bot_login:
        return plan
    return plan.reply(summary.thanks(incident, workflow), kind=markers.THANKS)
