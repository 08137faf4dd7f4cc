"""`python -m app action` as a runner starts it, once for each trigger of the example
workflow, with @octokit/webhooks-examples' payloads moved to the sandbox's repository.

Each test sets the scene with people acting in the sandbox (and, where an incident must be
declared first, the runs Actions would have made for that), then runs the trigger under
test as a subprocess, exactly as action.yml does: `python -P -m app action`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from tests.action.helpers import BOT, REPO, Actions, actions, adapt, example

SUMMARY = "<!-- incident-bot:summary -->"


async def _declared(a: Actions, login: str = "carol", title: str = "Checkout is down") -> int:
    """An incident declared the way Actions would have run it: issue opened with the label."""
    status, issue = await a.sandbox.user(login).post(
        f"/repos/{REPO}/issues", json={"title": title, "labels": ["incident"]}
    )
    assert status == 201, issue
    await a.deliver()
    number = int(issue["number"])
    assert any(SUMMARY in c["body"] for c in a.bot_comments(number))
    return number


def _summary(a: Actions, number: int) -> str:
    bodies = [c["body"] for c in a.bot_comments(number) if SUMMARY in c["body"]]
    assert len(bodies) == 1, bodies
    return bodies[0]


async def test_issues_opened_declares_the_incident_and_imports_only_one_pass(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        status, issue = await a.sandbox.user("carol").post(
            f"/repos/{REPO}/issues", json={"title": "Checkout is down", "labels": ["incident"]}
        )
        assert status == 201
        a.pending()  # this test starts the run itself
        payload = adapt(example("issues.opened"), a.sandbox, issue["number"], "carol")
        run = await a.run("issues", payload, PYTHONPROFILEIMPORTTIME="1")
        assert run.code == 0, run.log
        assert {"incident", "severity: 2", "status: stabilization pending"} <= a.labels(1)
        assert a.assignees(1) == ["carol"]
        assert SUMMARY in _summary(a, 1)
        assert "issues.opened on acme/web\\#1" in run.summary
        assert "acting as github-actions\\[bot\\]" in run.summary
        # Only what one pass needs: no server, sandbox, settings or JWT signing.
        assert _heavy_imports(run.log, "app.service.handlers.incidents") == set()
        # Its own changes start no run: GitHub does not run workflows for GITHUB_TOKEN's events.
        assert a.pending() == []
        assert any(e.payload["sender"]["login"] == BOT for e in a.sandbox.workflow_events)


async def test_issues_labeled_incident_declares_it(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        status, _ = await a.sandbox.user("carol").post(f"/repos/{REPO}/issues", json={"title": "Slow"})
        assert status == 201
        await a.deliver()  # opened without the label: nothing to do
        assert a.bot_comments(1) == []
        status, _ = await a.sandbox.user("alice").post(f"/repos/{REPO}/issues/1/labels", json=["incident"])
        assert status == 200
        a.pending()
        payload = adapt(example("issues.labeled"), a.sandbox, 1, "alice")
        payload["label"] = {**payload["label"], "name": "incident"}
        run = await a.run("issues", payload)
        assert run.code == 0, run.log
        assert "severity: 2" in a.labels(1)
        assert SUMMARY in _summary(a, 1)


async def test_issues_edited_makes_the_whole_difference(tmp_path: Path) -> None:
    """A pass never relies on an earlier one: the summary someone deleted comes back."""
    async with actions(tmp_path) as a:
        number = await _declared(a)
        summary = next(c for c in a.bot_comments(number) if SUMMARY in c["body"])
        alice = a.sandbox.user("alice")
        assert (await alice.delete(f"/repos/{REPO}/issues/comments/{summary['id']}"))[0] == 204
        assert (await alice.patch(f"/repos/{REPO}/issues/{number}", json={"body": "Checkout 500s"}))[0] == 200
        a.pending()
        payload = adapt(example("issues.edited"), a.sandbox, number, "alice")
        run = await a.run("issues", payload)
        assert run.code == 0, run.log
        assert SUMMARY in _summary(a, number)


async def test_issues_unlabeled_severity_is_put_back(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        number = await _declared(a)
        status, _ = await a.sandbox.user("dave").delete(f"/repos/{REPO}/issues/{number}/labels/severity: 2")
        assert status == 200
        assert "severity: 2" not in a.labels(number)
        a.pending()
        payload = adapt(example("issues.unlabeled"), a.sandbox, number, "dave")
        payload["label"] = {**payload["label"], "name": "severity: 2"}
        run = await a.run("issues", payload)
        assert run.code == 0, run.log
        assert "severity: 2" in a.labels(number)


async def test_issues_closed_too_early_is_reopened_with_why(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        number = await _declared(a)
        status, _ = await a.sandbox.user("alice").patch(
            f"/repos/{REPO}/issues/{number}", json={"state": "closed"}
        )
        assert status == 200
        a.pending()
        run = await a.run("issues", adapt(_closed_example(), a.sandbox, number, "alice"))
        assert run.code == 0, run.log
        assert a.sandbox.issue(REPO, number)["state"] == "open"
        assert "@alice" in a.bot_comments(number)[-1]["body"]


async def test_issues_reopened_after_resolve_is_investigated_again(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        number = await _declared(a)
        alice = a.sandbox.user("alice")
        for command in ("/status stabilized", "/status under-investigation", "/resolve --force"):
            await alice.post(f"/repos/{REPO}/issues/{number}/comments", json={"body": command})
            await a.deliver()
        assert a.sandbox.issue(REPO, number)["state"] == "closed"
        assert "status: resolved" in a.labels(number)
        assert (await alice.patch(f"/repos/{REPO}/issues/{number}", json={"state": "open"}))[0] == 200
        a.pending()
        run = await a.run("issues", adapt(example("issues.reopened"), a.sandbox, number, "alice"))
        assert run.code == 0, run.log
        assert "status: resolved" not in a.labels(number)


async def test_issue_comment_created_runs_the_command(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        number = await _declared(a)
        status, comment = await a.sandbox.user("alice").post(
            f"/repos/{REPO}/issues/{number}/comments", json={"body": "/severity 1"}
        )
        assert status == 201
        a.pending()
        payload = adapt(example("issue_comment.created"), a.sandbox, number, "alice")
        payload["comment"] = {**payload["comment"], **{k: comment[k] for k in ("id", "body", "user", "url")}}
        run = await a.run("issue_comment", payload)
        assert run.code == 0, run.log
        assert "severity: 1" in a.labels(number)
        assert "severity: 2" not in a.labels(number)


async def test_schedule_sweeps_the_repository(tmp_path: Path) -> None:
    """Declared two hours ago and never acknowledged: the scheduled run escalates."""
    two_hours_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    async with actions(tmp_path, start=two_hours_ago) as a:
        number = await _declared(a)
        before = len(a.bot_comments(number))
        run = await a.run("schedule", {"schedule": "*/15 * * * *"}, PYTHONPROFILEIMPORTTIME="1")
        assert run.code == 0, run.log
        assert _heavy_imports(run.log, "app.service.sweep") == set()
        assert "sweep of acme/web (schedule)" in run.summary
        assert "1 incidents looked at, 1 changed, 0 failed" in run.summary
        assert len(a.bot_comments(number)) > before  # a reminder pings the lead
        searched = [r.query.get("q", "") for r in a.sandbox.requests if r.path == "/search/issues"]
        assert searched and all(q.startswith("repo:acme/web ") for q in searched)


async def test_workflow_dispatch_sweeps_unless_told_not_to(tmp_path: Path) -> None:
    two_hours_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    async with actions(tmp_path, start=two_hours_ago) as a:
        number = await _declared(a)
        before = len(a.bot_comments(number))
        payload = adapt(_dispatch_example(), a.sandbox, number, "alice")
        off = await a.run("workflow_dispatch", payload, process=False, sweep="false")
        assert off.code == 0 and "the sweep input is false" in off.summary
        assert len(a.bot_comments(number)) == before
        run = await a.run("workflow_dispatch", payload)
        assert run.code == 0, run.log
        assert len(a.bot_comments(number)) > before


def _heavy_imports(log: str, needed: str) -> set[str]:
    """Modules of the server, the sandbox, the settings or JWT signing a pass imported
    (`-X importtime` output); `needed` proves the listing is there at all."""
    imported = set(re.findall(r"import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", log))
    assert needed in imported
    heavy = ("jwt", "cryptography", "app.web", "app.sandbox", "app.settings")
    return {m for m in imported if m == "jwt" or m.startswith(tuple(f"{h}." for h in heavy) + heavy)}


def _closed_example() -> dict[str, Any]:
    """@octokit/webhooks-examples has no issues.closed: its issues.reopened, closed again."""
    payload = example("issues.reopened")
    payload["action"] = "closed"
    return payload


def _dispatch_example() -> dict[str, Any]:
    """@octokit/webhooks-examples' workflow_dispatch (tests/action/fixtures)."""
    data: dict[str, Any] = json.loads(
        (Path(__file__).parent / "fixtures" / "workflow_dispatch.json").read_text()
    )
    return data
