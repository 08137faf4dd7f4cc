"""The ledger: round-trips, survives hostile text and corruption, stays small."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core import ledger as codec
from app.core.ledger import Ack, Handoff, Ledger, RoleAssignment, Update
from app.core.texts import summary
from tests.rules.factories import T0, default_workflow, recorded

HOSTILE = "--> <script>alert(1)</script> <!-- x --- >> -- -->"


def _full() -> Ledger:
    return Ledger(
        declared_by="alice",
        declared_at=T0,
        acks=(Ack("bob", T0, 1),),
        updates=(Update("bob", T0, HOSTILE, 2), Update("bob", T0, "plain", 3)),
        roles=(RoleAssignment("comms", "carol", "bob", T0, 4),),
        handoffs=(Handoff(None, "bob", "alice", T0, 5), Handoff("bob", "dana", "dana", T0, 6)),
        sent=("ack-escalation-1",),
        processed=(1, 2, 3),
    )


def test_round_trip() -> None:
    assert codec.decode(codec.encode(_full())) == _full()


def test_hostile_text_cannot_end_the_hidden_comment() -> None:
    block = codec.encode(_full())
    inner = block[len(codec.LEDGER_OPEN) : -len(codec.LEDGER_CLOSE)]
    assert "--" not in inner and ">" not in inner and "<" not in inner
    assert block.count("-->") == 1 and block.endswith("-->")


@pytest.mark.parametrize(
    "body",
    [
        None,
        "",
        "no ledger here",
        "<!-- incident-bot:ledger {not json} -->",
        '<!-- incident-bot:ledger {"ack": [["a"]]} -->',
        '<!-- incident-bot:ledger {"ack": [["a", "yesterday", 1]]} -->',
        '<!-- incident-bot:ledger {"upd": 5} -->',
        "<!-- incident-bot:ledger [1, 2] -->",
        '<!-- incident-bot:ledger {"da": 99999999999999999999} -->',
    ],
)
def test_missing_or_corrupt_blocks_start_fresh(body: str | None) -> None:
    assert codec.decode(body) == Ledger()


def test_processed_ids() -> None:
    ledger = Ledger().mark_processed(7).mark_processed(7).mark_processed(8)
    assert ledger.processed == (7, 8)
    assert ledger.has_processed(7) and not ledger.has_processed(9)
    many = Ledger()
    for comment_id in range(codec.PROCESSED_MAX + 10):
        many = many.mark_processed(comment_id)
    assert len(many.processed) == codec.PROCESSED_MAX
    assert many.has_processed(codec.PROCESSED_MAX + 9)


def test_update_texts_are_bounded() -> None:
    ledger = Ledger().with_update(Update("a", T0, "x" * 5000, 1))
    assert len(ledger.updates[0].text) == codec.UPDATE_TEXT_MAX


def test_the_summary_stays_under_githubs_limit_dropping_oldest_updates_first() -> None:
    workflow = default_workflow()
    incident = recorded(workflow).incident()
    updates = tuple(
        Update("bob", T0 + dt.timedelta(minutes=i), f"u{i:03d} " + "y" * 990, i) for i in range(200)
    )
    big = incident.with_ledger(Ledger(updates=updates))
    body = summary.render(big, workflow, T0)
    assert len(body) < summary.COMMENT_LIMIT
    kept = codec.decode(body).updates
    assert len(kept) == 200  # the entries stay; only texts go
    assert kept[0].text == "" and kept[-1].text.startswith("u199")


def test_the_incident_reads_its_ledger_from_the_summary_comment() -> None:
    issue = recorded(default_workflow())
    assert issue.incident().ledger.declared_by == "reporter"
    issue.comments[0]["body"] = issue.comments[0]["body"].replace("ledger {", "ledger {{")
    assert issue.incident().ledger == Ledger()
