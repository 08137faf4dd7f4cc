"""API faults: transient failures, rate limits, timeouts and broken connections.

The client retries what is safe to retry, waits as long as GitHub says, and stops after
its bound; a handler that still fails is logged with the delivery id and the delivery is
forgotten by the dedupe cache, so a redelivery finishes the job.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
from gidgethub import GitHubBroken

from app.cli.local import LocalWorld
from app.core.clock import Clock
from app.github.client import GitHubApp, GiveUp
from app.sandbox import Sandbox
from app.service.processor import RETRIES
from tests.common import FAST_RETRIES, T0
from tests.harness import bot_comments, open_issue, world
from tests.keys import SECRET, private_key_pem, public_key_pem
from tests.reliability.support import REPO, end_state, play, reference

FAILED = re.compile(r"^delivery=(\S+) handler \S+ failed")
INCIDENTS = 10
SHARE = 0.2


def failed_deliveries(records: list[logging.LogRecord]) -> Iterator[str]:
    for record in records:
        m = FAILED.match(record.getMessage())
        if m:
            yield m.group(1)


def transient_faults(w: LocalWorld, share: float, seed: int) -> None:
    """`share` of the app's calls fail, evenly as 500, 502, 503 and a reset connection."""
    kinds: list[dict[str, object]] = [{"status": 500}, {"status": 502}, {"status": 503}, {"reset": True}]
    each = 1 - (1 - share) ** (1 / len(kinds))  # the rules are tried one after the other
    for n, kind in enumerate(kinds):
        w.sandbox.faults.add(probability=each, times=None, seed=seed + n, who="app", **kind)  # type: ignore[arg-type]


@pytest.mark.parametrize("share", [SHARE, 0.4])
async def test_with_api_calls_failing_every_incident_ends_right_without_redelivery(share: float) -> None:
    """A fifth, then two fifths, of the app's calls fail (500, 502, 503, reset): the queue
    retries each failing issue with back-off, without holding a worker, and every incident
    ends as it would with no faults, with nobody redelivering anything."""
    expected = await reference()
    async with world() as w:
        transient_faults(w, share, seed=11)
        numbers = [await play(w.sandbox, w.settle) for _ in range(INCIDENTS)]
        await w.settle()
        app_calls = [r for r in w.sandbox.requests if r.actor != "alice" and not r.actor.startswith("user")]
        faulted = sum(1 for r in w.sandbox.requests if r.faulted)
        assert share * 0.6 < faulted / len(app_calls) < share * 1.4, (faulted, len(app_calls))
        wrong = {n: got for n in numbers if (got := end_state(w.sandbox, n)) != expected}
        assert not wrong, f"{len(wrong)} of {INCIDENTS} incidents ended wrong: {wrong}, not {expected}"
        assert w.processor.depth == 0 and w.processor.stats.retried > 0


async def test_rate_limits_are_honoured_no_request_before_retry_after(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "app.github.client")
    async with world() as w:
        faults = w.sandbox.faults
        faults.secondary_rate_limit(retry_after=1, method="POST", path=r"/comments$", who="app")
        faults.too_many_requests(retry_after=1, method="PATCH", path=r"/issues/\d+$", who="app")
        # Primary: x-ratelimit-remaining 0, reset now; the client waits until reset + 1 s.
        faults.primary_rate_limit(reset_in=0, method="GET", path=r"/labels$", who="app")
        number = await open_issue(w, "alice", title="Down", labels=["incident"])
        limited = [r for r in w.sandbox.requests if r.faulted]
        assert sorted(r.status for r in limited) == [403, 403, 429]
        for hit in limited:
            after = next(
                r
                for r in w.sandbox.requests
                if r.at > hit.at and (r.method, r.path) == (hit.method, hit.path) and not r.faulted
            )
            assert after.at - hit.at >= 0.99, f"{hit.method} {hit.path} retried too early"
        assert len(bot_comments(w, REPO, number)) == 1
        assert "retrying in 1.0s" in caplog.text


