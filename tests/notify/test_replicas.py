"""Two replicas, each given every delivery at once, send what one server sends: each
notification once (the ledger on GitHub names which replica's record stayed)."""

from __future__ import annotations

from app.web.server import SERVICES
from tests.harness import world
from tests.notify.receivers import FAST_SENDS, Receivers, receivers
from tests.reliability.support import play, replicas


def sent(r: Receivers) -> dict[str, list[str]]:
    return {
        "pagerduty": [b.body["event_action"] for b in r.accepted["pagerduty"]],
        "slack": [b.body["text"].split("\n")[0] for b in r.accepted["slack"]],  # not the port
        "webhook": [f"{b.body['id']} {b.body['event']}" for b in r.accepted["webhook"]],
    }


async def test_two_replicas_send_each_notification_once() -> None:
    async with receivers() as one:
        async with world(notify=one.settings(), notify_policy=FAST_SENDS) as w:
            await play(w.sandbox, w.settle)
        expected = sent(one)
    # Severity 2 declared, raised to 1 (that pages), two statuses, bob takes the lead himself
    # (acknowledges); resolving is refused while the critical follow-up is open.
    assert expected["pagerduty"] == ["trigger", "acknowledge"], expected
    assert [e.split()[1] for e in expected["webhook"]] == [
        "declared",
        "severity_changed",
        "status_changed",
        "status_changed",
        "lead_changed",
        "acknowledged",
    ]

    async with receivers() as two:
        async with replicas(2, notify=two.settings(), notify_policy=FAST_SENDS) as rs:
            await play(rs.sandbox, rs.settle)
            superseded = sum(s[SERVICES].notifier.stats.superseded for s in rs.servers)
        assert sent(two) == expected
        assert not any(two.refused.values())
    assert superseded > 0  # both replicas recorded them; only one of each was sent
