"""Replicas sharing Redis: deliveries handled a second with 1, 2 and 3, and Redis round trips.

`python -m bench.replicas [--incidents N] [--latency-ms MS]` (needs Debian's `redis-server`).

Each round starts a fresh sandbox (every API request waits `--latency-ms`, GitHub's own
round trip), a fresh `redis-server` database, N servers (`create_app`, each with its 4
workers) sharing them, and a round-robin front. People declare `--incidents` incidents at
once and give each two commands; the round ends when every replica is idle. The figure is
deliveries handled (passes' deliveries, all replicas) per second of that round, next to one
embedded server (no Redis) as the baseline. All replicas run in this one process, on one
event loop: what scales here is the number of passes waiting on GitHub at once, not CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from app.cli.local import Credentials
from app.core.clock import Clock
from app.sandbox import Sandbox
from app.service.processor import Processor
from app.service.services import Services
from app.service.shared import RedisStore
from app.settings import Settings
from app.web.server import PROCESSOR, SERVICES, create_app
from bench.common import REPO, free_port, log, machine

FORM = """### What is broken?

Checkout fails for everyone.

### Severity

2 - Major: some users

### Security

- [ ] This is a security incident (do not write details here)
"""
COMMANDS = ("/severity 1", "/status stabilized")


@dataclass
class Round:
    replicas: int
    redis: bool
    deliveries: int  # handled by passes, all replicas
    received: int  # deliveries the front passed on (most are answered "ignored", without Redis)
    seconds: float
    round_trips: int  # offer, take, renew, finish: the work's own
    idle_trips: int  # a waiting worker's wake-up waits and rescues (per second, not per delivery)

    @property
    def per_second(self) -> float:
        return self.deliveries / self.seconds if self.seconds else 0.0


@asynccontextmanager
async def redis_server() -> AsyncIterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("bench.replicas needs redis-server (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    store = RedisStore.from_url(url)
    for _ in range(200):
        try:
            await store.ping()
            break
        except Exception:
            await asyncio.sleep(0.02)
    await store.close()
    try:
        yield url
    finally:
        process.kill()
        process.wait(5)


async def one_round(count: int, redis_url: str, latency_ms: float, incidents: int) -> Round:
    credentials = Credentials.generate()
    clock = Clock()
    sandbox = Sandbox(
        app_id=1,
        app_slug="incident-bot",
        app_public_key_pem=credentials.public_key,
        webhook_secret=credentials.secret,
        clock=clock,
    )
    api_url = await sandbox.start()
    sandbox.latency_ms = latency_ms
    settings = Settings(
        app_id="1",
        private_key=credentials.private_key,
        webhook_secret=credentials.secret,
        api_url=api_url,
        host="127.0.0.1",
        port=0,
        redis_url=redis_url,
        poll=0.2,
    )
    if redis_url:
        flush = RedisStore.from_url(redis_url)
        await flush._r.flushdb()
        await flush.close()
    runners: list[web.AppRunner] = []
    servers: list[web.Application] = []
    urls: list[str] = []
    for _ in range(count):
        server = create_app(
            settings,
            services_factory=lambda github: Services(github, now=clock),
            clock=lambda: clock().timestamp(),
            claim_delay=0.05,
        )
        runner = web.AppRunner(server, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        servers.append(server)
        urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}/webhook")
    session = aiohttp.ClientSession()
    turn = 0
    received = 0

    async def front(request: web.Request) -> web.Response:
        nonlocal turn, received
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        turn += 1
        received += 1
        async with session.post(urls[turn % len(urls)], data=body, headers=headers) as answer:
            await answer.read()
            return web.Response(status=answer.status)

    app = web.Application()
    app.router.add_post("/webhook", front)
    front_runner = web.AppRunner(app, access_log=None)
    await front_runner.setup()
    await web.TCPSite(front_runner, "127.0.0.1", 0).start()
    sandbox.webhook_url = f"http://127.0.0.1:{front_runner.addresses[0][1]}/webhook"
    processors: list[Processor] = [s[PROCESSOR] for s in servers]

    async def settle() -> None:
        quiet = 0
        while quiet < 2:
            before = len(sandbox.deliveries)
            await sandbox.settle(120)
            await asyncio.gather(*(p.wait_idle() for p in processors))
            await asyncio.gather(*(s[SERVICES].notifier.wait_idle() for s in servers))
            quiet = quiet + 1 if len(sandbox.deliveries) == before else 0

    async def declare(n: int) -> int:
        status, issue = await sandbox.user("alice").post(
            f"/repos/{REPO}/issues", json={"title": f"Down {n}", "body": FORM, "labels": ["incident"]}
        )
        assert status == 201, issue
        return int(issue["number"])

    try:
        started = time.perf_counter()
        numbers = await asyncio.gather(*(declare(n) for n in range(incidents)))
        for body in COMMANDS:
            await asyncio.gather(
                *(
                    sandbox.user("alice").post(f"/repos/{REPO}/issues/{n}/comments", json={"body": body})
                    for n in numbers
                )
            )
        await settle()
        seconds = time.perf_counter() - started
        stores = [st for st in (s[SERVICES].shared for s in servers) if isinstance(st, RedisStore)]
        work = sum(st.trips[k] for st in stores for k in ("offer", "take", "renew", "finish", "release"))
        idle = sum(st.trips[k] for st in stores for k in ("wait", "rescue"))
        handled = sum(p.stats.processed for p in processors)
        return Round(count, bool(redis_url), handled, received, seconds, work, idle)
    finally:
        await front_runner.cleanup()
        await session.close()
        for runner in runners:
            await runner.cleanup()
        await sandbox.stop()


async def measure(incidents: int, latency_ms: float) -> dict[str, Any]:
    rounds = [await one_round(1, "", latency_ms, incidents)]
    async with redis_server() as url:
        for count in (1, 2, 3):
            rounds.append(await one_round(count, url, latency_ms, incidents))
            log(f"{count} replica(s): {rounds[-1].per_second:.1f} deliveries/s")
    base = rounds[1].per_second
    return {
        "machine": machine(),
        "incidents": incidents,
        "latency_ms": latency_ms,
        "rounds": [
            {
                "replicas": r.replicas,
                "redis": r.redis,
                "deliveries": r.deliveries,
                "received": r.received,
                "seconds": round(r.seconds, 2),
                "per_second": round(r.per_second, 1),
                "ratio_to_one_redis_replica": round(r.per_second / base, 2) if base else None,
                "redis_round_trips_per_delivery": round(r.round_trips / r.received, 2) if r.received else 0,
                "redis_round_trips_per_handled_delivery": (
                    round(r.round_trips / r.deliveries, 2) if r.deliveries else 0
                ),
                "redis_idle_trips_per_second": round(r.idle_trips / r.seconds, 1) if r.seconds else None,
            }
            for r in rounds
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__)
    parser.add_argument("--incidents", type=int, default=40)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    print(json.dumps(asyncio.run(measure(args.incidents, args.latency_ms)), indent=2))


if __name__ == "__main__":
    main()
