"""The load generator: a separate process posting signed deliveries to `/webhook`.

    python -m bench.loadgen URL --secret S --issues 200 --closed 32 --seconds 3
    python -m bench.loadgen URL --secret S --issues 200 --rate 200 --seconds 10

`--closed N`: N connections post back to back (throughput). `--rate R`: an open loop
at R deliveries per second; each latency counts from when the delivery was due, not
when it left, so a stalled server cannot hide its stall (no coordinated omission).
Prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from collections import Counter

import aiohttp

from bench.common import body_of, labeled_payload, percentile, signed


def _deliveries(issues: int, secret: str) -> list[tuple[bytes, dict[str, str]]]:
    out = []
    for number in range(1, issues + 1):
        body = body_of(labeled_payload(number))
        out.append((body, signed(body, secret)))
    return out


async def _post(session: aiohttp.ClientSession, url: str, body: bytes, headers: dict[str, str]) -> int:
    try:
        unique = {**headers, "X-GitHub-Delivery": str(uuid.uuid4())}
        async with session.post(url, data=body, headers=unique) as r:
            await r.read()
            return r.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


async def closed_loop(
    url: str, deliveries: list[tuple[bytes, dict[str, str]]], workers: int, seconds: float, warmup: float
) -> dict[str, object]:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    counting = False
    connector = aiohttp.TCPConnector(limit=workers)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker(n: int) -> None:
            i = n
            while not stop.is_set():
                body, headers = deliveries[i % len(deliveries)]
                i += workers
                started = time.perf_counter()
                status = await _post(session, url, body, headers)
                if counting:
                    statuses[status] += 1
                    latencies.append((time.perf_counter() - started) * 1000)

        stop = asyncio.Event()
        tasks = [asyncio.create_task(worker(n)) for n in range(workers)]
        await asyncio.sleep(warmup)
        counting = True
        began = time.perf_counter()
        await asyncio.sleep(seconds)
        counting = False
        elapsed = time.perf_counter() - began
        stop.set()
        await asyncio.gather(*tasks)
    ok = sum(n for status, n in statuses.items() if 200 <= status < 300)
    return {
        "mode": "closed",
        "workers": workers,
        "seconds": round(elapsed, 3),
        "statuses": dict(statuses),
        "per_second": round(ok / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }


async def open_loop(
    url: str, deliveries: list[tuple[bytes, dict[str, str]]], rate: float, seconds: float
) -> dict[str, object]:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    total = int(rate * seconds)
    connector = aiohttp.TCPConnector(limit=256)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(i: int, due: float) -> None:
            body, headers = deliveries[i % len(deliveries)]
            status = await _post(session, url, body, headers)
            statuses[status] += 1
            latencies.append((time.perf_counter() - due) * 1000)

        tasks = []
        began = time.perf_counter()
        for i in range(total):
            due = began + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(i, due)))
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - began
    return {
        "mode": "open",
        "rate": rate,
        "sent": total,
        "seconds": round(elapsed, 3),
        "statuses": dict(statuses),
        "p50_ms": round(percentile(latencies, 50), 2),
        "p90_ms": round(percentile(latencies, 90), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies, default=0.0), 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--secret", required=True)
    ap.add_argument("--issues", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--warmup", type=float, default=0.5)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--closed", type=int, metavar="CONNECTIONS")
    mode.add_argument("--rate", type=float, metavar="PER_SECOND")
    args = ap.parse_args()
    deliveries = _deliveries(args.issues, args.secret)
    if args.closed:
        result = asyncio.run(closed_loop(args.url, deliveries, args.closed, args.seconds, args.warmup))
    else:
        result = asyncio.run(open_loop(args.url, deliveries, args.rate, args.seconds))
    result["body_bytes"] = len(deliveries[0][0])
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
