"""Commands in a comment: all take effect, or none does and one reply says why.

Each command comment is handled once: its id goes into the ledger, and any
reply carries the marker ``reply-<comment id>``, so a redelivery finds it done.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from app.core import markers, timeline
from app.core.commands.grammar import COMMANDS_MAX, Command, Parsed, parse, usage
from app.core.incident import Comment, Incident
from app.core.ledger import PROCESSED_MAX, Ack, Handoff, RoleAssignment, Update
from app.core.rules import followups, gate, retro
from app.core.rules.context import Context, is_admin, may_change
from app.core.rules.lifecycle import move_status
from app.core.rules.plan import Plan
from app.core.rules.record import confirm, record
from app.core.rules.status import resolve_refusal, transition_refusal
from app.core.rules.triggers import CommentCreated
from app.core.texts import fit, summary
from app.workflow.model import Workflow

OPEN_TO_ANYONE = frozenset({"incident", "help"})
# A triager's command that shows someone with the rights looked at a report and took it up.
CONFIRMING = frozenset({"incident", "severity", "status", "resolve", "ack", "lead"})


@dataclass(frozen=True)
class Outcome:
    """A command's result: the plan with its effect, or why it was refused."""

    plan: Plan
    refusal: str | None = None


def reply_kind(comment_id: int) -> str:
    return markers.reply(comment_id)


def _reply(plan: Plan, comment: CommentCreated, text: str) -> Plan:
    """The one reply to a command comment. Its text may repeat what the person wrote, so it
    is neutralised (no marker can survive in it) and fitted to GitHub's limit."""
    kind = reply_kind(comment.comment_id)
    body = fit.body(f"{markers.tag(kind)}\n@{comment.author} {markers.neutralise(text)}")
    return plan.reply(body, kind=kind)


LISTED_MAX = 10  # lines of a comment a reply lists; the rest are counted


def _listed(lines: list[str]) -> str:
    shown = lines[:LISTED_MAX]
    if len(lines) > LISTED_MAX:
        shown.append(f"- … and {len(lines) - LISTED_MAX} more lines like these.")
    return "\n".join(shown)


def _skipped_note(skipped: int) -> str:
    return (
        f"I read the first {COMMANDS_MAX} commands of this comment and did not apply the other "
        f"{skipped}: one comment carries at most {COMMANDS_MAX}. Write the rest in another comment."
    )


def already_handled(plan: Plan, comment: CommentCreated) -> bool:
    return _handled(plan.before, comment.comment_id)


def _handled(incident: Incident, comment_id: int) -> bool:
    return incident.ledger.has_processed(comment_id) or incident.has_bot_comment(reply_kind(comment_id))


def lost_commands(incident: Incident, workflow: Workflow, installed_at: dt.datetime | None) -> list[Comment]:
    """People's command comments no delivery handled yet (their webhook was lost), oldest first.

    Only comments written since the incident was declared (and since the app was
    installed): a `/status resolved` typed before the bot knew of the incident was never
    meant for it, and running it now would undo what happened since. Handled means the
    ledger lists the id or a reply carries its marker, exactly what the live path checks.
    """
    since = timeline.declared(incident, workflow)[1]
    if installed_at is not None:
        since = max(since, installed_at)
    processed = incident.ledger.processed
    # A full ledger has forgotten its oldest ids: anything older than what it still holds
    # may have been handled long ago, and replaying it (`/severity 1`) would undo later work.
    floor = min(processed) if len(processed) >= PROCESSED_MAX else 0
    lost = [
        c
        for c in incident.comments
        if not c.author_is_bot
        and c.author != incident.bot_login
        and c.created_at >= since
        and c.id > floor
        and not _handled(incident, c.id)
        and _has_commands(c, workflow, confirming=not incident.ledger.confirmed)
    ]
    return sorted(lost, key=lambda c: (c.created_at, c.id))


def _has_commands(comment: Comment, workflow: Workflow, *, confirming: bool = False) -> bool:
    """Something the live path would act on or answer. `/incident` on a confirmed incident
    does nothing and is never marked (from a reporter), so it would be replayed on every
    sweep; on an unconfirmed report, a triager's `/incident` confirms it."""
    parsed = parse(comment.body, workflow, author=comment.author)
    return bool(parsed.errors) or any(c.verb != "incident" or confirming for c in parsed.commands)


