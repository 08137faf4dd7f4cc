"""The timeline, rebuilt from the issue alone, with fixed timestamps."""

from __future__ import annotations

import datetime as dt

from app.core import timeline
from app.core.durations import format_duration
from app.core.rules import Closed, Labeled
from tests.rules.factories import (
    MINUTE,
    T0,
    FakeIssue,
    default_workflow,
    recorded,
    run,
    say,
)

WF = default_workflow()


def _life() -> FakeIssue:
    issue = recorded(WF, severity="2")  # declared at T0 by the reporter
    lead = issue.assignees[0]
    issue.now = T0 + 7 * MINUTE
    say(issue, "/ack", author=lead)
    issue.now = T0 + 20 * MINUTE
    issue.label("severity: 1", actor="bob")
    run(issue, Labeled("severity: 1", "bob"), WF)
    issue.now = T0 + 45 * MINUTE
    say(issue, "/status stabilized\n/update rolled back", author=lead)
    issue.now = T0 + 50 * MINUTE
    say(issue, "/lead @dana", author=lead)
    issue.now = T0 + 2 * 60 * MINUTE
    say(issue, "/status under investigation", author="dana")
    issue.now = T0 + 26 * 60 * MINUTE
    issue.set_state("closed", "dana")
    run(issue, Closed("dana"), WF)
    return issue


def test_durations_from_declaration() -> None:
    line = timeline.build(_life().incident(), WF)
    assert line.declared_at == T0
    assert line.declared_by == "reporter"
    assert line.time_to_acknowledge == 7 * MINUTE
    assert line.time_to_stabilize == 45 * MINUTE
    assert line.time_to_resolve == dt.timedelta(hours=26)


def test_entries_in_order_with_who() -> None:
    line = timeline.build(_life().incident(), WF)
    whats = [(e.at - T0, e.what, e.by) for e in line.entries]
    expected = [
        (7 * MINUTE, "Acknowledged", "alice"),
        (20 * MINUTE, "Severity 1 (Critical)", "bob"),
        (45 * MINUTE, "Status: Stabilized", "alice"),  # the bot carried out alice's /status
        (45 * MINUTE, "Update: rolled back", "alice"),
        (50 * MINUTE, "Hand-off from @alice to @dana", "alice"),
        (26 * 60 * MINUTE, "Status: Resolved", ""),
        (26 * 60 * MINUTE, "Issue closed", "dana"),
    ]
    for item in expected:
        assert item in whats
    assert whats[0] == (dt.timedelta(0), "Declared", "reporter")
    assert [w[0] for w in whats] == sorted(w[0] for w in whats)


def test_a_refused_transition_leaves_no_trace() -> None:
    issue = recorded(WF, status="stabilization-pending")
    issue.now += MINUTE
    issue.label("status: resolved", actor="bob")
    run(issue, Labeled("status: resolved", "bob"), WF)
    whats = [e.what for e in timeline.build(issue.incident(), WF).entries]
    assert "Status: Resolved" not in whats
    assert timeline.build(issue.incident(), WF).resolved_at is None


def test_the_summary_shows_the_table_and_durations() -> None:
    body = _life().bot_comments("summary")[0]
    assert "| 2026-11-02 09:07 UTC | Acknowledged | @alice |" in body
    assert "Time to acknowledge: 7m · to stabilize: 45m · to resolve: 1d 2h" in body


def test_format_duration() -> None:
    assert format_duration(None) == "—"
    assert format_duration(dt.timedelta(minutes=5)) == "5m"
    assert format_duration(dt.timedelta(hours=2, minutes=5)) == "2h 05m"
    assert format_duration(dt.timedelta(days=3, hours=4)) == "3d 4h"


def test_rebuilt_after_a_restart_from_github_json_alone() -> None:
    issue = _life()
    first = timeline.build(issue.incident(), WF)
    again = timeline.build(issue.incident(), WF)  # a fresh parse, as another replica would
    assert first == again


def test_every_spelling_of_a_command_credits_its_author() -> None:
    """The timeline reads commands through the one grammar: /resolved and /sev as /resolve and /severity."""
    for resolve, severity in (("/resolve", "/severity 1"), ("/resolved", "/sev 1"), ("/RESOLVED", "/Sev 1")):
        issue = recorded(WF, severity="2")
        lead = issue.assignees[0]
        issue.now = T0 + 10 * MINUTE
        say(issue, severity, author=lead)
        issue.now = T0 + 30 * MINUTE
        say(issue, "/status stabilized", author=lead)
        issue.now = T0 + 40 * MINUTE
        say(issue, "/status under investigation", author=lead)
        issue.now = T0 + 60 * MINUTE
        say(issue, resolve, author=lead)
        whats = [(e.what, e.by) for e in timeline.build(issue.incident(), WF).entries]
        assert ("Severity 1 (Critical)", lead) in whats, (severity, whats)
        assert ("Status: Resolved", lead) in whats, (resolve, whats)
