"""Read the incident as it is now, let the rules decide, perform: what every path shares.

The webhook handlers (app.service.handlers.incidents) and the periodic sweep (app.service.sweep)
both come here, so a lost webhook and a sweep end an incident in the same place. For a
lost `issue_comment` that means the sweep replays the comment as the very trigger its
webhook would have carried (`sweep_incident`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from gidgethub.abc import GitHubAPI

from app.core.commands import grammar
from app.core.commands.apply import lost_commands
from app.core.incident import SUMMARY, Incident
from app.core.lead import lead_candidates
from app.core.rules import CommentCreated, Context, Sweep, Trigger
from app.core.rules.context import needs_equity_counts, needs_team
from app.core.rules.decide import decide_plan, perform_order
from app.github.read import incidents_led, load_incident, team_members
from app.github.refs import IssueRef
from app.github.write import Executor
from app.service.notify import split_notices
from app.service.services import Services
from app.workflow.config import RepoConfig
from app.workflow.forms import form_facts
from app.workflow.model import Workflow

log = logging.getLogger(__name__)

# Lost command comments replayed per incident per sweep, oldest first; the rest wait for
# the next sweep. Each replay is a full read → decide → perform (about four reads, mostly
# 304s, and its writes), so a flood of comments cannot make one sweep unbounded.
REPLAY_MAX = 20


async def sweep_incident(
    gh: GitHubAPI,
    services: Services,
    ref: IssueRef,
    config: RepoConfig,
    *,
    installed_at: dt.datetime | None = None,
) -> list[str]:
    """The sweep's look at one incident: first the commands whose `issue_comment` webhook
    was lost, in the order they were written, each as the handler would have run it; then
    the Sweep trigger (reminders, escalation, reconcile) on the result."""
    done, incident = await apply_commands(gh, services, ref, config, installed_at=installed_at)
    return done + await handle_incident(gh, services, ref, Sweep(), config, incident=incident)


async def apply_commands(
    gh: GitHubAPI,
    services: Services,
    ref: IssueRef,
    config: RepoConfig,
    *,
    installed_at: dt.datetime | None = None,
    up_to: int | None = None,
    limit: int = REPLAY_MAX,
) -> tuple[list[str], Incident | None]:
    """Every command comment no pass has applied yet (none in the ledger, no reply), oldest
    first, each exactly once, on one read of the issue: the webhook's queue and the sweep
    share this. `up_to`: only comments up to this id (the later ones wait their turn).
    Returns what was done and the incident as read, when nothing changed it."""
    bot = await services.bot_login()
    loaded = await load_incident(gh, ref, bot)
    lost = [c for c in lost_commands(loaded, config.workflow, installed_at) if up_to is None or c.id <= up_to]
    incident: Incident | None = loaded
    if len(lost) > limit:
        log.warning(
            "%s/%s#%d: %d unhandled command comments; applying the oldest %d now",
            ref.owner,
            ref.repo,
            ref.number,
            len(lost),
            limit,
        )
    done: list[str] = []
    for comment in lost[:limit]:
        role = await services.role(gh, ref.owner, ref.repo, comment.author)
        trigger = CommentCreated(comment.id, comment.author, comment.body, role)
        # Dated when it was written, as its webhook would have been: the timeline's
        # acknowledgement and updates must not move to whenever the sweep ran.
        step = await handle_incident(
            gh, services, ref, trigger, config, incident=incident, now=comment.created_at
        )
        if step:
            incident = None  # it changed: the next trigger reads it again
        done += step
    return done, incident


async def handle_incident(
    gh: GitHubAPI,
    services: Services,
    ref: IssueRef,
    trigger: Trigger,
    config: RepoConfig,
    *,
    incident: Incident | None = None,  # just read by the caller (the sweep): not read twice
    now: dt.datetime | None = None,  # when the trigger happened, if not now (a replay)
) -> list[str]:
    """Bring the issue where the workflow wants it; what was done, for the log.

    The rules decide everything but the numbers GitHub gives what the writer creates,
    so the texts that list new follow-ups are rendered once, after they are opened,
    from the incident as done (Plan.after_writes): one pass, one summary write.
    """
    bot = await services.bot_login()
    workflow = config.workflow
    if incident is None:
        incident = await load_incident(gh, ref, bot)
    # What the rules will read, at once: independent reads share one round trip.
    team, equity, role = await asyncio.gather(
        _team(gh, ref, workflow, incident, trigger),
        _equity(gh, ref, workflow, incident, services),
        _actor_role(gh, ref, incident, trigger, services, bot),
    )
    context = Context(
        now=now or services.now(),
        bot_login=bot,
        config_error=str(config.error) if config.error else None,
        equity_counts=equity,
        team_members=team,
        form=form_facts(incident.body, workflow),
        unassignable=await _unassignable(gh, ref, workflow, incident, trigger, team, services),
        actor_role=role,
        notify=services.notifier.context,
    )
    plan = decide_plan(trigger, incident, workflow, context)
    if plan is None:
        return []
    actions, notices = split_notices(plan.finish(workflow))
    first, rest = perform_order(actions)
    known = services.repo_labels.setdefault(f"{ref.owner}/{ref.repo}".lower(), set())
    writer = Executor(gh, ref, incident, known_labels=known)
    try:
        outcome = await writer.run(first)
        if outcome.opened or outcome.refused:
            refused = tuple((r.action, r.why) for r in outcome.refused)
            rest = plan.after_writes(workflow, rest, opened=tuple(outcome.opened), refused=refused)
        outcome = await writer.run(rest)
        services.refusals.extend(r.error for r in outcome.refused)  # the Action mode's exit status
        done = outcome.done
    finally:
        # After the writes that record them, and even when a later write failed: the
        # notifier sends only what the summary on GitHub says was recorded.
        services.notifier.dispatch(gh, ref, bot, notices)
    if done:
        log.info("%s/%s#%d: %s", ref.owner, ref.repo, ref.number, "; ".join(done))
    return done


async def _equity(
    gh: GitHubAPI, ref: IssueRef, workflow: Workflow, incident: Incident, services: Services
) -> dict[str, int]:
    if not needs_equity_counts(incident, workflow):
        return {}
    since = services.now() - workflow.lead.equity_window
    return dict(await incidents_led(gh, ref.owner, ref.repo, workflow, since))


async def _team(
    gh: GitHubAPI, ref: IssueRef, workflow: Workflow, incident: Incident, trigger: Trigger
) -> tuple[str, ...]:
    rotation = workflow.lead.rotation
    if rotation is None or not rotation.team or not needs_team(incident, workflow, trigger):
        return ()
    return await team_members(gh, rotation.team, ref.owner)


CANDIDATES_MAX = 25  # assignability checks one pass may make (each cached for a minute)


async def _unassignable(
    gh: GitHubAPI,
    ref: IssueRef,
    workflow: Workflow,
    incident: Incident,
    trigger: Trigger,
    team: tuple[str, ...],
    services: Services,
) -> frozenset[str]:
    """Of the people the rules may assign in this pass, those GitHub would refuse (422)."""
    candidates: list[str] = []
    if incident.lead is None:
        declarers = [getattr(trigger, "actor", ""), incident.ledger.declared_by or "", incident.author]
        for declarer in dict.fromkeys(d for d in declarers if d):
            candidates += lead_candidates(workflow.lead, declarer, team)
    if isinstance(trigger, CommentCreated):
        candidates += [
            c.login
            for c in grammar.parse(trigger.body, workflow, author=trigger.author).commands
            if c.verb == "lead"
        ]
    wanted = [c for c in dict.fromkeys(candidates) if c and c != incident.bot_login][:CANDIDATES_MAX]
    # Independent reads: one round trip for all of them, not one each.
    answers = await asyncio.gather(*(services.assignable(gh, ref.owner, ref.repo, c) for c in wanted))
    return frozenset(c.lower() for c, ok in zip(wanted, answers, strict=True) if not ok)


async def _actor_role(
    gh: GitHubAPI, ref: IssueRef, incident: Incident, trigger: Trigger, services: Services, bot: str
) -> str | None:
    """The role of who caused an issue event, when it decides something: whether a new
    incident is a report, and whether a report is now confirmed. Read only then (cached)."""
    actor = getattr(trigger, "actor", "")
    if isinstance(trigger, CommentCreated) or not actor or actor == bot:
        return None
    if incident.has_bot_comment(SUMMARY) and incident.ledger.confirmed:
        return None  # recorded and confirmed: nothing left to decide by role
    return await services.role(gh, ref.owner, ref.repo, actor)