def on_comment(plan: Plan, workflow: Workflow, ctx: Context, comment: CommentCreated) -> Plan:
    if already_handled(plan, comment):  # the bot's own words never get here: decide_plan
        return plan
    parsed = parse(comment.body, workflow, author=comment.author)
    if not plan.after.is_incident(workflow) and not _concerns_non_incident(parsed):
        return plan  # an ordinary issue: its comments are none of the bot's business
    if not parsed.commands and not parsed.errors:
        return _implicit_ack(plan, workflow, comment)
    if parsed.errors:
        lines = [
            f"- {fit.quoted(e.line)}: {fit.clip(e.reason, 300)} Valid form: {e.usage}" for e in parsed.errors
        ]
        text = "I did not apply this comment:\n" + _listed(lines)
        if parsed.skipped:
            text += "\n\n" + _skipped_note(parsed.skipped)
        return _reply(plan, comment, f"{text}\n\nWrite `/help` for all commands.")
    plan = _run(plan, workflow, ctx, comment, parsed.commands)
    if parsed.skipped:  # a reply already planned (a refusal) says enough
        plan = _reply(plan, comment, _skipped_note(parsed.skipped))
    return plan


def _concerns_non_incident(parsed: Parsed) -> bool:
    return any(c.verb in OPEN_TO_ANYONE for c in parsed.commands)


def _run(
    plan: Plan, workflow: Workflow, ctx: Context, comment: CommentCreated, commands: tuple[Command, ...]
) -> Plan:
    if not may_change(comment.role_name):
        return _without_permission(plan, workflow, comment, commands)
    start = plan
    refusals: list[str] = []
    for command in commands:
        outcome = _apply(plan, workflow, ctx, comment, command)
        plan = outcome.plan
        if outcome.refusal:
            refusals.append(f"- `{usage(command.verb)}`: {outcome.refusal}")
    if refusals:
        text = "I did not apply this comment:\n" + _listed(refusals)
        return _reply(start, comment, text)
    if plan.after.is_incident(workflow) and any(c.verb in CONFIRMING for c in commands):
        plan = confirm(plan, comment.author)
    if plan.after.is_incident(workflow) and any(c.verb != "help" for c in commands):
        plan = plan.with_ledger(plan.after.ledger.mark_processed(comment.comment_id))
    return plan


def _without_permission(
    plan: Plan, workflow: Workflow, comment: CommentCreated, commands: tuple[Command, ...]
) -> Plan:
    restricted = [c.verb for c in commands if c.verb not in OPEN_TO_ANYONE]
    if restricted:
        listed = ", ".join(f"`/{verb}`" for verb in dict.fromkeys(restricted))
        return _reply(
            plan,
            comment,
            f"only people with triage, write, maintain or admin permission can use {listed}, "
            "so I did not apply this comment. Anyone may write `/incident` to report an "
            "incident or `/help`.",
        )
    if any(c.verb == "help" for c in commands):
        plan = _reply(plan, comment, summary.help_text())
    if any(c.verb == "incident" for c in commands) and not plan.after.is_incident(workflow):
        plan = plan.reply(
            f"{markers.tag(markers.REPORT)}\nThanks @{comment.author}: this is recorded as a possible "
            "incident. A maintainer (triage permission or above) confirms it by writing "
            "`/incident`.",
            kind=markers.REPORT,
        )
    return plan


def _implicit_ack(plan: Plan, workflow: Workflow, comment: CommentCreated) -> Plan:
    """With `ack_by_any_comment`, the lead's first word on the incident counts as /ack."""
    incident = plan.after
    lead = incident.lead
    if not workflow.lead.ack_by_any_comment or not lead or lead.lower() != comment.author.lower():
        return plan
    if summary.lead_acknowledged(incident):
        return plan
    ack = Ack(comment.author, plan.now, comment.comment_id)
    return plan.with_ledger(replace(incident.ledger, acks=(*incident.ledger.acks, ack)))


def _apply(
    plan: Plan, workflow: Workflow, ctx: Context, comment: CommentCreated, command: Command
) -> Outcome:
    if command.verb == "incident":
        return _declare(plan, workflow, ctx, comment)
    if command.verb == "help":
        return Outcome(_reply(plan, comment, summary.help_text()))  # on any issue, incident or not
    if not plan.after.is_incident(workflow):
        return Outcome(plan, "this issue is not an incident yet: write `/incident` first.")
    match command.verb:
        case "severity":
            present = tuple(s.label.name for s in plan.after.severities(workflow))
            label = workflow.severity_by_key(command.value).label.name
            return Outcome(plan.swap_label(label, present))
        case "status":
            return _status(plan, workflow, comment, command.value)
        case "resolve":
            force = "force" in command.flags
            return _status(plan, workflow, comment, workflow.resolved_status.key, force=force)
        case "ack":
            return _ack(plan, comment)
        case "lead":
            if not ctx.can_assign(command.login):
                return Outcome(plan, not_assignable(command.login))
            return Outcome(_hand_off(plan, comment, command.login))
        case "role":
            return Outcome(_assign_role(plan, comment, command))
        case "update":
            update = Update(comment.author, plan.now, command.value, comment.comment_id)
            return Outcome(plan.with_ledger(plan.after.ledger.with_update(update)))
        case "followup":
            return Outcome(followups.on_command(plan, workflow, comment, command))
        case "retro":
            return Outcome(retro.post(plan, workflow))
        case _:  # help
            return Outcome(_reply(plan, comment, summary.help_text()))


