"""Hygiene reminders through the sandbox and the sweep: one per period, on the incident."""

from __future__ import annotations

from app.cli.local import LocalWorld
from app.service.sweep import sweep
from tests.followups.helpers import REPO, declare, investigate, kind, sub_issue_numbers
from tests.harness import comment, world


async def _sweep_after(w: LocalWorld, days: float) -> None:
    w.clock.advance(days=days)
    await sweep(w.services)
    await w.settle()


async def test_stabilized_for_a_week_and_stale_followups_are_reminded_weekly() -> None:
    async with world() as w:
        number = await declare(w, severity="2")
        await comment(w, "alice", number, "/followup Add an alert")
        (followup,) = sub_issue_numbers(w, number)
        await investigate(w, number)
        await _sweep_after(w, days=6)
        assert kind(w, number, "stabilized-stale") == [] and kind(w, number, "stale-followups") == []
        await _sweep_after(w, days=1.1)
        (stabilized,) = kind(w, number, "stabilized-stale")
        (stale,) = kind(w, number, "stale-followups")
        assert "@alice" in stabilized and "/resolve" in stabilized
        assert f"#{followup}" in stale
        await _sweep_after(w, days=3)
        assert len(kind(w, number, "stabilized-stale")) == 1  # not a stream
        await _sweep_after(w, days=4.5)
        assert len(kind(w, number, "stabilized-stale")) == 2 and len(kind(w, number, "stale-followups")) == 2


async def test_an_untouched_retro_is_reminded_once() -> None:
    async with world() as w:
        # Resolved incidents stay open here, so the sweep (open incidents) still visits them.
        w.sandbox.add_file(REPO, ".github/incidents.yml", "resolve_on_close: false\n")
        number = await declare(w, severity="3")
        await investigate(w, number)
        await comment(w, "alice", number, "/resolve")
        await _sweep_after(w, days=1)
        assert kind(w, number, "retro-reminder") == []
        await _sweep_after(w, days=1.1)
        (reminder,) = kind(w, number, "retro-reminder")
        assert "@alice" in reminder and "retrospective" in reminder
        await _sweep_after(w, days=7)
        assert len(kind(w, number, "retro-reminder")) == 1


async def test_a_closed_resolved_incident_still_gets_its_retro_reminder() -> None:
    async with world() as w:
        number = await declare(w, severity="3")
        await investigate(w, number)
        await comment(w, "alice", number, "/resolve")
        assert w.sandbox.issue(REPO, number)["state"] == "closed"
        await _sweep_after(w, days=2.1)
        assert len(kind(w, number, "retro-reminder")) == 1
        await _sweep_after(w, days=1)
        assert len(kind(w, number, "retro-reminder")) == 1
