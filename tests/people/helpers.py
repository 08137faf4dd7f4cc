"""Shared steps for the people tests: a repository config, a sweep, what the bot wrote."""

from __future__ import annotations

from app.cli.local import LocalWorld
from app.service.sweep import SweepReport, sweep
from tests.harness import app_requests, bot_comments, open_issue

REPO = "acme/web"
# T0 (tests.common) is Monday 2026-11-02: with this start, week two of the rotation, bob's.
ROTATION = "rotation: {period: weekly, members: [alice, bob, carol], start: 2026-10-26}"


def configure(w: LocalWorld, text: str) -> None:
    w.sandbox.add_file(REPO, ".github/incidents.yml", text)


async def declare(w: LocalWorld, severity: str = "1", by: str = "alice") -> int:
    labels = ["incident", f"severity: {severity}"]
    return await open_issue(w, by, title="Checkout is down", body="Nothing loads.", labels=labels)


async def sweep_after(w: LocalWorld, minutes: float = 0) -> SweepReport:
    """Move the clock, sweep once, let the webhooks the sweep caused play out."""
    w.clock.advance(minutes=minutes)
    report = await sweep(w.services)
    await w.settle()
    return report


def pings(w: LocalWorld, number: int, kind: str) -> list[str]:
    """The bot's comments of one kind (by marker prefix), oldest first."""
    tag = f"<!-- incident-bot:{kind}"
    return [c["body"] for c in bot_comments(w, REPO, number) if c["body"].startswith(tag)]


def summary(w: LocalWorld, number: int) -> str:
    (body,) = pings(w, number, "summary")
    return body


def writes(w: LocalWorld) -> int:
    """How many changing requests the app has made so far."""
    return sum(1 for r in app_requests(w) if r.method != "GET" and r.actor.startswith("installation:"))
