"""Loss: GitHub never redelivers on its own, so lost webhooks are recovered by one sweep."""

from __future__ import annotations

from app.local import LocalWorld
from app.sweep import sweep
from tests.harness import world
from tests.reliability.support import FORM, REPO, EndState, differences, end_state

INCIDENTS = 50
DROPPED = 0.2


async def declare(w: LocalWorld, n: int) -> int:
    """Declared with the form (severity 2): issues.opened, then issues.labeled.

    Only declarations: a lost command comment (`/severity 1`) is not applied by today's
    sweep (see RELIABILITY.md, "not yet").
    """
    status, issue = await w.user("alice").post(
        f"/repos/{REPO}/issues", json={"title": f"Outage {n}", "body": FORM, "labels": ["incident"]}
    )
    assert status == 201
    number = int(issue["number"])
    await w.settle()
    return number


async def expected_state() -> EndState:
    async with world() as w:
        return end_state(w.sandbox, await declare(w, 0))


async def test_one_sweep_recovers_every_incident_after_a_fifth_of_webhooks_were_lost() -> None:
    expected = await expected_state()
    async with world() as w:
        w.sandbox.faults.drop_deliveries(DROPPED, seed=5)
        numbers = [await declare(w, n) for n in range(INCIDENTS)]
        dropped = [d for d in w.sandbox.deliveries if d.dropped]
        people = [d for d in w.sandbox.deliveries if d.payload["sender"]["type"] != "Bot"]
        # The loss really hurt: a fifth of the people's deliveries, and incidents left wrong.
        assert 0.12 < sum(d.dropped for d in people) / len(people) < 0.28
        wrong_before = [n for n in numbers if end_state(w.sandbox, n) != expected]
        assert len(wrong_before) >= 1, len(wrong_before)

        w.sandbox.faults.clear()
        report = await sweep(w.services)
        await w.settle()
        wrong = {
            n: differences(got, expected) for n in numbers if (got := end_state(w.sandbox, n)) != expected
        }
        assert not wrong, f"{len(wrong)} of {INCIDENTS} still wrong after one sweep: {wrong}"
        assert report.incidents == INCIDENTS and report.failed == 0
        assert report.changed >= len(wrong_before)
        assert dropped  # and a second sweep finds nothing left to do
        assert (await sweep(w.services)).changed == 0
