"""Commands on an incident: permissions, all-or-nothing, each comment once."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from app.core.actions import OpenFollowup, Reply
from app.core.rules import CommentCreated
from app.core.rules.decide import decide
from tests.rules.factories import (
    MINUTE,
    context,
    default_workflow,
    recorded,
    say,
    settled,
    wellcome_workflow,
)

WF = default_workflow()


def _replies(actions: Sequence[object]) -> list[Reply]:
    return [a for a in actions if isinstance(a, Reply)]


@pytest.mark.parametrize("role", ["triage", "write", "maintain", "admin"])
def test_triage_and_up_may_change_an_incident(role: str) -> None:
    issue = recorded(WF, severity="2")
    say(issue, "/severity 1", role=role)
    assert "severity: 1" in issue.labels


@pytest.mark.parametrize("role", ["read", "none", "", "custom-viewer"])
def test_others_get_one_reply_and_nothing_changes(role: str) -> None:
    issue = recorded(WF, severity="2")
    before = list(issue.labels)
    trigger, actions = say(issue, "/severity 1\n/ack\n/help", author="mallory", role=role)
    assert issue.labels == before
    (reply,) = _replies(actions)
    assert "triage, write, maintain or admin" in reply.body
    assert "`/severity`" in reply.body and "`/ack`" in reply.body
    assert len(actions) == 1
    assert settled(issue, trigger, WF)


def test_anyone_may_ask_for_help() -> None:
    issue = recorded(WF)
    trigger, actions = say(issue, "/help", author="mallory", role="read")
    (reply,) = _replies(actions)
    assert "/status NAME" in reply.body and "/lead @login" in reply.body
    assert settled(issue, trigger, WF)


def test_one_bad_command_means_none_of_the_comment_takes_effect() -> None:
    issue = recorded(WF, severity="2")
    before = (list(issue.labels), list(issue.assignees), issue.incident().ledger)
    trigger, actions = say(issue, "/severity 1\n/lead @carol\n/stauts resolved")
    assert (issue.labels, issue.assignees, issue.incident().ledger) == before
    (reply,) = _replies(actions)
    assert "Did you mean /status?" in reply.body
    assert settled(issue, trigger, WF)


def test_a_refused_transition_in_a_comment_cancels_the_rest() -> None:
    issue = recorded(WF, severity="2")
    _, actions = say(issue, "/severity 1\n/status resolved")
    assert "severity: 2" in issue.labels and "severity: 1" not in issue.labels
    (reply,) = _replies(actions)
    assert "cannot move" in reply.body and "/status stabilized" in reply.body


def test_a_redelivered_command_changes_nothing() -> None:
    issue = recorded(WF)
    trigger, _ = say(issue, "/update rolled back the deploy\n/severity 1")
    assert settled(issue, trigger, WF)
    # Even after someone moved the severity back by hand, the old command stays spent.
    issue.label("severity: 3", actor="bob")
    issue.unlabel("severity: 1", actor="bob")
    actions = decide(trigger, issue.incident(), WF, context(issue.now))
    assert "severity: 1" not in str(actions)
    assert len(issue.incident().ledger.updates) == 1


def test_ack_by_the_lead_is_recorded_and_shown() -> None:
    issue = recorded(WF)
    lead = issue.assignees[0]
    trigger, _ = say(issue, "/ack", author=lead)
    incident = issue.incident()
    assert [a.by for a in incident.ledger.acks] == [lead]
    assert "(on it)" in issue.bot_comments("summary")[0]
    assert settled(issue, trigger, WF)


def test_ack_by_someone_else_explains_how_to_take_over() -> None:
    issue = recorded(WF)
    _, actions = say(issue, "/ack", author="zed")
    (reply,) = _replies(actions)
    assert "/lead @zed" in reply.body
    assert issue.incident().ledger.acks == ()


def test_hand_off_then_ack_in_one_comment() -> None:
    issue = recorded(WF)
    old = issue.assignees[0]
    say(issue, "/lead me\n/ack", author="zed")
    incident = issue.incident()
    assert issue.assignees == ["zed"]
    (handoff,) = incident.ledger.handoffs
    assert (handoff.from_login, handoff.to_login, handoff.by) == (old, "zed", "zed")
    assert f"Hand-off from @{old} to @zed" in issue.bot_comments("summary")[0]


def test_roles_and_updates_land_on_the_summary() -> None:
    issue = recorded(WF)
    say(issue, "/role comms @bob")
    issue.now += MINUTE
    say(issue, "/update Rolled back | error rate falling")
    body = issue.bot_comments("summary")[0]
    assert "Comms: @bob" in body
    assert "Rolled back \\| error rate falling" in body


def test_resolve_closes_and_posts_closeout_and_retro_once() -> None:
    issue = recorded(WF, status="under-investigation")
    trigger, _ = say(issue, "/resolve")
    assert issue.state == "closed"
    assert "status: resolved" in issue.labels
    assert len(issue.bot_comments("closeout")) == 1
    assert len(issue.bot_comments("retro")) == 1
    assert settled(issue, trigger, WF)


def test_wellcome_only_the_delivery_manager_or_an_admin_resolves() -> None:
    wf = wellcome_workflow()
    issue = recorded(wf, status="under-investigation")
    _, actions = say(issue, "/resolve", author="bob", role="write", workflow=wf)
    (reply,) = _replies(actions)
    assert "Only the Delivery manager" in reply.body and "/role delivery-manager" in reply.body
    assert "status: resolved" not in issue.labels

    say(issue, "/role dm @dee", author="bob", workflow=wf)
    _, actions = say(issue, "/resolve", author="bob", role="write", workflow=wf)
    assert "@dee" in _replies(actions)[0].body
    say(issue, "/resolve", author="dee", role="triage", workflow=wf)
    assert "status: resolved" in issue.labels


def test_wellcome_an_admin_may_resolve_without_the_role() -> None:
    wf = wellcome_workflow()
    issue = recorded(wf, status="under-investigation")
    say(issue, "/resolve", author="root", role="admin", workflow=wf)
    assert "status: resolved" in issue.labels


def test_followup_opens_a_critical_linked_issue_for_severity_1_until_stabilized() -> None:
    issue = recorded(WF, severity="1")
    trigger, actions = say(issue, "/followup Add a rollback alarm")
    (followup,) = [a for a in actions if isinstance(a, OpenFollowup)]
    assert followup.title == "Add a rollback alarm"
    assert set(followup.labels) == {"follow-up", "critical"}
    assert f"#{issue.number}" in followup.body
    # The follow-up's number is known only once it exists: the next look lists it, once.
    again = decide(trigger, issue.incident(), WF, context(issue.now))
    assert not any(isinstance(a, OpenFollowup) for a in again)
    issue.apply(again)
    assert "#100 Add a rollback alarm · `critical` (open)" in issue.bot_comments("summary")[0]
    assert settled(issue, trigger, WF)


def test_followup_for_severity_3_is_not_critical() -> None:
    issue = recorded(WF, severity="3")
    _, actions = say(issue, "/followup Tidy the runbook")
    (followup,) = [a for a in actions if isinstance(a, OpenFollowup)]
    assert followup.labels == ("follow-up",)


def test_comments_without_commands_do_nothing() -> None:
    issue = recorded(WF)
    _, actions = say(issue, "Looking at the dashboards now.")
    assert actions == []


def test_the_leads_plain_comment_acks_when_the_workflow_says_so() -> None:
    from dataclasses import replace

    wf = replace(WF, lead=replace(WF.lead, ack_by_any_comment=True))
    issue = recorded(wf)
    lead = issue.assignees[0]
    say(issue, "Looking now", author=lead, workflow=wf)
    assert [a.by for a in issue.incident().ledger.acks] == [lead]


def test_a_command_on_a_bot_comment_trigger_is_ignored() -> None:
    issue = recorded(WF)
    trigger = CommentCreated(1, "incident-bot[bot]", "/resolve", "admin")
    assert decide(trigger, issue.incident(), WF, context(issue.now)) == []
