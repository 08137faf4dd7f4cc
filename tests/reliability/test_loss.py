"""Loss: GitHub never redelivers on its own, so lost webhooks are recovered by one sweep.

Every delivery may be lost, the people's command comments included: the sweep replays a
command no delivery handled (not in the ledger, no reply) as its webhook would have, in
the order the comments were written, but never one written before the incident was
declared.
"""

from __future__ import annotations

from app.cli.local import LocalWorld
from app.service.pipeline import REPLAY_MAX
from app.service.sweep import sweep
from tests.harness import bot_comments, labels, open_issue, world
from tests.reliability.support import FORM, REPO, EndState, differences, end_state, writes

INCIDENTS = 50
DROPPED = 0.2

# A few commands each, by the lead (alice, who declares) and a responder. Their effects
# do not depend on each other's order, so applying a lost one later lands where the
# fault-free run does (a refused-then-allowed pair, like /ack before /lead, would not).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("alice", "/severity 1"),
    ("alice", "/ack"),
    ("bob", "/update Rolled back the deploy"),
    ("alice", "/status stabilized"),
)


async def declare(w: LocalWorld, n: int) -> int:
    """Declared with the form (severity 2): issues.opened, then issues.labeled; then COMMANDS."""
    status, issue = await w.user("alice").post(
        f"/repos/{REPO}/issues", json={"title": f"Outage {n}", "body": FORM, "labels": ["incident"]}
    )
    assert status == 201
    number = int(issue["number"])
    await w.settle()
    for who, body in COMMANDS:
        await say(w, who, number, body)
    return number


async def say(w: LocalWorld, who: str, number: int, body: str) -> int:
    status, comment = await w.user(who).post(f"/repos/{REPO}/issues/{number}/comments", json={"body": body})
    assert status == 201, comment
    await w.settle()
    return int(comment["id"])


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
        comments = [d for d in people if d.event == "issue_comment"]
        # The loss really hurt: a fifth of the people's deliveries, their commands
        # included, and incidents left wrong.
        assert 0.12 < sum(d.dropped for d in people) / len(people) < 0.28
        assert 0.12 < sum(d.dropped for d in comments) / len(comments) < 0.28
        wrong_before = [n for n in numbers if end_state(w.sandbox, n) != expected]
        # Fewer than before the queue held issues: a later comment on the same issue applies
        # the commands of the lost ones too. The rest wait for the sweep.
        assert wrong_before, "the loss changed nothing: the test would prove nothing"

        w.sandbox.faults.clear()
        report = await sweep(w.services)
        await w.settle()
        wrong = {
            n: differences(got, expected) for n in numbers if (got := end_state(w.sandbox, n)) != expected
        }
        assert not wrong, f"{len(wrong)} of {INCIDENTS} still wrong after one sweep: {wrong}"
        assert report.incidents == INCIDENTS and report.failed == 0
        assert report.changed >= len(wrong_before)
        assert dropped  # and a second sweep finds nothing left to do, writing nothing
        before = writes(w)
        assert (await sweep(w.services)).changed == 0
        await w.settle()
        assert writes(w) == before
        print(
            f"\n{len(dropped)} of {len(w.sandbox.deliveries)} deliveries dropped "
            f"({sum(d.dropped for d in comments)} of {len(comments)} command comments); "
            f"{len(wrong_before)} of {INCIDENTS} wrong before the sweep, 0 after"
        )


async def test_a_command_written_before_the_incident_was_declared_is_not_run_by_the_sweep() -> None:
    async with world() as w:
        status, issue = await w.user("alice").post(
            f"/repos/{REPO}/issues", json={"title": "Checkout slow?", "body": FORM}
        )
        assert status == 201
        number = int(issue["number"])
        await w.settle()
        # Before anyone called it an incident (or before the app was installed): the bot
        # answers nothing on an ordinary issue, so this comment is neither in a ledger
        # nor replied to.
        early = await say(w, "alice", number, "/severity 1")
        w.clock.advance(minutes=5)
        status, _ = await w.user("alice").post(
            f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["incident"]}
        )
        assert status == 200
        await w.settle()
        assert "severity: 2" in labels(w, REPO, number)
        seen = len(bot_comments(w, REPO, number))

        report = await sweep(w.services)
        await w.settle()
        assert (report.incidents, report.changed) == (1, 0)
        assert labels(w, REPO, number) >= {"incident", "severity: 2"}
        assert "severity: 1" not in labels(w, REPO, number)
        assert len(bot_comments(w, REPO, number)) == seen
        assert not any(f"reply-{early}" in c["body"] for c in bot_comments(w, REPO, number))


