"""Choosing the lead: rotation by the rotation's own calendar, away people, equity."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core.lead import choose_lead, escalation_chain, next_escalation
from app.workflow.model import LeadPolicy
from tests.rules.factories import rotation_policy

UTC = dt.UTC


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).astimezone(UTC)


def _lead(policy: LeadPolicy, at: str, counts: dict[str, int] | None = None) -> str | None:
    return choose_lead(policy, now=_at(at), declarer="decl", equity_counts=counts or {})


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-02T00:00:00+00:00", "alice"),  # start day, Monday
        ("2026-11-08T23:59:59+00:00", "alice"),  # last second of week one
        ("2026-11-09T00:00:00+00:00", "bob"),  # week two
        ("2026-11-16T08:00:00+00:00", "carol"),
        ("2026-11-23T08:00:00+00:00", "alice"),  # wraps around
        ("2026-10-26T08:00:00+00:00", "carol"),  # the week before the start: the turn before
    ],
)
def test_weekly_rotation_across_week_boundaries(at: str, expected: str) -> None:
    assert _lead(rotation_policy(), at) == expected


def test_daily_rotation() -> None:
    policy = rotation_policy(period="daily")
    assert [_lead(policy, f"2026-11-{d:02d}T12:00:00+00:00") for d in (2, 3, 4, 5)] == [
        "alice",
        "bob",
        "carol",
        "alice",
    ]


def test_the_week_turns_at_midnight_in_the_rotations_time_zone() -> None:
    policy = rotation_policy(timezone="America/Los_Angeles")
    # 2026-11-09 03:00 UTC is still Sunday 20:00 in Los Angeles: alice's week.
    assert _lead(policy, "2026-11-09T03:00:00+00:00") == "alice"
    assert _lead(policy, "2026-11-09T08:00:00+00:00") == "bob"  # Monday 00:00 there (PST, UTC-8)
    tokyo = rotation_policy(timezone="Asia/Tokyo")
    # 2026-11-08 16:00 UTC is already Monday 01:00 in Tokyo: bob's week.
    assert _lead(tokyo, "2026-11-08T16:00:00+00:00") == "bob"


def test_someone_away_is_skipped_for_the_next_in_turn() -> None:
    policy = rotation_policy(away=("bob",))
    assert _lead(policy, "2026-11-09T08:00:00+00:00") == "carol"
    policy = rotation_policy(away=("carol",))
    assert _lead(policy, "2026-11-16T08:00:00+00:00") == "alice"


def test_everyone_away_falls_back_to_the_declarer() -> None:
    policy = rotation_policy(away=("alice", "bob", "carol"))
    assert _lead(policy, "2026-11-09T08:00:00+00:00") == "decl"


def test_equity_picks_who_led_fewest() -> None:
    policy = LeadPolicy(responders=("alice", "bob", "carol"))
    assert _lead(policy, "2026-11-09T08:00:00+00:00", {"alice": 3, "bob": 1, "carol": 2}) == "bob"


def test_equity_ties_go_by_listed_order_and_skip_people_away() -> None:
    policy = LeadPolicy(responders=("carol", "alice", "bob"), away=("carol",))
    assert _lead(policy, "2026-11-09T08:00:00+00:00", {"carol": 0, "alice": 1, "bob": 1}) == "alice"


def test_equity_counts_are_case_insensitive() -> None:
    policy = LeadPolicy(responders=("Alice", "bob"))
    assert _lead(policy, "2026-11-09T08:00:00+00:00", {"alice": 5, "BOB": 0}) == "bob"


def test_no_pool_means_the_declarer_or_nobody() -> None:
    assert _lead(LeadPolicy(), "2026-11-09T08:00:00+00:00") == "decl"
    assert _lead(LeadPolicy(assign_declarer_last=False), "2026-11-09T08:00:00+00:00") is None


def test_team_rotation_uses_the_members_given() -> None:
    from dataclasses import replace

    policy = rotation_policy(members=())
    assert policy.rotation is not None
    team = replace(policy, rotation=replace(policy.rotation, team="acme/oncall"))
    now = _at("2026-11-09T08:00:00+00:00")
    lead = choose_lead(team, now=now, declarer="d", equity_counts={}, team_members=("x", "y"))
    assert lead == "y"


def test_escalation_goes_to_the_next_in_rotation_then_the_list() -> None:
    policy = rotation_policy(away=("carol",), escalation=("boss", "alice"))
    now = _at("2026-11-02T08:00:00+00:00")
    assert escalation_chain(policy, "alice", now) == ("bob", "boss")
    assert next_escalation(policy, "alice", now) == "bob"
    assert next_escalation(policy, "alice", now, already_pinged=("bob",)) == "boss"
    assert next_escalation(policy, "alice", now, already_pinged=("bob", "boss")) is None
