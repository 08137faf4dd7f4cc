"""Safety and bad input: secrets never logged; an issue deleted mid-incident ends in a log line."""

from __future__ import annotations

import logging

import pytest

from tests.harness import bot_comments, open_issue, world
from tests.keys import SECRET, private_key_pem
from tests.reliability.support import REPO, play


async def test_secrets_tokens_and_keys_never_appear_in_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    async with world() as w:
        w.sandbox.faults.add(probability=0.2, times=None, seed=1, who="app", status=502)
        await play(w.sandbox, w.settle)
        tokens = list(w.sandbox.state.tokens)
        jwt = w.github.jwt()
    assert tokens and len(caplog.records) > 50  # there was something to leak, and much logged
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    key_lines = [line for line in private_key_pem().splitlines() if "PRIVATE KEY" not in line]
    for secret in [SECRET, *tokens, jwt, jwt.split(".")[2], *key_lines[:3]]:
        assert secret not in text


async def test_an_issue_deleted_mid_incident_ends_in_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Down", labels=["incident"])
        assert bot_comments(w, REPO, number)
        # A comment arrives, but the issue is deleted before its turn comes.
        url = f"/repos/{REPO}/issues/{number}/comments"
        status, _ = await w.user("dave").post(url, json={"body": "/sev 1"})
        assert status == 201
        w.sandbox.delete_issue(REPO, number, by="alice")
        await w.settle()
        assert w.processor.depth == 0
        gone = [r for r in caplog.records if "the issue is gone" in r.getMessage()]
        tracebacks = [r.getMessage() for r in caplog.records if r.exc_info]
        assert len(gone) == 1 and "410" in gone[0].getMessage()
        assert tracebacks == []
        # The queue keeps moving: the next incident is handled as usual.
        other = await open_issue(w, "alice", title="Also down", labels=["incident"])
        assert bot_comments(w, REPO, other)


async def test_an_issue_transferred_mid_incident_ends_in_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Down", labels=["incident"])
        moved_to = await open_issue(w, "alice", repo="acme/.github", title="Down", labels=["incident"])
        # The issue moves to acme/.github while a comment's delivery is on its way:
        # GitHub answers 301 with the new location (the sandbox has no transfer, so faults
        # play it: the issue itself, and every write under it).
        location = f"{w.sandbox.base_url}/repos/acme/.github/issues/{moved_to}"
        moved = {"status": 301, "headers": {"Location": location}, "times": None, "who": "app"}
        w.sandbox.faults.add(method="GET", path=rf"^/repos/{REPO}/issues/{number}$", **moved)
        for method in ("POST", "PATCH", "PUT", "DELETE"):
            w.sandbox.faults.add(method=method, path=rf"^/repos/{REPO}/issues(/.*)?$", **moved)
        before = [(r.method, r.path) for r in w.sandbox.requests]
        status, _ = await w.user("dave").post(
            f"/repos/{REPO}/issues/{number}/comments", json={"body": "/sev 1"}
        )
        assert status == 201
        await w.settle()
        assert w.processor.depth == 0
        logged = [r for r in caplog.records if "gone or moved" in r.getMessage()]
        assert len(logged) == 1 and "301" in logged[0].getMessage()
        assert [r.getMessage() for r in caplog.records if r.exc_info] == []
        # The write was answered 301 and not followed: aiohttp would have turned a
        # redirected POST into a GET and reported success.
        new = w.sandbox.requests[len(before) :]
        writes = [r for r in new if r.method != "GET" and r.faulted]
        assert writes and {r.status for r in writes} == {301}
        assert not [
            r for r in new if r.method == "GET" and r.path == f"/repos/acme/.github/issues/{moved_to}/labels"
        ]
