"""Resolving through the sandbox: close-out and retro once, the close gate, the retro timeline."""

from __future__ import annotations

from app.cli.local import LocalWorld
from tests.followups.helpers import REPO, declare, investigate, kind, set_state, sub_issue_numbers
from tests.harness import assignees, bot_comments, comment, labels, world


def _resolved(w: LocalWorld, number: int) -> bool:
    issue = w.sandbox.issue(REPO, number)
    return issue["state"] == "closed" and "status: resolved" in labels(w, REPO, number)


async def _redeliver_all_since(w: LocalWorld, first: int) -> int:
    """Redeliver every original delivery from `first` on; how many the app handled again."""
    processed = w.processor.stats.processed
    for delivery in list(w.sandbox.deliveries)[first:]:
        if not delivery.redelivery:
            await w.sandbox.redeliver(delivery.id)
    await w.settle()
    return w.processor.stats.processed - processed


async def test_resolving_posts_closeout_and_retro_once_however_often_delivered() -> None:
    async with world() as w:
        number = await declare(w, severity="2")
        await investigate(w, number)
        first = len(w.sandbox.deliveries)
        await comment(w, "alice", number, "/resolve")
        assert _resolved(w, number)
        before = w.sandbox.comments(REPO, number)
        assert await _redeliver_all_since(w, first) == 0  # within the hour: duplicates
        w.clock.advance(hours=2)  # past the app's memory of delivery ids (or another replica)
        assert await _redeliver_all_since(w, first) > 0  # handled again
        assert len(kind(w, number, "closeout")) == 1 and len(kind(w, number, "retro")) == 1
        assert w.sandbox.comments(REPO, number) == before


async def test_closing_the_issue_resolves_it_once_however_often_delivered() -> None:
    async with world() as w:
        number = await declare(w, severity="2")
        await investigate(w, number)
        first = len(w.sandbox.deliveries)
        await set_state(w, "bob", number, "closed")
        assert _resolved(w, number)
        w.clock.advance(hours=2)
        assert await _redeliver_all_since(w, first) > 0
        assert len(kind(w, number, "closeout")) == 1 and len(kind(w, number, "retro")) == 1
        assert "Update every comms post" in kind(w, number, "closeout")[0]


async def test_the_gate_reopens_an_incident_with_an_open_critical_followup_once() -> None:
    async with world() as w:
        number = await declare(w, severity="1")
        await comment(w, "alice", number, "/followup Add a circuit breaker")
        (followup,) = sub_issue_numbers(w, number)
        await investigate(w, number)
        await set_state(w, "carol", number, "closed")
        assert w.sandbox.issue(REPO, number)["state"] == "open"
        bodies = [c["body"] for c in bot_comments(w, REPO, number)]
        (reopened,) = [body for body in bodies if "I reopened this incident" in body]
        assert f"#{followup}" in reopened and "/resolve --force" in reopened
        assert "status: under investigation" in labels(w, REPO, number)
        await set_state(w, "carol", number, "closed")  # again: carol means it
        assert _resolved(w, number)
        assert f"#{followup}" in kind(w, number, "closeout")[0]  # still listed as open


async def test_resolve_force_needs_maintain_or_admin() -> None:
    async with world() as w:
        number = await declare(w, severity="1")
        await comment(w, "alice", number, "/followup Add a circuit breaker")
        await investigate(w, number)
        await comment(w, "carol", number, "/resolve")
        await comment(w, "carol", number, "/resolve --force")  # carol has write permission
        assert not _resolved(w, number)
        replies = [body for body in kind(w, number, "reply-") if "@carol" in body]
        assert len(replies) == 2 and "maintain or admin" in replies[1]
        await comment(w, "bob", number, "/resolve --force")  # bob maintains the repository
        assert _resolved(w, number)


async def test_closing_the_critical_followup_lets_the_incident_resolve() -> None:
    async with world() as w:
        number = await declare(w, severity="1")
        await comment(w, "alice", number, "/followup Add a circuit breaker")
        (followup,) = sub_issue_numbers(w, number)
        await investigate(w, number)
        await set_state(w, "bob", followup, "closed")
        await comment(w, "alice", number, "/resolve")
        assert _resolved(w, number)


async def test_the_retro_timeline_is_built_from_the_history_with_durations() -> None:
    async with world() as w:
        number = await declare(w, severity="1")
        assert assignees(w, REPO, number) == ["alice"]
        w.clock.advance(minutes=5)
        await comment(w, "alice", number, "/ack")
        w.clock.advance(minutes=7)
        await comment(w, "carol", number, "/update Rolled back the deploy")
        w.clock.advance(minutes=18)
        await comment(w, "alice", number, "/status stabilized")
        w.clock.advance(minutes=20)
        await comment(w, "dave", number, "/status under investigation")
        w.clock.advance(minutes=70)
        await comment(w, "alice", number, "/resolve")
        (retro,) = kind(w, number, "retro")
        assert "Time to acknowledge: 5m · to stabilize: 30m · to resolve: 2h 00m" in retro
        assert "| 2026-11-02 09:12 UTC | Update: Rolled back the deploy | @carol |" in retro
        assert "@alice, you lead this incident" in retro and "assigned to you" in retro
        who = retro.split("**Who attends:** ")[1].splitlines()[0]
        assert who.split()[0] == "@alice" and "@carol" in who and "@dave" in who
        assert assignees(w, REPO, number) == ["alice"]


async def test_resolved_again_the_retro_is_edited_in_place() -> None:
    async with world() as w:
        number = await declare(w, severity="2")
        await investigate(w, number)
        await comment(w, "alice", number, "/resolve")
        w.clock.advance(hours=3)
        await set_state(w, "bob", number, "open")  # it happened again
        assert "status: stabilization pending" in labels(w, REPO, number)
        await investigate(w, number)
        await comment(w, "alice", number, "/resolve")
        (retro,) = kind(w, number, "retro")
        assert "Issue reopened" in retro
        assert len(kind(w, number, "closeout")) == 1
