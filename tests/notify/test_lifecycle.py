"""A whole incident through the server and the sandbox, with PagerDuty, Slack and the signed
webhook pointed at local receivers: exactly the expected notifications, once each."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.cli.local import LocalWorld
from tests.harness import comment, world
from tests.notify.helpers import metric
from tests.notify.receivers import FAST_SENDS, Receivers, receivers
from tests.people.helpers import REPO, ROTATION, configure, declare, sweep_after

CONFIG = f"lead:\n  {ROTATION}\n  escalation: [dave]\n"


@asynccontextmanager
async def notify_world(*channels: str) -> AsyncIterator[tuple[LocalWorld, Receivers]]:
    async with receivers() as r, world(notify=r.settings(*channels), notify_policy=FAST_SENDS) as w:
        configure(w, CONFIG)
        yield w, r


async def play(w: LocalWorld) -> int:
    """Declare (bob leads, by the rotation), nobody acknowledges, the sweep escalates to
    carol, bob acknowledges, then works it through to resolved."""
    number = await declare(w)
    await sweep_after(w, minutes=16)
    w.clock.advance(minutes=2)
    await comment(w, "bob", number, "/ack")
    for step in ("/status stabilized", "/status under investigation", "/resolve"):
        w.clock.advance(minutes=20)
        await comment(w, "bob", number, step)
    await sweep_after(w, minutes=5)
    return number


async def redeliver_everything(w: LocalWorld, times: int) -> None:
    """Every delivery again, each round after a "restart" (the dedupe cache lost), then a sweep."""
    originals = list(dict.fromkeys(d.id for d in w.sandbox.deliveries))
    for _ in range(times):
        w.processor._seen.clear()
        for delivery_id in originals:
            await w.sandbox.redeliver(delivery_id)
        await w.settle()
        await sweep_after(w)


WEBHOOK_EVENTS = [
    "declared",
    "escalated",
    "acknowledged",
    "status_changed",
    "status_changed",
    "status_changed",
    "resolved",
    "retrospective",
]


async def test_a_whole_incident_sends_each_notification_once_even_redelivered_three_times() -> None:
    async with notify_world() as (w, r):
        number = await play(w)
        assert number == 1
        await redeliver_everything(w, 3)
        url = w.sandbox.issue(REPO, number)["html_url"]

        # PagerDuty: paged on declaration (severity 1 pages in the default workflow), paged
        # again when the sweep escalated, acknowledged by /ack, resolved with the incident.
        assert [action for action, _ in r.pagerduty()] == ["trigger", "trigger", "acknowledge", "resolve"]
        first = r.accepted["pagerduty"][0].body
        assert first["dedup_key"] == url and {b.body["dedup_key"] for b in r.accepted["pagerduty"]} == {url}
        assert first["payload"]["severity"] == "critical"
        assert first["payload"]["source"] == REPO
        assert "Checkout is down" in first["payload"]["summary"]
        assert first["links"] == [{"href": url, "text": "Checkout is down"}]
        assert "escalated to @carol" in r.pagerduty()[1][1]

        # Chat: the default workflow's list (declared, severity changed, escalated, resolved,
        # retrospective); every message links the issue.
        texts = [m.body["text"] for m in r.accepted["slack"]]
        assert len(texts) == 4, texts
        assert "declared: Checkout is down" in texts[0] and "lead @bob" in texts[0]
        assert "escalated to @carol" in texts[1]
        assert "resolved after 1h 18m" in texts[2] and "acknowledged after 18m" in texts[2]
        assert "retrospective" in texts[3]
        assert all(t.endswith(url) for t in texts)

        # The signed webhook: every change of state, numbered, each id once.
        assert r.events() == WEBHOOK_EVENTS
        ids = [m.body["id"] for m in r.accepted["webhook"]]
        assert ids == [f"{REPO}#1/{n}" for n in range(1, len(WEBHOOK_EVENTS) + 1)]
        statuses = [
            m.body["change"]["to"] for m in r.accepted["webhook"] if m.body["event"] == "status_changed"
        ]
        assert statuses == ["stabilized", "under-investigation", "resolved"]
        resolved = next(m.body for m in r.accepted["webhook"] if m.body["event"] == "resolved")
        assert resolved["change"]["to_resolve_seconds"] == 78 * 60
        assert resolved["incident"]["severity"] == {"key": "1", "name": "Critical"}
        assert not any(r.refused.values()), r.refused

        # /metrics counts them by channel.
        assert await metric(w, "notifications_total", channel="pagerduty", outcome="sent") == 4
        assert await metric(w, "notifications_total", channel="webhook", outcome="sent") == 8
        assert await metric(w, "notifications_total", channel="slack", outcome="failed") == 0
