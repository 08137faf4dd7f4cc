"""Hygiene reminders on the sweep: one per period (or per resolve), never a stream."""

from __future__ import annotations

import datetime as dt

from app.core.actions import Reply
from app.core.rules import Sweep
from tests.rules.factories import HOUR, FakeIssue, default_workflow, iso, recorded, run, say

WF = default_workflow()
DAY = dt.timedelta(days=1)


def _sweep(issue: FakeIssue, after: dt.timedelta) -> list[Reply]:
    issue.now += after
    return [a for a in run(issue, Sweep(), WF) if isinstance(a, Reply)]


def _resolved(**fields: object) -> FakeIssue:
    issue = recorded(WF, status="under-investigation", **fields)  # type: ignore[arg-type]
    say(issue, "/resolve")
    return issue


def test_an_untouched_retro_gets_one_reminder_after_two_days() -> None:
    issue = _resolved()
    assert _sweep(issue, DAY) == []
    (reminder,) = _sweep(issue, DAY)
    assert f"@{issue.assignees[0]}" in reminder.body and "retrospective" in reminder.body
    assert _sweep(issue, DAY) == [] and _sweep(issue, 10 * DAY) == []


def test_a_ticked_retro_needs_no_reminder() -> None:
    issue = _resolved()
    retro = next(c for c in issue.comments if "incident-bot:retro" in c["body"])
    retro["body"] = retro["body"].replace("- [ ] 5 whys", "- [x] 5 whys")
    assert _sweep(issue, 3 * DAY) == []


def _with_followup(issue: FakeIssue, touched: dt.datetime, number: int = 30) -> None:
    issue.sub_issues.append(
        {
            "number": number,
            "title": "Add an alert",
            "state": "open",
            "body": "",
            "labels": [{"name": "follow-up"}],
            "created_at": iso(touched),
            "updated_at": iso(touched),
        }
    )


def test_stale_follow_ups_get_one_reminder_a_week() -> None:
    issue = recorded(WF, status="stabilization-pending")
    _with_followup(issue, issue.now)
    assert not [r for r in _sweep(issue, 6 * DAY) if "#30" in r.body]
    (reminder,) = [r for r in _sweep(issue, DAY) if "#30" in r.body]
    assert "have not moved" in reminder.body
    assert not [r for r in _sweep(issue, 6 * DAY) if "#30" in r.body]
    assert [r for r in _sweep(issue, DAY) if "#30" in r.body]


def test_a_touched_follow_up_is_not_stale() -> None:
    issue = recorded(WF, status="stabilization-pending")
    _with_followup(issue, issue.now + 5 * DAY)
    assert not [r for r in _sweep(issue, 8 * DAY) if "#30" in r.body]


def test_stabilized_for_a_week_but_not_resolved_gets_one_reminder_a_week() -> None:
    issue = recorded(WF)
    say(issue, "/status stabilized")
    issue.now += HOUR
    say(issue, "/status under investigation")  # still stabilized: the same stretch
    assert _sweep(issue, 6 * DAY) == []
    (reminder,) = _sweep(issue, DAY)
    assert "stabilized for 7d" in reminder.body and "/resolve" in reminder.body
    assert _sweep(issue, 3 * DAY) == []
    assert len(_sweep(issue, 4 * DAY)) == 1


def test_a_relapse_starts_the_stabilized_week_again() -> None:
    issue = recorded(WF)
    say(issue, "/status stabilized")
    issue.now += 6 * DAY
    say(issue, "/status stabilization pending")
    say(issue, "/status stabilized")
    assert not [r for r in _sweep(issue, 2 * DAY) if "stabilized for" in r.body]


def test_reminders_are_posted_once_per_sweep_however_often_it_runs() -> None:
    issue = _resolved()
    issue.now += 3 * DAY
    first = [a for a in run(issue, Sweep(), WF) if isinstance(a, Reply)]
    again = [a for a in run(issue, Sweep(), WF) if isinstance(a, Reply)]
    assert len(first) == 1 and again == []
