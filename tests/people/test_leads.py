"""Choosing the lead, handing it off, and who may change an incident: through the sandbox."""

from __future__ import annotations

from tests.harness import assignees, bot_comments, comment, labels, open_issue, world
from tests.people.helpers import REPO, ROTATION, configure, declare, pings, summary


async def test_the_rotation_picks_whoever_is_on_duty_that_date() -> None:
    async with world() as w:
        configure(w, f"lead:\n  {ROTATION}\n")
        first = await declare(w)
        w.clock.advance(days=7)  # Monday of week three: carol's turn
        second = await declare(w)
        assert assignees(w, REPO, first) == ["bob"]
        assert assignees(w, REPO, second) == ["carol"]


async def test_someone_away_is_skipped_for_the_next_in_turn() -> None:
    async with world() as w:
        configure(w, f"lead:\n  {ROTATION}\n  away: [bob]\n")
        number = await declare(w)
        assert assignees(w, REPO, number) == ["carol"]


async def test_a_team_rotation_reads_its_members_from_github() -> None:
    async with world() as w:
        # The seed's team acme/oncall is [alice, bob]; week two of the rotation is bob's.
        configure(w, "lead:\n  rotation: {period: weekly, team: acme/oncall, start: 2026-10-26}\n")
        number = await declare(w, by="carol")
        assert assignees(w, REPO, number) == ["bob"]
        assert any(r.path == "/orgs/acme/teams/oncall/members" for r in w.sandbox.requests)


async def test_a_bare_team_slug_is_a_team_of_the_repository_owner() -> None:
    async with world() as w:
        configure(w, "lead:\n  rotation: {period: weekly, team: oncall, start: 2026-10-26}\n")
        number = await declare(w, by="carol")
        assert assignees(w, REPO, number) == ["bob"]
        assert any(r.path == "/orgs/acme/teams/oncall/members" for r in w.sandbox.requests)


async def test_a_missing_team_leaves_the_lead_to_the_declarer(caplog) -> None:  # type: ignore[no-untyped-def]
    async with world() as w:
        configure(w, "workflow: openverse\n")  # its rotation is the org's `msr` team: acme has none
        number = await declare(w, by="carol")
        assert assignees(w, REPO, number) == ["carol"]
        assert any("team acme/msr" in r.getMessage() and "404" in r.getMessage() for r in caplog.records)
        assert not [r for r in caplog.records if r.exc_info]


async def test_without_a_rotation_whoever_led_fewest_incidents_lately_leads() -> None:
    async with world() as w:
        configure(w, "lead:\n  responders: [alice, bob, carol]\n")
        for lead in ("alice", "carol"):  # earlier incidents, led by alice and by carol
            await open_issue(w, "alice", title="Earlier", labels=["incident"], assignees=[lead])
        number = await declare(w)
        assert assignees(w, REPO, number) == ["bob"]  # by rotation order alone it would be alice


async def test_lead_hands_off_with_a_timeline_entry_and_a_ping() -> None:
    async with world() as w:
        configure(w, f"lead:\n  {ROTATION}\n")
        number = await declare(w)
        await comment(w, "bob", number, "/lead @carol")
        assert assignees(w, REPO, number) == ["carol"]
        assert "Hand-off from @bob to @carol" in summary(w, number)
        (ping,) = pings(w, number, "handoff-")
        assert "@carol you now lead this incident (hand-off from @bob)" in ping
        assert "`/ack`" in ping and "every 1h" in ping


async def test_a_read_only_user_cannot_change_the_severity_and_is_told_why() -> None:
    async with world() as w:
        number = await declare(w, severity="2")
        before = labels(w, REPO, number)
        await comment(w, "erin", number, "/severity 1")
        assert labels(w, REPO, number) == before
        (reply,) = pings(w, number, "reply-")
        assert "@erin" in reply and "triage, write, maintain or admin permission" in reply
        assert "`/severity`" in reply


async def test_an_admin_may_resolve_by_closing_when_the_workflow_wants_a_role() -> None:
    async with world() as w:
        configure(
            w, "workflow: wellcome\n"
        )  # Wellcome Collection incident response process: the delivery manager resolves
        by_admin = await declare(w)
        by_writer = await declare(w)
        for login, number in (("alice", by_admin), ("carol", by_writer)):
            status, _ = await w.user(login).patch(f"/repos/{REPO}/issues/{number}", json={"state": "closed"})
            assert status == 200
        await w.settle()
        assert w.sandbox.issue(REPO, by_admin)["state"] == "closed"
        assert "status: resolved" in labels(w, REPO, by_admin)
        assert w.sandbox.issue(REPO, by_writer)["state"] == "open"  # reopened: not theirs to resolve
        refusals = [c["body"] for c in bot_comments(w, REPO, by_writer) if "I reopened" in c["body"]]
        assert len(refusals) == 1 and "Only the Delivery manager" in refusals[0]
