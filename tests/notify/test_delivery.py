"""Sending: every receiver's 429 and 5xx are retried, a refusal is one log line without the key
or the URL, and however the channels behave, the GitHub side is neither delayed nor failed."""

from __future__ import annotations

import logging

import pytest

from app.service.notify import SendPolicy
from app.settings import NotifySettings
from tests.harness import bot_comments, world
from tests.notify.helpers import metric
from tests.notify.receivers import FAST_SENDS, ROUTING_KEY, WEBHOOK_SECRET, receivers
from tests.people.helpers import REPO, declare


@pytest.mark.parametrize("name", ["pagerduty", "slack", "webhook"])
async def test_429_and_5xx_are_retried_until_the_receiver_takes_it(name: str) -> None:
    async with receivers() as r, world(notify=r.settings(name), notify_policy=FAST_SENDS) as w:
        r.fail_next(name, 429, 503, 500)
        await declare(w)
        assert len(r.accepted[name]) == 1, r.refused
        assert r.attempts[name] == 4  # 429, 503, 500, then accepted
        assert await metric(w, "notifications_total", channel=name, outcome="sent") == 1
        assert await metric(w, "notifications_total", channel=name, outcome="failed") == 0


async def test_a_channel_that_keeps_failing_is_counted_and_logged_once_without_secrets(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with receivers() as r, world(notify=r.settings(), notify_policy=FAST_SENDS) as w:
        r.fail_next("pagerduty", *[503] * FAST_SENDS.attempts)  # every attempt
        r.fail_next("slack", 404)  # a deleted webhook: not retried
        number = await declare(w)
        # GitHub's side went on as always.
        assert any("<!-- incident-bot:summary" in c["body"] for c in bot_comments(w, REPO, number))
        assert r.attempts["pagerduty"] == FAST_SENDS.attempts and r.attempts["slack"] == 1
        assert len(r.accepted["webhook"]) == 1  # the other channel is not held back
        assert await metric(w, "notifications_total", channel="pagerduty", outcome="failed") == 1
        assert await metric(w, "notifications_total", channel="slack", outcome="failed") == 1
    failures = [rec.getMessage() for rec in caplog.records if "notification to" in rec.getMessage()]
    assert sorted(failures) == [
        f"notification to pagerduty failed: {REPO}#{number} declared after 4 attempts: HTTP 503",
        f"notification to slack failed: {REPO}#{number} declared after 1 attempt: HTTP 404",
    ]
    # Everything the app logged (the receivers' own access log is the test's, not the app's).
    logged = "\n".join(rec.getMessage() for rec in caplog.records if rec.name.startswith("app"))
    for secret in (ROUTING_KEY, WEBHOOK_SECRET, r.base, "/slack/services/", "127.0.0.1:"):
        assert secret not in logged


async def test_an_unreachable_channel_never_delays_the_github_side() -> None:
    slow = SendPolicy(attempts=3, base_delay=0.5, max_delay=0.5, timeout=1.0)
    async with receivers() as r, world(notify=r.settings("webhook"), notify_policy=slow) as w:
        r.fail_next("webhook", 503, 503, 503)
        status, issue = await w.user("alice").post(
            f"/repos/{REPO}/issues", json={"title": "Down", "labels": ["incident"]}
        )
        assert status == 201
        await w.sandbox.settle()
        await w.processor.wait_idle()
        # The incident is recorded while the notifier is still retrying in the background.
        assert any("incident-bot:summary" in c["body"] for c in bot_comments(w, REPO, issue["number"]))
        assert r.attempts["webhook"] < 3
        await w.settle()
        assert r.attempts["webhook"] == 3 and not r.accepted["webhook"]


async def test_a_refused_connection_is_logged_by_kind_never_by_address(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret_path = "/services/T000/B000/SECRETTOKENPART"
    settings = NotifySettings(slack_webhook_url=f"http://127.0.0.1:9{secret_path}")  # nothing listens
    async with world(notify=settings, notify_policy=FAST_SENDS) as w:
        number = await declare(w)
        assert await metric(w, "notifications_total", channel="slack", outcome="failed") == 1
    (line,) = [rec.getMessage() for rec in caplog.records if "notification to" in rec.getMessage()]
    assert line == (
        f"notification to slack failed: {REPO}#{number} declared after 4 attempts: "
        "connection failed (ClientConnectorError)"
    )
    logged = "\n".join(rec.getMessage() for rec in caplog.records if rec.name.startswith("app"))
    assert "SECRETTOKENPART" not in logged and "127.0.0.1:9" not in logged