async def test_retries_stop_at_their_bound_and_the_failure_is_logged_with_the_delivery(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with world() as w:
        w.sandbox.faults.add(method="POST", path=r"/comments$", status=503, times=None, who="app")
        number = await open_issue(w, "alice", title="Down", labels=["incident"])
        posts = [r for r in w.sandbox.requests if r.method == "POST" and r.path.endswith("/comments")]
        # One issue, so one pass (its opened and labeled deliveries together), tried again with
        # back-off RETRIES times; each try's POST was itself retried FAST_RETRIES.attempts times.
        assert len(posts) == (RETRIES + 1) * FAST_RETRIES.attempts
        [line] = [r.getMessage() for r in caplog.records if "kept failing" in r.getMessage()]
        ids = line.split("deliveries=")[1].split(" ")[0].split(",")
        assert set(ids) <= {d.id for d in w.sandbox.deliveries} and ids
        assert w.processor.depth == 0 and w.processor.stats.retried == RETRIES
        w.sandbox.faults.clear()
        await w.sandbox.redeliver(ids[0])  # forgotten by the dedupe cache: it runs again
        await w.settle()
        assert len([c for c in bot_comments(w, REPO, number) if "incident-bot:summary" in c["body"]]) == 1


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(app_id=1, app_public_key_pem=public_key_pem(), webhook_secret=SECRET, clock=Clock(T0))
    await sb.start()
    yield sb
    await sb.stop()


def github(session: aiohttp.ClientSession, sandbox: Sandbox) -> GitHubApp:
    return GitHubApp(
        session,
        app_id="1",
        private_key=private_key_pem(),
        api_url=sandbox.base_url,
        policy=FAST_RETRIES,
        clock=lambda: T0.timestamp(),
    )


@pytest.mark.parametrize("fault", [{"reset": True}, {"delay": 0.5}], ids=["reset", "timeout"])
async def test_a_broken_connection_retries_a_read_but_never_repeats_a_post(
    sandbox: Sandbox, fault: dict[str, object]
) -> None:
    timeout = aiohttp.ClientTimeout(total=0.25)
    status, issue = await sandbox.user("alice").post("/repos/acme/web/issues", json={"title": "t"})
    assert status == 201
    async with aiohttp.ClientSession(timeout=timeout) as session:
        gh = github(session, sandbox).installation(100)
        await gh.getitem("/repos/{owner}/{repo}", {"owner": "acme", "repo": "web"})  # token first
        sandbox.faults.add(path=r"^/repos/acme/web$", times=1, **fault)  # type: ignore[arg-type]
        repo = await gh.getitem("/repos/{owner}/{repo}", {"owner": "acme", "repo": "web"})
        assert repo["name"] == "web"
        broken = sandbox.faults.add(method="POST", path=r"/comments$", times=None, **fault)  # type: ignore[arg-type]
        with pytest.raises(GiveUp):
            await gh.post(
                "/repos/{owner}/{repo}/issues/{number}/comments",
                {"owner": "acme", "repo": "web", "number": issue["number"]},
                data={"body": "x"},
            )
    # Tried once: it may have landed before the connection broke, and a second could double it.
    assert broken.hits == 1


async def test_429_without_retry_after_backs_off(sandbox: Sandbox) -> None:
    sandbox.faults.too_many_requests(retry_after=None, method="GET", path=r"^/repos/acme/web$", times=1)
    async with aiohttp.ClientSession() as session:
        gh = github(session, sandbox).installation(100)
        assert (await gh.getitem("/repos/{owner}/{repo}", {"owner": "acme", "repo": "web"}))["name"] == "web"
    hits = [r for r in sandbox.requests if r.path == "/repos/acme/web"]
    assert [r.status for r in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= FAST_RETRIES.secondary_wait * 0.99


async def test_a_server_error_that_never_ends_is_a_bounded_failure(sandbox: Sandbox) -> None:
    sandbox.faults.add(method="GET", path=r"^/repos/acme/web$", status=502, times=None)
    async with aiohttp.ClientSession() as session:
        gh = github(session, sandbox).installation(100)
        with pytest.raises(GitHubBroken):
            await gh.getitem("/repos/{owner}/{repo}", {"owner": "acme", "repo": "web"})
    assert len([r for r in sandbox.requests if r.path == "/repos/acme/web"]) == FAST_RETRIES.attempts