async def test_a_lost_command_after_the_declaration_is_run_by_the_sweep_once() -> None:
    async with world() as w:
        number = await declare(w, 0)
        w.sandbox.faults.drop_deliveries(1.0)
        await say(w, "alice", number, "/severity 3")
        await say(w, "erin", number, "/severity 2")  # read access only: one refusal reply
        w.sandbox.faults.clear()
        assert "severity: 1" in labels(w, REPO, number)
        seen = len(bot_comments(w, REPO, number))

        w.clock.advance(minutes=1)
        report = await sweep(w.services)
        await w.settle()
        assert (report.incidents, report.changed) == (1, 1)
        assert "severity: 3" in labels(w, REPO, number) and "severity: 1" not in labels(w, REPO, number)
        assert len(bot_comments(w, REPO, number)) == seen + 1  # erin's refusal, nothing else
        before = writes(w)
        assert (await sweep(w.services)).changed == 0
        await w.settle()
        assert writes(w) == before


async def test_a_flood_of_lost_commands_is_replayed_a_bounded_number_per_sweep() -> None:
    async with world() as w:
        number = await declare(w, 0)
        w.sandbox.faults.drop_deliveries(1.0)
        for n in range(REPLAY_MAX + 3):
            await say(w, "bob", number, f"/update step {n}")
        w.sandbox.faults.clear()

        def updates() -> int:
            summary = bot_comments(w, REPO, number)[0]["body"]
            return sum(f"step {n}" in summary for n in range(REPLAY_MAX + 3))

        assert updates() == 0
        await sweep(w.services)
        await w.settle()
        assert updates() == REPLAY_MAX  # the oldest first; the rest wait for the next sweep
        assert "step 0" in bot_comments(w, REPO, number)[0]["body"]
        await sweep(w.services)
        await w.settle()
        assert updates() == REPLAY_MAX + 3


async def test_commands_from_before_the_app_was_installed_are_not_run_by_the_sweep() -> None:
    async with world() as w:
        # An incident run by hand before the app was installed: no webhook reached it.
        w.sandbox.faults.drop_deliveries(1.0)
        status, issue = await w.user("alice").post(
            f"/repos/{REPO}/issues", json={"title": "Old outage", "body": FORM, "labels": ["incident"]}
        )
        assert status == 201
        number = int(issue["number"])
        await say(w, "alice", number, "/severity 1")
        w.sandbox.faults.clear()
        w.clock.advance(days=2)
        for installation in w.sandbox.state.installations.values():
            installation.created_at = w.clock()  # installed now

        report = await sweep(w.services)
        await w.settle()
        assert (report.incidents, report.changed) == (1, 1)  # recorded, as the form says
        assert {"incident", "severity: 2"} <= labels(w, REPO, number)
        assert "severity: 1" not in labels(w, REPO, number)


async def test_a_replayed_command_is_dated_when_it_was_written() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Outage", labels=["incident"])
        lead = w.sandbox.issue(REPO, number)["assignees"][0]["login"]
        w.sandbox.faults.drop_deliveries(1.0)
        w.clock.advance(minutes=5)
        await say(w, lead, number, "/ack")
        w.sandbox.faults.clear()
        w.clock.advance(minutes=55)  # the sweep runs long after
        await sweep(w.services)
        await w.settle()
        summary = bot_comments(w, REPO, number)[0]["body"]
        assert "Time to acknowledge: 5m" in summary
