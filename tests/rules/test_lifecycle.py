"""Close, reopen, untrack: the issue's state and the status follow each other."""

from __future__ import annotations

from dataclasses import replace

from app.core.actions import CloseIssue, ReopenIssue, Reply
from app.core.rules import Closed, Reopened, Sweep, Unlabeled
from app.core.rules.decide import decide
from app.workflow.model import FollowupPolicy
from tests.rules.factories import (
    BOT,
    context,
    default_workflow,
    recorded,
    run,
    say,
    settled,
    wellcome_workflow,
)

WF = default_workflow()


def _status(issue: object) -> list[str]:
    return [s.key for s in issue.incident().statuses(WF)]  # type: ignore[attr-defined]


def test_closing_from_under_investigation_resolves_with_closeout_and_retro() -> None:
    issue = recorded(WF, status="under-investigation")
    issue.set_state("closed", "alice")
    trigger = Closed("alice")
    actions = run(issue, trigger, WF)
    assert _status(issue) == ["resolved"]
    assert issue.state == "closed"
    assert not any(isinstance(a, CloseIssue | ReopenIssue) for a in actions)
    assert "Update every comms post" in issue.bot_comments("closeout")[0]
    retro = issue.bot_comments("retro")[0]
    assert "5 whys" in retro and "| time (UTC) |" in retro
    assert settled(issue, trigger, WF)


def test_closing_too_early_reopens_and_says_why() -> None:
    issue = recorded(WF, status="stabilization-pending")
    issue.set_state("closed", "alice")
    trigger = Closed("alice")
    actions = run(issue, trigger, WF)
    assert issue.state == "open"
    assert _status(issue) == ["stabilization-pending"]
    (reply,) = [a for a in actions if isinstance(a, Reply)]
    assert "reopened" in reply.body and "/status stabilized" in reply.body
    assert settled(issue, trigger, WF)


def test_closing_with_open_critical_followups_is_refused_when_the_workflow_says_so() -> None:
    followups = replace(WF.followups, block_close_on_open_critical=True)
    wf = replace(WF, followups=followups)
    assert isinstance(wf.followups, FollowupPolicy)
    issue = recorded(wf, status="under-investigation", severity="1")
    issue.sub_issues.append(
        {"number": 12, "title": "x", "state": "open", "body": "", "labels": [{"name": "critical"}]}
    )
    issue.set_state("closed", "alice")
    actions = run(issue, Closed("alice"), wf)
    assert issue.state == "open"
    assert "#12" in next(a for a in actions if isinstance(a, Reply)).body


def test_wellcome_closing_by_someone_without_the_role_is_undone() -> None:
    wf = wellcome_workflow()
    issue = recorded(wf, status="under-investigation")
    issue.set_state("closed", "bob")
    run(issue, Closed("bob", actor_role="write"), wf)
    assert issue.state == "open"
    assert "status: resolved" not in issue.labels


def test_reopening_a_resolved_incident_destabilizes_it() -> None:
    issue = recorded(WF, status="under-investigation")
    say(issue, "/resolve")
    issue.set_state("open", "bob")
    trigger = Reopened("bob")
    run(issue, trigger, WF)
    assert _status(issue) == ["stabilization-pending"]
    assert issue.state == "open"
    assert settled(issue, trigger, WF)


def test_moving_a_resolved_incident_back_to_pending_reopens_it() -> None:
    issue = recorded(WF, status="under-investigation")
    say(issue, "/resolve")
    say(issue, "/status stabilization pending")
    assert issue.state == "open"


def test_the_bots_own_reopen_does_not_destabilize() -> None:
    issue = recorded(WF, status="stabilized")
    issue.set_state("closed", "alice")
    run(issue, Closed("alice"), WF)
    assert decide(Reopened(BOT), issue.incident(), WF, context(issue.now)) == []


def test_removing_the_incident_label_stops_tracking_and_says_so_once() -> None:
    issue = recorded(WF)
    issue.unlabel("incident", actor="bob")
    trigger = Unlabeled("incident", "bob")
    run(issue, trigger, WF)
    assert "No longer tracked" in issue.bot_comments("summary")[0]
    assert settled(issue, trigger, WF)
    assert settled(issue, Sweep(), WF)
    _, actions = say(issue, "/severity 1")
    assert actions == []


def test_a_sweep_of_a_closed_unresolved_incident_resolves_when_allowed() -> None:
    issue = recorded(WF, status="under-investigation")
    issue.set_state("closed", "alice")  # the closed webhook was lost
    run(issue, Sweep(), WF)
    assert _status(issue) == ["resolved"]
