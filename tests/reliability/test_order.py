"""Order: an incident's deliveries shuffled still end in the state they give in order."""

from __future__ import annotations

import pytest

from app.cli.local import LocalWorld
from app.service.webhook import Delivery
from tests.harness import world
from tests.reliability.support import FORM, REPO, EndState, end_state

# Sent in one burst, before the app has answered any of them.
BURST = (
    ("dave", "/severity 1"),
    ("bob", "/update Rolled back the deploy"),
    ("alice", "/followup Add an alert on checkout errors"),
    ("bob", "/role comms @carol"),
)


async def burst(w: LocalWorld) -> int:
    """Declare (issues.opened, then a labeled per label) and comment, all without waiting."""
    alice = w.user("alice")
    status, issue = await alice.post(
        f"/repos/{REPO}/issues",
        json={"title": "Checkout down", "body": FORM, "labels": ["incident", "severity: 2"]},
    )
    assert status == 201
    number = int(issue["number"])
    for who, body in BURST:
        status, _ = await w.user(who).post(f"/repos/{REPO}/issues/{number}/comments", json={"body": body})
        assert status == 201
    await w.settle()
    # Then one step at a time, the app's own deliveries shuffled with the people's.
    for who, body in (("alice", "/status stabilized"), ("alice", "/status under-investigation")):
        await w.user(who).post(f"/repos/{REPO}/issues/{number}/comments", json={"body": body})
        await w.settle()
    return number


async def in_order() -> EndState:
    async with world() as w:
        return end_state(w.sandbox, await burst(w))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_shuffled_deliveries_end_in_the_same_state(seed: int) -> None:
    expected = await in_order()
    async with world() as w:
        received: list[str] = []
        accept = w.processor.accept

        def recording(delivery: Delivery) -> str:
            received.append(delivery.id)
            return accept(delivery)

        w.processor.accept = recording  # type: ignore[method-assign]
        w.sandbox.faults.reorder_deliveries(window=8, seed=seed)
        number = await burst(w)
        emitted = [d.id for d in w.sandbox.deliveries]
        assert sorted(received) == sorted(emitted) and received != emitted  # really shuffled
        assert end_state(w.sandbox, number) == expected
