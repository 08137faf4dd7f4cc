"""Idempotency: a delivery sent five times, or handled by two replicas at once, has the
effects of one (no duplicate comments, labels, follow-ups or pings)."""

from __future__ import annotations

from tests.harness import world
from tests.reliability.support import differences, end_state, play, reference, replicas, writes

COPIES = 5


async def test_each_delivery_five_times_gives_one_set_of_effects() -> None:
    expected = await reference()
    async with world() as w:
        # Two copies of every delivery while the incident runs, the copy right behind the
        # original (GitHub's redelivery keeps the X-GitHub-Delivery id)...
        w.sandbox.faults.duplicate_deliveries(1.0)
        number = await play(w.sandbox, w.settle)
        w.sandbox.faults.clear()
        assert (got := end_state(w.sandbox, number)) == expected, differences(got, expected)
        originals = list(dict.fromkeys(d.id for d in w.sandbox.deliveries))
        before = writes(w)
        # ...then three more of each, each round after a "restart" (the dedupe cache is
        # lost), so the handlers really run again on a finished incident.
        for _ in range(COPIES - 2):
            w.processor._seen.clear()
            for delivery_id in originals:
                await w.sandbox.redeliver(delivery_id)
            await w.settle()
        sent = [d.id for d in w.sandbox.deliveries]
        assert all(sent.count(i) == COPIES for i in originals)
        assert (got := end_state(w.sandbox, number)) == expected, differences(got, expected)
        assert writes(w) == before, "a repeated delivery wrote to GitHub"
        assert len(originals) >= 30  # 39 today: the figure in RELIABILITY.md


async def test_two_replicas_each_given_every_delivery_give_one_set_of_effects() -> None:
    expected = await reference()
    async with replicas(2) as r:
        number = await play(r.sandbox, r.settle)
        got = end_state(r.sandbox, number)
        assert got.counts() == expected.counts()
        assert got == expected
        # Both replicas really handled the deliveries (each has its own dedupe cache).
        assert all(p.stats.processed + p.stats.ignored >= 20 for p in r.processors)
