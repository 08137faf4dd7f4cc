"""Webhook deliveries: headers, signatures, order, bot sender, faults, redelivery."""

from __future__ import annotations

import hashlib
import hmac
import uuid

import aiohttp

from app.sandbox import Sandbox
from app.sandbox.webhooks import sign

from .conftest import Clock, Receiver, call, install_token


def test_signature_matches_github_test_vector() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries: secret "It's a Secret
    # to Everybody", body "Hello, World!".
    headers = sign("It's a Secret to Everybody", b"Hello, World!")
    assert headers["X-Hub-Signature-256"] == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )
    assert (
        headers["X-Hub-Signature"]
        == "sha1=" + hmac.new(b"It's a Secret to Everybody", b"Hello, World!", hashlib.sha1).hexdigest()
    )


async def test_opened_then_labeled_then_assigned(sb: Sandbox, receiver: Receiver) -> None:
    await sb.user("alice").post(
        "/repos/acme/web/issues", {"title": "x", "labels": ["a", "b"], "assignees": ["bob", "carol"]}
    )
    await sb.settle()
    assert receiver.actions() == [
        "issues.opened",
        "issues.labeled",
        "issues.labeled",
        "issues.assigned",
        "issues.assigned",
    ]
    assert all(r.signature_ok for r in receiver.got)
    first = receiver.got[0]
    h = first.headers
    assert h["User-Agent"].startswith("GitHub-Hookshot/")
    assert h["X-GitHub-Hook-Installation-Target-Type"] == "integration"
    assert h["X-GitHub-Hook-Installation-Target-ID"] == "1"
    assert h["Content-Type"] == "application/json"
    uuid.UUID(h["X-GitHub-Delivery"])
    assert h["X-Hub-Signature"].startswith("sha1=")
    p = first.payload
    assert list(p)[:1] == ["action"]
    assert p["installation"]["id"] == 100 and p["organization"]["login"] == "acme"
    assert p["sender"]["login"] == "alice" and p["sender"]["type"] == "User"
    assert receiver.got[1].payload["label"]["name"] == "a"
    assert receiver.got[3].payload["assignee"]["login"] == "bob"
    assert [d.status for d in sb.deliveries] == [200] * 5
    assert len({d.id for d in sb.deliveries}) == 5


async def test_app_changes_have_bot_sender(
    sb: Sandbox, receiver: Receiver, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock
) -> None:
    token = await install_token(http, sb, private_pem, clock)
    status, _, _ = await call(http, sb, "POST", "/repos/acme/web/issues", token, {"title": "by bot"})
    assert status == 201
    await call(http, sb, "POST", "/repos/acme/web/issues/1/comments", token, {"body": "hi"})
    await sb.settle()
    assert receiver.actions() == ["issues.opened", "issue_comment.created"]
    for r in receiver.got:
        assert r.payload["sender"] == {**r.payload["sender"], "login": "incident-bot[bot]", "type": "Bot"}
    assert receiver.got[0].payload["issue"]["performed_via_github_app"]["id"] == 1
    assert receiver.got[1].payload["comment"]["performed_via_github_app"]["id"] == 1


