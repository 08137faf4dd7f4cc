"""Follow-ups: critical when they stabilize or when asked, neutral for security, the close gate."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from app.core.actions import OpenFollowup, Reply
from app.core.rules import Closed, FollowupChanged, Labeled, Opened
from app.workflow.model import Workflow
from tests.rules.factories import FakeIssue, default_workflow, recorded, run, say, settled

WF = default_workflow()
GATED = replace(WF, followups=replace(WF.followups, block_close_on_open_critical=True))


def _opened(actions: list[Any]) -> OpenFollowup:
    (followup,) = [a for a in actions if isinstance(a, OpenFollowup)]
    return followup


def _critical_followup(issue: FakeIssue, number: int = 12, state: str = "open") -> None:
    issue.sub_issues.append(
        {"number": number, "title": "Fix", "state": state, "body": "", "labels": [{"name": "critical"}]}
    )


def _status(issue: FakeIssue, workflow: Workflow = WF) -> str | None:
    status = issue.incident().status(workflow)
    return status.key if status else None


def test_critical_on_request_even_once_stabilized() -> None:
    issue = recorded(WF, status="stabilized", severity="3")
    followup = _opened(say(issue, "/followup critical Add a circuit breaker", author="bob")[1])
    assert followup.title == "Add a circuit breaker"
    assert set(followup.labels) == {"follow-up", "critical"}
    assert "@bob marked it `critical`" in followup.body


def test_not_critical_once_stabilized() -> None:
    issue = recorded(WF, status="stabilized", severity="1")
    followup = _opened(say(issue, "/followup Add an alert")[1])
    assert followup.labels == ("follow-up",)
    assert "**Why:**" in followup.body and f"incident #{issue.number}" in followup.body


def test_without_a_title_the_incident_title_is_used_unless_it_is_a_security_incident() -> None:
    issue = recorded(WF, title="Search is down")
    assert _opened(say(issue, "/followup")[1]).title == "Follow-up of incident #7: Search is down"
    secret = FakeIssue(title="zq-secret", labels=["incident", "security"])
    run(secret, Opened("reporter"), WF)
    followup = _opened(say(secret, "/followup critical")[1])
    assert followup.title == "Follow-up of Security incident #7"
    assert "zq-secret" not in followup.body and "private security" in followup.body


def test_the_summary_lists_follow_ups_and_ticks_closed_ones() -> None:
    issue = recorded(WF, severity="1")
    say(issue, "/followup Fix the cache")
    summary = issue.bot_comments("summary")[0]
    assert "- [ ] #100 Fix the cache · `critical` (open)" in summary
    issue.sub_issues[0]["state"] = "closed"
    trigger = FollowupChanged(100, "bob")
    run(issue, trigger, WF)
    assert "- [x] #100 Fix the cache · `critical` (closed)" in issue.bot_comments("summary")[0]
    assert settled(issue, trigger, WF)


def test_resolve_is_refused_while_critical_follow_ups_are_open() -> None:
    issue = recorded(GATED, status="under-investigation", severity="1")
    _critical_followup(issue)
    _, actions = say(issue, "/resolve", role="admin", workflow=GATED)
    (reply,) = [a for a in actions if isinstance(a, Reply)]
    assert "#12" in reply.body and "/resolve --force" in reply.body
    assert _status(issue, GATED) == "under-investigation"


def test_force_needs_maintain_or_admin() -> None:
    issue = recorded(GATED, status="under-investigation", severity="1")
    _critical_followup(issue)
    _, actions = say(issue, "/resolve --force", role="write", workflow=GATED)
    assert "only someone with maintain or admin" in next(a for a in actions if isinstance(a, Reply)).body
    say(issue, "/resolve --force", role="maintain", workflow=GATED)
    assert _status(issue, GATED) == "resolved" and issue.state == "closed"


def test_closed_follow_ups_do_not_hold_the_incident() -> None:
    issue = recorded(GATED, status="under-investigation", severity="1")
    _critical_followup(issue, state="closed")
    say(issue, "/resolve", workflow=GATED)
    assert _status(issue, GATED) == "resolved"


def test_closing_is_undone_once_then_respected() -> None:
    issue = recorded(GATED, status="under-investigation", severity="1")
    _critical_followup(issue)
    issue.set_state("closed", "carol")
    actions = run(issue, Closed("carol"), GATED)
    assert issue.state == "open"
    assert "#12" in next(a for a in actions if isinstance(a, Reply)).body
    assert settled(issue, Closed("carol"), GATED)
    issue.set_state("closed", "carol")  # again: carol means it
    run(issue, Closed("carol"), GATED)
    assert issue.state == "closed" and _status(issue, GATED) == "resolved"
    assert "#12" in issue.bot_comments("closeout")[0]


def test_a_resolved_label_is_undone_once() -> None:
    issue = recorded(GATED, status="under-investigation", severity="1")
    _critical_followup(issue)
    issue.label("status: resolved", actor="carol")
    actions = run(issue, Labeled("status: resolved", "carol"), GATED)
    assert _status(issue, GATED) == "under-investigation"
    assert "/resolve --force" in next(a for a in actions if isinstance(a, Reply)).body
    issue.label("status: resolved", actor="carol")
    run(issue, Labeled("status: resolved", "carol"), GATED)
    assert _status(issue, GATED) == "resolved"


def test_the_gate_holds_again_for_new_critical_follow_ups() -> None:
    issue = recorded(GATED, status="under-investigation", severity="1")
    _critical_followup(issue, 12)
    issue.set_state("closed", "carol")
    run(issue, Closed("carol"), GATED)
    _critical_followup(issue, 13)
    issue.set_state("closed", "carol")
    run(issue, Closed("carol"), GATED)
    assert issue.state == "open"


def test_a_discussion_follow_up_is_opened_on_resolve_once() -> None:
    wf = replace(WF, followups=replace(WF.followups, discussion_on_resolve=True))
    issue = recorded(wf, status="under-investigation")
    trigger, actions = say(issue, "/resolve", workflow=wf)
    followup = _opened(actions)
    assert followup.title == "Discussion: preventing a repeat of incident #7"
    assert followup.labels == ("follow-up",)
    assert settled(issue, trigger, wf)
    issue.set_state("open", "bob")
    say(issue, "/status stabilization pending", workflow=wf)
    for key in ("stabilized", "under-investigation"):
        say(issue, f"/status {key}", workflow=wf)
    _, again = say(issue, "/resolve", workflow=wf)
    assert not any(isinstance(a, OpenFollowup) for a in again)
    assert len(issue.sub_issues) == 1
