"""The clock: reminders, escalation and lost webhooks, by moving time and sweeping."""

from __future__ import annotations

import logging

import pytest

from tests.harness import assignees, bot_comments, comment, labels, open_issue, world
from tests.people.helpers import (
    REPO,
    ROTATION,
    configure,
    declare,
    pings,
    summary,
    sweep_after,
    writes,
)

ESCALATING = f"lead:\n  {ROTATION}\n  escalation: [dave]\n"
QUIET = {"update-reminder", "escalation"}


async def test_an_unacknowledged_severity_1_is_escalated_once_to_the_next_person() -> None:
    async with world() as w:
        configure(w, ESCALATING)
        number = await declare(w)
        assert assignees(w, REPO, number) == ["bob"]
        await sweep_after(w, minutes=14)
        assert pings(w, number, "escalation") == []
        await sweep_after(w, minutes=2)  # 16 minutes: past severity 1's 15 minutes
        await sweep_after(w)
        await sweep_after(w, minutes=10)
        (ping,) = pings(w, number, "escalation")
        assert ping.startswith("<!-- incident-bot:escalation:carol -->")
        assert "@carol" in ping and "@bob has not acknowledged" in ping
        assert "Escalated to @carol" in summary(w, number)


async def test_ack_stops_the_escalation() -> None:
    async with world() as w:
        configure(w, ESCALATING)
        number = await declare(w)
        await sweep_after(w, minutes=16)
        assert len(pings(w, number, "escalation")) == 1
        w.clock.advance(minutes=2)
        await comment(w, "bob", number, "/ack")
        for _ in range(4):  # without the /ack, alice and then dave would be next
            await sweep_after(w, minutes=15)
        assert len(pings(w, number, "escalation")) == 1
        assert "@bob (on it)" in summary(w, number)


async def test_a_plain_comment_from_the_lead_acknowledges_when_configured() -> None:
    async with world() as w:
        configure(w, ESCALATING + "  ack_by_any_comment: true\n")
        number = await declare(w)
        await comment(w, "bob", number, "Looking at the deploy log now.")
        await sweep_after(w, minutes=40)
        assert pings(w, number, "escalation") == []
        assert "Acknowledged" in summary(w, number)


async def test_a_missed_cadence_gets_one_reminder_per_window() -> None:
    async with world() as w:
        number = await declare(w)
        lead = assignees(w, REPO, number)[0]
        await comment(w, lead, number, "/ack")
        counts = []
        for minutes in (30, 29, 2, 0, 29, 31, 0, 30):  # 30, 59, 61, 61, 90, 121, 121, 151
            await sweep_after(w, minutes=minutes)
            counts.append(len(pings(w, number, "update-reminder")))
        assert counts == [0, 0, 1, 1, 1, 2, 2, 2]
        first = pings(w, number, "update-reminder")[0]
        assert f"@{lead}" in first and "/update TEXT" in first


async def test_a_second_sweep_in_a_row_changes_nothing() -> None:
    async with world() as w:
        configure(w, ESCALATING)
        number = await declare(w)
        report = await sweep_after(w, minutes=61)  # unacknowledged and no update: both pings
        assert report.changed == 1
        assert {kind for kind in QUIET if pings(w, number, kind)} == QUIET
        before = writes(w)
        again = await sweep_after(w)
        assert (again.incidents, again.changed, again.failed) == (1, 0, 0)
        assert writes(w) == before


async def test_a_resolved_incident_gets_nothing_from_the_sweep() -> None:
    async with world() as w:
        number = await declare(w)
        lead = assignees(w, REPO, number)[0]
        for step in ("/ack", "/status stabilized", "/status under investigation", "/resolve"):
            await comment(w, lead, number, step)
        assert w.sandbox.issue(REPO, number)["state"] == "closed"
        seen = len(bot_comments(w, REPO, number))
        report = await sweep_after(w, minutes=6 * 60)
        assert report.changed == 0  # looked at (its retro may be due later), left alone
        assert len(bot_comments(w, REPO, number)) == seen


async def test_an_incident_whose_webhooks_were_lost_is_brought_up_to_date() -> None:
    async with world() as w:
        configure(w, f"lead:\n  {ROTATION}\n")
        w.sandbox.faults.drop_deliveries(1.0)
        number = await open_issue(w, "alice", title="Checkout is down")
        status, _ = await w.user("alice").post(
            f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["incident"]}
        )
        assert status == 200
        await w.settle()
        assert bot_comments(w, REPO, number) == []  # the app never heard of it
        w.sandbox.faults.deliveries.clear()
        report = await sweep_after(w, minutes=5)
        assert (report.incidents, report.changed) == (1, 1)
        assert labels(w, REPO, number) == {"incident", "severity: 2", "status: stabilization pending"}
        assert assignees(w, REPO, number) == ["bob"]
        assert "Declared by @alice" in summary(w, number)


async def test_one_failing_incident_is_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    async with world() as w:
        w.sandbox.faults.drop_deliveries(1.0)  # both need the sweep to be recorded
        broken = await declare(w)
        fine = await declare(w)
        w.sandbox.faults.deliveries.clear()
        w.sandbox.faults.add(method="GET", path=f"/issues/{broken}/comments", status=500, times=None)
        with caplog.at_level(logging.ERROR, logger="app.service.sweep"):
            report = await sweep_after(w)
        assert (report.incidents, report.changed, report.failed) == (2, 1, 1)
        assert pings(w, fine, "summary") and not bot_comments(w, REPO, broken)
        assert any(f"#{broken} failed" in r.getMessage() for r in caplog.records)
