"""Read the incident as it is now, let the rules decide, perform: what every path shares.

The webhook handlers (app.features.incidents) and the periodic sweep (app.sweep)
both come here, so a lost webhook and a sweep end an incident in the same place.
"""

from __future__ import annotations

import logging

from gidgethub.abc import GitHubAPI

from . import ledger as ledger_codec
from .actions import Action, OpenFollowup, UpsertComment
from .executor import Executor, IssueRef
from .incident import SUMMARY, Incident
from .ledger import Ledger
from .loading import incidents_led, load_incident, team_members
from .rules import Context, FollowupChanged, Sweep, Trigger, decide
from .services import Services
from .workflow.config import RepoConfig
from .workflow.forms import form_facts
from .workflow.model import Workflow

log = logging.getLogger(__name__)


async def handle_incident(
    gh: GitHubAPI,
    services: Services,
    ref: IssueRef,
    trigger: Trigger,
    config: RepoConfig,
    *,
    ledger: Ledger | None = None,  # newer than the summary on GitHub: a previous pass's
) -> list[str]:
    """Bring the issue where the workflow wants it; what was done, for the log."""
    bot = await services.bot_login()
    workflow = config.workflow
    incident = await load_incident(gh, ref, bot)
    if ledger is not None:
        incident = incident.with_ledger(ledger)
    context = Context(
        now=services.now(),
        bot_login=bot,
        config_error=str(config.error) if config.error else None,
        equity_counts=await _equity(gh, ref, workflow, incident, services),
        team_members=await _team(gh, workflow, incident, trigger),
        form=form_facts(incident.body, workflow),
    )
    actions = decide(trigger, incident, workflow, context)
    again = not isinstance(trigger, FollowupChanged) and any(isinstance(a, OpenFollowup) for a in actions)
    carried = _summary_ledger(actions) if again else None
    if again:
        # The look below writes the summary with the follow-up's number: writing it now
        # too would cost a second edit of the same comment (one PATCH per follow-up).
        # The ledger that summary carried (a command's /update, its processed id) is
        # handed to the look below, which would otherwise read the old one back.
        actions = [a for a in actions if not (isinstance(a, UpsertComment) and a.kind == SUMMARY)]
    done = await Executor(gh, ref, incident).run(actions)
    if again:
        # The summary was written before the new follow-up had a number: look once more.
        done += await handle_incident(gh, services, ref, FollowupChanged(0), config, ledger=carried)
    if done:
        log.info("%s/%s#%d: %s", ref.owner, ref.repo, ref.number, "; ".join(done))
    return done


def _summary_ledger(actions: list[Action]) -> Ledger | None:
    bodies = [a.body for a in actions if isinstance(a, UpsertComment) and a.kind == SUMMARY]
    return ledger_codec.decode(bodies[-1]) if bodies else None


async def _equity(
    gh: GitHubAPI, ref: IssueRef, workflow: Workflow, incident: Incident, services: Services
) -> dict[str, int]:
    """Counts for the equity rule, fetched only when a lead is about to be chosen."""
    policy = workflow.lead
    if incident.lead is not None or not (policy.rotation or policy.responders):
        return {}
    since = services.now() - policy.equity_window
    return dict(await incidents_led(gh, ref.owner, ref.repo, workflow, since))


async def _team(gh: GitHubAPI, workflow: Workflow, incident: Incident, trigger: Trigger) -> tuple[str, ...]:
    """The rotation's team, when a lead is to be chosen or the sweep may escalate to the next one."""
    rotation = workflow.lead.rotation
    if rotation is None or not rotation.team:
        return ()
    if incident.lead is not None and not isinstance(trigger, Sweep):
        return ()
    return await team_members(gh, rotation.team)
