"""Input the app must shrug off, through the server (HTTP deliveries from the sandbox or
signed like GitHub's): pull-request comments, a config with wrong types, a mistyped
command, the app's own comments, and the signature compared in constant time."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest

import app.service.webhook
from app.cli.local import LocalWorld
from app.core.texts.summary import help_text
from tests.harness import app_requests, bot_comments, comment, labels, open_issue, world
from tests.keys import SECRET
from tests.reliability.support import FORM, REPO

EXAMPLE = Path(__file__).parent.parent / "sandbox" / "fixtures" / "webhooks" / "issue_comment.created.json"
INSTALLATION = 100  # the sandbox's default installation of acme/web


def writes(w: LocalWorld) -> int:
    """Changing requests made with the installation's token (the app acting on repositories)."""
    return sum(1 for r in app_requests(w) if r.method != "GET" and r.actor.startswith("installation:"))


def headers_for(event: str, body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/044aadd",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }


async def post_delivery(w: LocalWorld, body: bytes, headers: dict[str, str]) -> int:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{w.url}/webhook", data=body, headers=headers) as r,
    ):
        return r.status


async def declare(w: LocalWorld) -> int:
    return await open_issue(w, "alice", title="Checkout down", body=FORM, labels=["incident"])


def pull_request_comment(issue: dict[str, Any], body: str) -> dict[str, Any]:
    """GitHub's real `issue_comment.created` example, made a pull-request comment in acme/web.

    The sandbox has no pull requests, so this is what GitHub would send for one: the
    `issue` carries `pull_request`. Its number is the incident's own, with the incident
    label, so a handler that failed to tell them apart would visibly act on the incident.
    """
    payload = json.loads(EXAMPLE.read_text())
    payload["installation"] = {"id": INSTALLATION}
    payload["repository"].update(full_name=REPO, name="web")
    payload["repository"]["owner"]["login"] = "acme"
    payload["issue"] = copy.deepcopy(issue)
    api = f"https://api.github.com/repos/{REPO}"
    payload["issue"]["pull_request"] = {
        "url": f"{api}/pulls/{issue['number']}",
        "html_url": f"https://github.com/{REPO}/pull/{issue['number']}",
        "diff_url": f"https://github.com/{REPO}/pull/{issue['number']}.diff",
        "patch_url": f"https://github.com/{REPO}/pull/{issue['number']}.patch",
        "merged_at": None,
    }
    alice = {**payload["comment"]["user"], "login": "alice", "type": "User"}
    payload["comment"].update(id=987654321, body=body, user=alice, author_association="OWNER")
    payload["sender"] = alice
    return payload


async def test_a_pull_request_comment_changes_nothing() -> None:
    async with world() as w:
        number = await declare(w)
        before_labels, before_writes = labels(w, REPO, number), writes(w)
        payload = pull_request_comment(w.sandbox.issue(REPO, number), "/severity 1\n/status stabilized")
        body = json.dumps(payload).encode()
        ignored = w.processor.stats.ignored
        # Answered at once as one that cannot matter: a pull request is not an incident.
        assert await post_delivery(w, body, headers_for("issue_comment", body)) == 200
        await w.settle()
        assert w.processor.stats.ignored == ignored + 1 and w.processor.depth == 0
        assert labels(w, REPO, number) == before_labels  # ...and changed nothing
        assert writes(w) == before_writes


async def test_a_config_with_wrong_types_is_reported_once_and_the_default_workflow_runs() -> None:
    async with world() as w:
        # Valid YAML, wrong type: `lead` must be a mapping of keys.
        w.sandbox.add_file(REPO, ".github/incidents.yml", "lead: 5\n")
        number = await declare(w)
        await comment(w, "alice", number, "/status stabilized")
        await comment(w, "alice", number, "/update config still wrong")
        notices = [c for c in bot_comments(w, REPO, number) if ".github/incidents.yml" in c["body"]]
        assert len(notices) == 1, [c["body"] for c in notices]
        assert "lead" in notices[0]["body"] and "line 1" in notices[0]["body"]
        # The default workflow ran: the form's severity, the default lead, the command.
        assert {"incident", "severity: 2", "status: stabilized"} <= labels(w, REPO, number)
        assert [a["login"] for a in w.sandbox.issue(REPO, number)["assignees"]] == ["alice"]


async def test_a_mistyped_command_gets_one_did_you_mean_reply_and_changes_nothing() -> None:
    async with world() as w:
        number = await declare(w)
        before_labels, before_writes = labels(w, REPO, number), writes(w)
        seen = len(bot_comments(w, REPO, number))
        await comment(w, "alice", number, "/stauts stabilized")
        replies = bot_comments(w, REPO, number)[seen:]
        assert len(replies) == 1
        assert "Did you mean /status?" in replies[0]["body"]
        assert labels(w, REPO, number) == before_labels
        assert writes(w) == before_writes + 1  # the reply, nothing else


async def test_the_app_never_acts_on_its_own_comments() -> None:
    async with world() as w:
        number = await declare(w)
        before_labels = labels(w, REPO, number)
        # The app's own words with command lines in them: the help text, and commands at
        # the start of lines (as a quoted template or checklist might have).
        gh = w.github.installation(INSTALLATION)
        deliveries = len(w.sandbox.deliveries)
        await gh.post(
            f"/repos/{REPO}/issues/{number}/comments",
            data={"body": f"/severity 1\n/status resolved\n/lead @bob\n\n{help_text()}"},
        )
        after_post = writes(w)
        await w.settle()  # raises if deliveries keep coming: no loop
        assert writes(w) == after_post  # no reply, no label, no summary edit
        assert labels(w, REPO, number) == before_labels
        assert len(w.sandbox.deliveries) == deliveries + 1  # only the comment's own webhook
        assert w.sandbox.deliveries[-1].payload["comment"]["user"]["type"] == "Bot"


async def test_the_signature_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[bytes, bytes, bool]] = []
    original = hmac.compare_digest

    def recording(a: Any, b: Any) -> bool:
        result = original(a, b)
        calls.append((bytes(a), bytes(b), result))
        return result

    monkeypatch.setattr(app.service.webhook.hmac, "compare_digest", recording)
    async with world() as w:
        body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
        good = headers_for("ping", body)
        bad = headers_for("ping", body, secret="not-the-secret")  # same length, wrong HMAC
        assert await post_delivery(w, body, good) == 200
        assert await post_delivery(w, body, bad) == 401
    signatures = [good["X-Hub-Signature-256"].encode(), bad["X-Hub-Signature-256"].encode()]
    ours = [c for c in calls if c[0] in signatures]
    assert [(given, result) for given, _, result in ours] == [(signatures[0], True), (signatures[1], False)]
    assert all(expected == signatures[0] for _, expected, _ in ours)