async def test_edits_closes_and_label_diffs(sb: Sandbox, receiver: Receiver) -> None:
    alice = sb.user("alice")
    await alice.post("/repos/acme/web/issues", {"title": "x", "body": "b", "labels": ["a"]})
    await sb.settle()
    receiver.got.clear()
    await alice.patch("/repos/acme/web/issues/1", {"title": "y", "body": "c"})
    await alice.put("/repos/acme/web/issues/1/labels", {"labels": ["a", "b"]})
    await alice.patch(
        "/repos/acme/web/issues/1", {"labels": ["b"], "state": "closed", "state_reason": "not_planned"}
    )
    _, c = await alice.post("/repos/acme/web/issues/1/comments", {"body": "one"})
    await alice.patch(f"/repos/acme/web/issues/comments/{c['id']}", {"body": "two"})
    await alice.delete(f"/repos/acme/web/issues/comments/{c['id']}")
    await alice.patch("/repos/acme/web/issues/1", {"state": "open"})
    await sb.settle()
    assert receiver.actions() == [
        "issues.edited",
        "issues.labeled",
        "issues.closed",
        "issues.unlabeled",
        "issue_comment.created",
        "issue_comment.edited",
        "issue_comment.deleted",
        "issues.reopened",
    ]
    edited = receiver.got[0].payload
    assert edited["changes"] == {"title": {"from": "x"}, "body": {"from": "b"}}
    closed = receiver.got[2].payload["issue"]
    assert closed["state"] == "closed" and closed["state_reason"] == "not_planned"
    assert receiver.got[5].payload["changes"] == {"body": {"from": "one"}}


async def test_unsubscribed_and_uninstalled_are_not_sent(
    public_pem: bytes, clock: Clock, receiver: Receiver
) -> None:
    seed = {
        "installations": [{"id": 100, "account": "acme"}],
        "orgs": [{"login": "acme"}],
        "repos": [{"full_name": "acme/web", "installation": 100}, {"full_name": "acme/other"}],
    }
    sandbox = Sandbox(
        seed, clock=clock, webhook_url=receiver.url, webhook_secret="s", events=("issue_comment",)
    )
    await sandbox.start()
    try:
        await sandbox.user("x").post("/repos/acme/web/issues", {"title": "t"})
        await sandbox.user("x").post("/repos/acme/other/issues", {"title": "t"})
        await sandbox.user("x").post("/repos/acme/web/issues/1/comments", {"body": "c"})
        await sandbox.user("x").post("/repos/acme/other/issues/1/comments", {"body": "c"})
        await sandbox.settle()
        assert receiver.actions() == ["issue_comment.created"]
    finally:
        await sandbox.stop()


async def test_failures_recorded_and_redelivery(sb: Sandbox, receiver: Receiver) -> None:
    receiver.status = 500
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "t"})
    await sb.settle()
    assert sb.deliveries[0].status == 500
    receiver.status = 200
    again = await sb.redeliver(sb.deliveries[0].id)
    assert again.status == 200 and again.id == sb.deliveries[0].id
    assert [r.delivery for r in receiver.got] == [again.id, again.id]
    sb.webhook_url = "http://127.0.0.1:9/nowhere"
    await sb.user("alice").post("/repos/acme/web/issues/1/comments", {"body": "c"})
    await sb.settle()
    assert sb.deliveries[-1].status is None and sb.deliveries[-1].error


async def test_no_webhook_url_records_only(clock: Clock) -> None:
    sandbox = Sandbox(clock=clock)
    await sandbox.start()
    try:
        await sandbox.user("alice").post("/repos/acme/web/issues", {"title": "t"})
        await sandbox.settle()
        assert [(d.event, d.action, d.status) for d in sandbox.deliveries] == [("issues", "opened", None)]
    finally:
        await sandbox.stop()


async def test_delivery_faults(sb: Sandbox, receiver: Receiver) -> None:
    sb.faults.drop_deliveries(1.0, seed=1)
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "dropped"})
    await sb.settle()
    assert receiver.got == [] and sb.deliveries[0].dropped
    sb.faults.clear()
    sb.faults.duplicate_deliveries(1.0, seed=1)
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "twice"})
    await sb.settle()
    assert len(receiver.got) == 2 and receiver.got[0].delivery == receiver.got[1].delivery
    sb.faults.clear()
    receiver.got.clear()
    sb.faults.reorder_deliveries(4, seed=3)
    for n in range(4):
        await sb.user("alice").post("/repos/acme/web/issues/1/comments", {"body": str(n)})
    await sb.settle()
    bodies = [r.payload["comment"]["body"] for r in receiver.got]
    assert sorted(bodies) == ["0", "1", "2", "3"] and bodies != ["0", "1", "2", "3"]