def _declare(plan: Plan, workflow: Workflow, ctx: Context, comment: CommentCreated) -> Outcome:
    if plan.after.is_incident(workflow):
        return Outcome(confirm(plan, comment.author))  # a triager's /incident confirms a report
    for role in workflow.roles:
        allowed = {login.lower() for login in role.notify}
        if role.required_to_declare and not (
            is_admin(comment.role_name) or comment.author.lower() in allowed
        ):
            return Outcome(plan, f"only the {role.name} or an admin may declare an incident.")
    plan = plan.add_label(workflow.incident_label.name)
    return Outcome(record(plan, workflow, ctx, declarer=comment.author))


def _status(
    plan: Plan, workflow: Workflow, comment: CommentCreated, key: str, *, force: bool = False
) -> Outcome:
    current = plan.after.status(workflow)
    wanted = workflow.status_by_key(key)
    if current is not None and current.key == key:
        return Outcome(plan)
    refusal = transition_refusal(workflow, current, wanted)
    if refusal is None and wanted.resolved:
        refusal = resolve_refusal(plan.after, workflow, comment.author, comment.role_name)
        refusal = refusal or gate.command_refusal(plan.after, workflow, force, comment.role_name)
    if refusal:
        return Outcome(plan, refusal)
    return Outcome(move_status(plan, workflow, key))


def _ack(plan: Plan, comment: CommentCreated) -> Outcome:
    incident = plan.after
    lead = incident.lead
    if lead and lead.lower() != comment.author.lower():
        return Outcome(
            plan,
            f"@{lead} leads this incident. To take over, write `/lead @{comment.author}` and `/ack`.",
        )
    if lead is None:
        plan = _hand_off(plan, comment, comment.author)  # "I'm on it" with nobody leading
    if summary.lead_acknowledged(plan.after):
        return Outcome(plan)
    ack = Ack(comment.author, plan.now, comment.comment_id)
    ledger = plan.after.ledger
    return Outcome(plan.with_ledger(replace(ledger, acks=(*ledger.acks, ack))))


def not_assignable(login: str) -> str:
    return (
        f"@{login} cannot be assigned in this repository, so the lead stays as it is. GitHub lets "
        "only people with write access, organisation members and people who commented on this "
        "issue be assigned."
    )


def _hand_off(plan: Plan, comment: CommentCreated, login: str) -> Plan:
    incident = plan.after
    already_lead = bool(incident.lead) and (incident.lead or "").lower() == login.lower()
    if already_lead:
        # Done already, unless this very comment did it and its summary was never written
        # (GitHub failed after the assignment): the replay records the hand-off it made.
        assigned = [
            e for e in incident.events if e.kind == "assigned" and (e.assignee or "").lower() == login.lower()
        ]
        recorded = any(h.comment_id == comment.comment_id for h in incident.ledger.handoffs)
        by_bot_after = any(
            e.actor == incident.bot_login and e.at >= comment_time(incident, comment) for e in assigned
        )
        if recorded or not by_bot_after:
            return plan
        previous = next((h.to_login for h in reversed(incident.ledger.handoffs)), None)
        handoff = Handoff(previous, login, comment.author, plan.now, comment.comment_id)
        return plan.with_ledger(replace(incident.ledger, handoffs=(*incident.ledger.handoffs, handoff)))
    handoff = Handoff(incident.lead, login, comment.author, plan.now, comment.comment_id)
    ledger = replace(incident.ledger, handoffs=(*incident.ledger.handoffs, handoff))
    return plan.assign(login).with_ledger(ledger)


def comment_time(incident: Incident, comment: CommentCreated) -> dt.datetime:
    found = incident.comment(comment.comment_id)
    return found.created_at if found is not None else dt.datetime.max.replace(tzinfo=dt.UTC)


def _assign_role(plan: Plan, comment: CommentCreated, command: Command) -> Plan:
    ledger = plan.after.ledger
    if (ledger.role_holder(command.value) or "").lower() == command.login.lower():
        return plan
    assignment = RoleAssignment(command.value, command.login, comment.author, plan.now, comment.comment_id)
    return plan.with_ledger(replace(ledger, roles=(*ledger.roles, assignment)))
