"""Whole incidents played as GitHub Actions would deliver them: one job per event a person
causes, none for the bot's own changes (GITHUB_TOKEN), then the schedule.

Jobs run the action's entry point in a thread of the test (`deliver()`); the subprocess is
tested once per trigger in test_triggers.py.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.action.helpers import BOT, REPO, Actions, actions, adapt, example

SUMMARY = "<!-- incident-bot:summary -->"
RETRO = "<!-- incident-bot:retro"


def _summary(a: Actions, number: int) -> str:
    bodies = [c["body"] for c in a.bot_comments(number) if SUMMARY in c["body"]]
    assert len(bodies) == 1, bodies  # one living summary, edited in place
    return bodies[0]


async def _say(a: Actions, login: str, number: int, body: str) -> None:
    status, answer = await a.sandbox.user(login).post(
        f"/repos/{REPO}/issues/{number}/comments", json={"body": body}
    )
    assert status == 201, answer
    runs = await a.deliver()
    assert [r.event for r in runs] == ["issue_comment"]


async def test_declare_commands_resolve_then_the_scheduled_reminder(tmp_path: Path) -> None:
    three_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    async with actions(tmp_path, start=three_days_ago) as a:
        status, _ = await a.sandbox.user("carol").post(
            f"/repos/{REPO}/issues", json={"title": "Checkout is down", "labels": ["incident"]}
        )
        assert status == 201
        runs = await a.deliver()
        assert [r.event for r in runs] == ["issues", "issues"]  # opened, then labeled
        assert a.assignees(1) == ["carol"]
        assert {"severity: 2", "status: stabilization pending"} <= a.labels(1)

        await _say(a, "carol", 1, "/ack")
        await _say(a, "carol", 1, "/lead @bob")
        assert a.assignees(1) == ["bob"]
        await _say(a, "bob", 1, "/update Rolled back the deploy; errors are dropping")
        await _say(a, "bob", 1, "/severity 1")
        assert "severity: 1" in a.labels(1) and "severity: 2" not in a.labels(1)
        await _say(a, "bob", 1, "/followup Add a canary stage")
        followup = a.sandbox.issue(REPO, 2)
        assert followup["parent_issue_url"].endswith("/repos/acme/web/issues/1")
        assert "#2" in _summary(a, 1)  # listed at once: no event of the bot's had to come back
        await _say(a, "bob", 1, "/status stabilized")
        await _say(a, "bob", 1, "/status under-investigation")

        # A person finishes the follow-up: its own job tells the incident.
        assert (await a.sandbox.user("bob").patch(f"/repos/{REPO}/issues/2", json={"state": "closed"}))[
            0
        ] == 200
        runs = await a.deliver()
        assert [r.event for r in runs] == ["issues"]
        assert "- [x] #2" in _summary(a, 1)

        await _say(a, "bob", 1, "/resolve")
        issue = a.sandbox.issue(REPO, 1)
        assert issue["state"] == "closed"
        assert "status: resolved" in a.labels(1)
        assert any(RETRO in c["body"] for c in a.bot_comments(1))
        summary = _summary(a, 1)
        assert "Rolled back the deploy" in summary

        # Every pass acted as the job's token; none of its changes started a job.
        authors = {c["user"]["login"] for c in a.bot_comments(1)}
        assert authors == {BOT}
        assert all(
            not e.triggers_runs for e in a.sandbox.workflow_events if e.payload["sender"]["login"] == BOT
        )

        # Resolved three days ago by the issue's clock, the retrospective untouched: the
        # scheduled run reminds the lead, once.
        before = len(a.bot_comments(1))
        run = await a.schedule()
        assert run.code == 0, run.log
        reminders = a.bot_comments(1)[before:]
        assert len(reminders) == 1 and "@bob" in reminders[0]["body"]
        assert "retrospective" in reminders[0]["body"]
        again = await a.schedule()
        assert again.code == 0 and len(a.bot_comments(1)) == before + 1
        assert "1 incidents looked at, 0 changed, 0 failed" in again.summary


async def test_follow_up_closed_reads_its_parent_through_the_parent_endpoint(tmp_path: Path) -> None:
    """Real payloads may lack `parent_issue_url`: the sub-issue's parent endpoint names the
    incident, and that job alone brings the incident's summary up to date."""
    async with actions(tmp_path) as a:
        await a.sandbox.user("carol").post(
            f"/repos/{REPO}/issues", json={"title": "API errors", "labels": ["incident"]}
        )
        await a.deliver()
        await _say(a, "carol", 1, "/followup Alert on error rate")
        assert "- [ ] #2" in _summary(a, 1)
        assert (await a.sandbox.user("carol").patch(f"/repos/{REPO}/issues/2", json={"state": "closed"}))[
            0
        ] == 200
        assert [e.event for e in a.pending()] == ["issues"]  # this test runs that job itself
        payload = adapt(example("issues.reopened"), a.sandbox, 2, "carol")
        payload["action"] = "closed"
        assert "parent_issue_url" not in payload["issue"]  # octokit's example predates the field
        asked = len(a.sandbox.requests)
        run = await a.run("issues", payload)
        assert run.code == 0, run.log
        parent_reads = [r for r in a.sandbox.requests[asked:] if r.path == "/repos/acme/web/issues/2/parent"]
        assert [r.status for r in parent_reads] == [200]
        assert "- [x] #2" in _summary(a, 1)


ROTATION = """\
workflow: default
lead:
  rotation: {period: weekly, team: oncall, start: 2026-06-29, timezone: UTC}
"""


async def test_team_rotation_with_github_token_falls_back_in_one_line(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        a.sandbox.add_file(REPO, ".github/incidents.yml", ROTATION)
        await a.sandbox.user("carol").post(
            f"/repos/{REPO}/issues", json={"title": "Down", "labels": ["incident"]}
        )
        event = a.pending()[0]
        run = await a.run(event.event, event.payload, process=False)
        assert run.code == 0, run.log
        assert a.assignees(1) == ["carol"]  # as with a missing team: the declarer leads
        warnings = [line for line in run.log.splitlines() if line.startswith("::warning::")]
        assert len(warnings) == 1 and "team acme/oncall" in warnings[0]
        assert "GITHUB_TOKEN cannot" in warnings[0]
        assert "⚠️ team acme/oncall" in run.summary


async def test_an_app_token_reads_the_team_and_the_bot_is_the_app(tmp_path: Path) -> None:
    """github-token set to an App's installation token: the rotation's team is read, and
    the bot recognises itself by the login GraphQL's viewer gives (not github-actions[bot])."""
    async with actions(tmp_path) as a:
        a.sandbox.add_file(REPO, ".github/incidents.yml", ROTATION)
        from app.sandbox.auth import new_token

        app_token = new_token(a.sandbox.state, 100).token
        await a.sandbox.user("carol").post(
            f"/repos/{REPO}/issues", json={"title": "Down", "labels": ["incident"]}
        )
        for e in a.pending():
            run = await a.run(e.event, e.payload, process=False, github_token=app_token)
            assert run.code == 0, run.log
            assert "acting as incident-bot\\[bot\\]" in run.summary
        assert a.assignees(1) in (["alice"], ["bob"])  # the on-call team's member this week
        comments = a.sandbox.comments(REPO, 1)
        assert [c["user"]["login"] for c in comments if SUMMARY in c["body"]] == ["incident-bot[bot]"]
