"""Replicas sharing one Redis never double-post: delivery ids, the queue of issues and a
lease per issue live in Redis, so two or three servers behind a load balancer act as one.

What counts is what was ever CREATED (the creating POSTs the sandbox recorded), not the end
state: the writer's repair deletes a duplicate afterwards, but every created comment has
already notified every subscriber by e-mail and push.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from collections import Counter

import pytest

from app.github.write import REPAIRS
from app.sandbox import Sandbox
from app.service.sweep import sweep
from tests.harness import world
from tests.reliability.redis_server import BINARY, RedisServer, free_port, redis_server
from tests.reliability.support import FORM, REPO, Replicas, replicas, services

__all__ = ["redis_server"]  # the fixture, used by name

INCIDENTS = 30
COMMANDS = ("/severity 1", "/followup Add an alert on checkout errors", "/status stabilized")


async def burst(sandbox: Sandbox, settle: object, incidents: int = INCIDENTS) -> list[int]:
    """Declare `incidents` incidents at once, then give each its commands at once."""

    async def declare(n: int) -> int:
        status, issue = await sandbox.user("alice").post(
            f"/repos/{REPO}/issues",
            json={"title": f"Checkout down {n}", "body": FORM, "labels": ["incident"]},
        )
        assert status == 201, issue
        return int(issue["number"])

    numbers = await asyncio.gather(*(declare(n) for n in range(incidents)))
    for body in COMMANDS:
        await asyncio.gather(
            *(
                sandbox.user("alice").post(f"/repos/{REPO}/issues/{n}/comments", json={"body": body})
                for n in numbers
            )
        )
    return list(numbers)


def created(sandbox: Sandbox, numbers: list[int]) -> dict[str, Counter[int]]:
    """Per incident: comments and follow-up issues the app ever created (creating POSTs)."""
    comments: Counter[int] = Counter()
    issues: Counter[int] = Counter()
    for r in sandbox.requests:
        by_app = r.actor == "app" or r.actor.startswith("installation:")
        if r.method != "POST" or not by_app or r.status != 201:
            continue
        if m := re.fullmatch(rf"/repos/{REPO}/issues/(\d+)/comments", r.path):
            comments[int(m.group(1))] += 1
        elif r.path == f"/repos/{REPO}/issues" and (
            m := re.search(r"incident #(\d+)\b", str((r.body or {}).get("body", "")))
        ):
            issues[int(m.group(1))] += 1
    return {
        "comments": Counter({n: comments[n] for n in numbers}),
        "issues": Counter({n: issues[n] for n in numbers}),
    }


_REFERENCE: dict[int, tuple[int, int]] = {}


async def one_replica_reference(incidents: int = INCIDENTS) -> tuple[int, int]:
    """(comments, follow-ups) one embedded server creates per incident for the burst."""
    if incidents not in _REFERENCE:
        _REFERENCE[incidents] = await _reference(incidents)
    return _REFERENCE[incidents]


async def _reference(incidents: int) -> tuple[int, int]:
    async with world() as w:
        numbers = await burst(w.sandbox, w.settle, incidents)
        await w.settle()
        got = created(w.sandbox, numbers)
    assert set(got["comments"].values()) and len(set(got["comments"].values())) == 1, got
    return next(iter(got["comments"].values())), next(iter(got["issues"].values()))


def assert_once_each(r: Replicas, numbers: list[int], expected: tuple[int, int]) -> None:
    got = created(r.sandbox, numbers)
    wrong = {
        n: (got["comments"][n], got["issues"][n])
        for n in numbers
        if (got["comments"][n], got["issues"][n]) != expected
    }
    assert not wrong, f"incident: (comments, follow-ups) created, expected {expected} each: {wrong}"


# Several servers, a real Redis and leases timed in hundreds of milliseconds: about one run
# in ten of this file has hung on a loaded 2-core machine (one cause found and fixed: a
# killed worker swallowed its own cancellation and went on taking keys). A hang fails after
# 60 s and the test runs again, at most twice; its assertions are never relaxed.
TIMING = [pytest.mark.timeout(60), pytest.mark.flaky(reruns=2)]


@pytest.mark.parametrize(
    ("count", "dispatch"), [(2, "round-robin"), (3, "round-robin"), (2, "pairs"), (3, "pairs")]
)
@TIMING[0]
@TIMING[1]
async def test_replicas_sharing_redis_never_create_a_duplicate(
    redis_server: RedisServer, count: int, dispatch: str
) -> None:
    expected = await one_replica_reference()
    assert expected[1] == 1  # one follow-up per /followup
    repairs = sum(REPAIRS.values())
    async with replicas(count, redis_url=redis_server.url, dispatch=dispatch) as r:
        numbers = await burst(r.sandbox, r.settle)
        await r.settle()
        assert_once_each(r, numbers, expected)
        assert sum(REPAIRS.values()) == repairs, "the writer's repair fired: two passes raced"
        # The work really was shared: every replica ran passes.
        assert all(p.stats.passes for p in r.processors), [p.stats.passes for p in r.processors]
        if dispatch == "pairs":
            assert sum(p.stats.duplicates for p in r.processors) >= INCIDENTS


@TIMING[0]
@TIMING[1]
async def test_a_replica_killed_mid_burst_leaves_nothing_undone(redis_server: RedisServer) -> None:
    expected = await one_replica_reference(12)
    async with replicas(3, redis_url=redis_server.url, dispatch="round-robin", lease_ms=600) as r:
        victim = r.processors[0]
        started = asyncio.Event()
        real = victim._pass

        async def pass_then_hang(entry: object) -> bool:
            started.set()
            await asyncio.sleep(3600)  # held mid-pass until killed: the lease is never released
            return await real(entry)  # type: ignore[arg-type]

        victim._pass = pass_then_hang  # type: ignore[method-assign]
        sending = asyncio.create_task(burst(r.sandbox, r.settle, 12))
        await asyncio.wait_for(started.wait(), 10)
        r.kill(0)
        numbers = await sending
        await r.settle()
        assert_once_each(r, numbers, expected)


@TIMING[0]
@TIMING[1]
async def test_redis_restarted_mid_run_the_replicas_reconnect_and_the_sweep_heals(
    redis_server: RedisServer,
) -> None:
    expected = await one_replica_reference(6)
    async with replicas(2, redis_url=redis_server.url, dispatch="round-robin") as r:
        r.sandbox.latency_ms = 30  # passes take a while: deliveries are waiting in Redis
        first = await burst(r.sandbox, r.settle, 3)
        await asyncio.sleep(0.1)
        redis_server.restart()  # what waits in it and every lease are gone with it
        second = await burst(r.sandbox, r.settle, 3)  # some of these may be refused with 503
        await asyncio.sleep(0.3)
        await r.settle()
        # The replicas reconnected by themselves.
        assert all(not p.health() for p in r.processors), [p.health() for p in r.processors]
        await sweep(services(r.servers[0]))
        await r.settle()
        assert_once_each(r, first + second, expected)


@TIMING[0]
@TIMING[1]
async def test_lost_redis_refuses_deliveries_and_healthz_says_so(redis_server: RedisServer) -> None:
    async with replicas(1, redis_url=redis_server.url) as r:
        redis_server.stop()
        status, _ = await r.sandbox.user("alice").post(
            f"/repos/{REPO}/issues", json={"title": "Down", "body": FORM, "labels": ["incident"]}
        )
        assert status == 201
        await r.sandbox.settle()
        assert [d.status for d in r.sandbox.deliveries][-1] == 503
        problems = r.processors[0].health()
        assert any("Redis (REDIS_URL) is unreachable" in p for p in problems), problems
        redis_server.start()
        for _ in range(100):
            if not r.processors[0].health():
                break
            await asyncio.sleep(0.05)
        assert not r.processors[0].health()


@pytest.mark.skipif(BINARY is None, reason="no redis-server binary: nothing to compare with")
def test_serve_with_redis_unreachable_at_start_says_so_in_one_line_and_exits_2(tmp_path: object) -> None:
    from tests.keys import SECRET, private_key_pem

    env = {
        "PATH": "/usr/bin:/bin",
        "GITHUB_APP_ID": "1",
        "GITHUB_PRIVATE_KEY": private_key_pem(),
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "REDIS_URL": f"redis://:hunter2-secret@127.0.0.1:{free_port()}/0",
        "PORT": "0",
    }
    done = subprocess.run(
        [sys.executable, "-m", "app", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "REDIS_URL" in lines[0], done.stderr
    assert "hunter2" not in done.stderr + done.stdout


async def test_without_redis_the_repair_fires_and_metrics_count_it() -> None:
    """The last line of defence, seen firing: two replicas with nothing shared race, the
    writer deletes the copies it made, and /metrics says how often (with Redis: never)."""
    from app.web.metrics import WebhookMetrics, render

    before = REPAIRS["comment"]
    async with replicas(2) as r:
        await burst(r.sandbox, r.settle, 4)
        await r.settle()
        text = render(WebhookMetrics(), r.processors[0], services(r.servers[0]))
    assert REPAIRS["comment"] > before
    assert f'incident_bot_duplicate_repairs_total{{kind="comment"}} {REPAIRS["comment"]}' in text
    assert "incident_bot_redis_up" not in text  # nothing shared, nothing to report


async def test_metrics_say_whether_redis_answers(redis_server: RedisServer) -> None:
    from app.web.metrics import WebhookMetrics, render

    async with replicas(1, redis_url=redis_server.url) as r:
        processor, their = r.processors[0], services(r.servers[0])
        assert "incident_bot_redis_up 1" in render(WebhookMetrics(), processor, their)
        redis_server.stop()
        for _ in range(100):
            if processor.shared_down:
                break
            await asyncio.sleep(0.05)
        assert "incident_bot_redis_up 0" in render(WebhookMetrics(), processor, their)
        redis_server.start()


def test_a_redis_url_of_another_kind_is_refused_without_repeating_it() -> None:
    from app.settings import SettingsError, from_env
    from tests.keys import SECRET, private_key_pem

    env = {"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": private_key_pem(), "GITHUB_WEBHOOK_SECRET": SECRET}
    assert from_env(env).redis_url == ""
    assert from_env({**env, "REDIS_URL": "rediss://:pw@cache:6380/0"}).redis_url.startswith("rediss://")
    with pytest.raises(SettingsError) as refused:
        from_env({**env, "REDIS_URL": "http://user:hunter2@cache:6379"})
    assert "REDIS_URL must be" in str(refused.value) and "hunter2" not in str(refused.value)
    assert "hunter2" not in repr(from_env({**env, "REDIS_URL": "redis://:hunter2@cache:6379"}))
    assert from_env(env).redis_tls_verify
    assert not from_env({**env, "REDIS_TLS_VERIFY": "none"}).redis_tls_verify
    with pytest.raises(SettingsError, match="REDIS_TLS_VERIFY must be required or none"):
        from_env({**env, "REDIS_TLS_VERIFY": "maybe"})


@TIMING[0]
@TIMING[1]
async def test_one_sweep_per_installation_at_a_time(redis_server: RedisServer) -> None:
    async with replicas(2, redis_url=redis_server.url, dispatch="round-robin") as r:
        await burst(r.sandbox, r.settle, 2)
        await r.settle()
        first, second = services(r.servers[0]), services(r.servers[1])
        ids = [int(i["id"]) async for i in first.github.app.getiter("/app/installations?per_page=100")]
        tokens = [await first.shared.lease(f"sweep:{i}", 10_000) for i in ids]
        assert all(tokens)
        assert (await sweep(second)).incidents == 0  # the other replica's sweep holds them all
        for i, token in zip(ids, tokens, strict=True):
            assert token is not None and await first.shared.release(f"sweep:{i}", token)
        assert (await sweep(second)).incidents == 2
        assert (await sweep(first)).incidents == 2  # released at the end of each sweep
