"""The sweep's reminders: one per missed cadence window, escalation until someone acknowledges."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from app.core.actions import Reply
from app.core.durations import format_duration
from app.core.rules import Sweep
from app.core.rules.reminders import missed_windows
from app.workflow.model import Workflow
from tests.rules.factories import (
    MINUTE,
    T0,
    FakeIssue,
    default_workflow,
    recorded,
    rotation_policy,
    run,
    say,
    settled,
)

WF = default_workflow()
ROTA = default_workflow(lead=rotation_policy(escalation=("dana",)))


def _sweep(issue: FakeIssue, minutes: int, workflow: Workflow = WF) -> list[str]:
    """Sweep at T0 + minutes; the bodies of the new comments it posts."""
    issue.now = T0 + minutes * MINUTE
    actions = run(issue, Sweep(), workflow)
    return [a.body for a in actions if isinstance(a, Reply)]


@pytest.mark.parametrize(("minutes", "expected"), [(0, 0), (59, 0), (60, 1), (119, 1), (120, 2), (-5, 0)])
def test_missed_windows_count_whole_windows_since_the_start(minutes: int, expected: int) -> None:
    assert missed_windows(T0, dt.timedelta(hours=1), T0 + minutes * MINUTE) == expected


def test_reminders_write_durations_as_the_summary_does() -> None:
    """One formatter for every bot text: a thread never shows "2h 5m" beside "2h 05m"."""
    assert [format_duration(d * MINUTE) for d in (15, 60, 90, 24 * 60)] == [
        "15m",
        "1h 00m",
        "1h 30m",
        "1d 0h",
    ]


def test_one_update_reminder_per_missed_window_across_repeated_sweeps() -> None:
    issue = recorded(WF, severity="1")
    lead = issue.assignees[0]
    say(issue, "/ack", author=lead)  # acknowledged: only the cadence is left to remind
    assert _sweep(issue, 59) == []
    (first,) = _sweep(issue, 61)
    assert f"@{lead}" in first and "/update TEXT" in first and "every 1h" in first
    assert _sweep(issue, 61) == [] and _sweep(issue, 119) == []
    assert len(_sweep(issue, 121)) == 1
    assert _sweep(issue, 150) == []
    assert settled(issue, Sweep(), WF)
    assert len(issue.bot_comments()) == 3  # the summary and two reminders


def test_an_update_restarts_the_cadence() -> None:
    issue = recorded(WF, severity="1")
    lead = issue.assignees[0]
    issue.now = T0 + 50 * MINUTE
    say(issue, "/ack\n/update rolled back the deploy", author=lead)
    assert _sweep(issue, 61) == [] and _sweep(issue, 109) == []
    (reminder,) = _sweep(issue, 111)
    assert "no update for 1h 01m" in reminder


def test_the_ledger_keeps_only_the_current_cadence_keys() -> None:
    issue = recorded(WF, severity="1")
    lead = issue.assignees[0]
    _sweep(issue, 61)
    issue.now = T0 + 70 * MINUTE
    say(issue, "/update still looking", author=lead)
    _sweep(issue, 131)
    sent = [k for k in issue.incident().ledger.sent if k.startswith("update-reminder")]
    assert len(sent) == 1 and sent[0].endswith(":1")


@pytest.mark.parametrize("status", ["stabilized", "resolved"])
def test_no_reminder_once_the_service_is_restored(status: str) -> None:
    issue = recorded(WF, severity="1", status=status)
    assert _sweep(issue, 24 * 60) == []
    assert settled(issue, Sweep(), WF)


def test_no_reminder_into_a_closed_or_untracked_issue() -> None:
    workflow = replace(WF, resolve_on_close=False)
    closed = recorded(workflow, severity="1")
    closed.set_state("closed", "alice")
    assert _sweep(closed, 180, workflow) == []
    untracked = recorded(WF, severity="1")
    untracked.unlabel("incident")
    assert _sweep(untracked, 180) == []


def test_unacknowledged_incident_escalates_once_to_the_next_in_rotation() -> None:
    issue = recorded(ROTA, severity="1")
    assert issue.assignees == ["alice"]  # on duty in the rotation's first week
    assert _sweep(issue, 14, ROTA) == []
    (ping,) = _sweep(issue, 16, ROTA)
    assert ping.startswith("<!-- incident-bot:escalation:bob -->")
    assert "@bob" in ping and "@alice has not acknowledged" in ping and "/lead @bob" in ping
    assert _sweep(issue, 16, ROTA) == [] and _sweep(issue, 29, ROTA) == []
    summary = issue.bot_comments("summary")[0]
    assert "Escalated to @bob: not acknowledged in time" in summary


def test_escalation_walks_the_rotation_then_the_escalation_list() -> None:
    issue = recorded(ROTA, severity="1")
    pinged = [_sweep(issue, m, ROTA) for m in (16, 31, 46, 61, 76)]
    who = [b.split("\n")[0] for bodies in pinged for b in bodies if "escalation" in b]
    assert who == [
        "<!-- incident-bot:escalation:bob -->",
        "<!-- incident-bot:escalation:carol -->",
        "<!-- incident-bot:escalation:dana -->",
    ]


def test_ack_stops_the_escalation() -> None:
    issue = recorded(ROTA, severity="1")
    assert len(_sweep(issue, 16, ROTA)) == 1
    issue.now = T0 + 20 * MINUTE
    say(issue, "/ack", author="alice", workflow=ROTA)
    assert [b for m in (31, 46, 59) for b in _sweep(issue, m, ROTA)] == []


def test_a_hand_off_restarts_the_acknowledgement_clock() -> None:
    issue = recorded(ROTA, severity="1")
    issue.now = T0 + 10 * MINUTE
    say(issue, "/lead @carol", author="alice", workflow=ROTA)
    assert _sweep(issue, 16, ROTA) == []
    (ping,) = _sweep(issue, 26, ROTA)
    assert "@carol has not acknowledged" in ping and "escalation:alice" in ping


def test_any_comment_from_the_lead_acknowledges_when_the_workflow_says_so() -> None:
    policy = replace(ROTA.lead, ack_by_any_comment=True)
    workflow = replace(ROTA, lead=policy)
    issue = recorded(workflow, severity="1")
    issue.now = T0 + 5 * MINUTE
    say(issue, "Looking at it, the deploy broke search.", author="alice", workflow=workflow)
    assert _sweep(issue, 30, workflow) == []


def test_a_plain_comment_does_not_acknowledge_by_default() -> None:
    issue = recorded(ROTA, severity="1")
    issue.now = T0 + 5 * MINUTE
    say(issue, "Looking at it.", author="alice", workflow=ROTA)
    assert len(_sweep(issue, 16, ROTA)) == 1


def test_the_new_lead_is_pinged_with_next_steps_on_hand_off() -> None:
    issue = recorded(WF, severity="1")
    old = issue.assignees[0]
    _, actions = say(issue, "/lead @zed", author=old)
    (ping,) = [a for a in actions if isinstance(a, Reply)]
    assert f"@zed you now lead this incident (hand-off from @{old})" in ping.body
    assert "`/ack`" in ping.body and "every 1h" in ping.body
    assert f"Hand-off from @{old} to @zed" in issue.bot_comments("summary")[0]
    _, again = say(issue, "/lead me", author="zed")
    assert not [a for a in again if isinstance(a, Reply)]  # taking it yourself needs no ping


def test_a_late_sweep_pings_one_person_and_gives_them_a_full_deadline() -> None:
    issue = recorded(ROTA, severity="1")
    assert len(_sweep(issue, 61, ROTA)) == 2  # the escalation and the update reminder
    assert _sweep(issue, 61, ROTA) == [] and _sweep(issue, 75, ROTA) == []
    (ping,) = _sweep(issue, 76, ROTA)
    assert "escalation:carol" in ping
