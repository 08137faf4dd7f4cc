"""Soak: thousands of deliveries at a steady rate against the sandbox and the server on loopback.

    python bench/soak.py                              # 3000 deliveries, about 2 minutes
    python bench/soak.py --deliveries 5000 --rate 40 --fail-rate 0.05

People open incidents and comment on them at `--rate` actions a second; every action
makes the sandbox send its webhooks (and the app's own changes send more, as on GitHub).
Every `--every` seconds it prints the process's RSS (app *and* in-process sandbox, which
keeps every issue, comment, delivery and recorded request: it grows by design); at the end, the deliveries
lost: sent but not answered 2xx, or accepted but never processed. To judge the app's own
memory the server must run in its own process (not done yet: see RELIABILITY.md).
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/soak.py`: make `app` importable
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import gc
import logging
import os
import platform
import time

from app.local import Credentials, local_world


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def soak(args: argparse.Namespace) -> int:
    credentials = Credentials.generate()
    async with local_world(credentials=credentials) as w:
        if args.fail_rate:
            w.sandbox.faults.add(probability=args.fail_rate, times=None, seed=1, who="app", status=502)
        started = time.monotonic()
        next_print = started
        samples: list[float] = []
        open_incidents: list[int] = []
        action = 0
        while len(w.sandbox.deliveries) < args.deliveries:
            # Steady: the n-th action starts at n / rate seconds, however long the last took.
            await asyncio.sleep(max(0.0, started + action / args.rate - time.monotonic()))
            if action % 5 == 0 or not open_incidents:
                status, issue = await w.user("alice").post(
                    "/repos/acme/web/issues", json={"title": f"Soak {action}", "labels": ["incident"]}
                )
                assert status == 201, issue
                open_incidents.append(int(issue["number"]))
                open_incidents = open_incidents[-20:]  # a few live incidents at a time
            else:
                number = open_incidents[action % len(open_incidents)]
                await w.user("bob").post(
                    f"/repos/acme/web/issues/{number}/comments", json={"body": f"/update step {action}"}
                )
            action += 1
            if time.monotonic() >= next_print:
                gc.collect()
                samples.append(rss_mb())
                print(
                    f"{time.monotonic() - started:6.1f}s deliveries={len(w.sandbox.deliveries):5d} "
                    f"processed={w.processor.stats.processed:5d} queue={w.processor.depth:3d} "
                    f"rss={samples[-1]:.1f} MB",
                    flush=True,
                )
                next_print += args.every
        await w.settle(rounds=1000)
        elapsed = time.monotonic() - started
        sent = [d for d in w.sandbox.deliveries if not d.dropped]
        refused = [d for d in sent if d.status not in (200, 202)]
        accepted = sum(1 for d in sent if d.status == 202)
        unprocessed = accepted - w.processor.stats.processed
        gc.collect()
        samples.append(rss_mb())
        half = len(samples) // 2
        first = max(samples[1 : half or 1] or samples[:1])  # after warm-up
        second = max(samples[half:])
        print(
            f"\n{len(sent)} deliveries in {elapsed:.0f}s ({len(sent) / elapsed:.1f}/s), "
            f"{action} people's actions; lost: {len(refused) + max(unprocessed, 0)} "
            f"(not 2xx: {len(refused)}, accepted but not processed: {max(unprocessed, 0)}); "
            f"failed handlers: {w.processor.stats.failed_handlers}"
        )
        print(
            f"RSS peak first half {first:.1f} MB, second half {second:.1f} MB "
            f"(growth {second - first:+.1f} MB); machine: {os.cpu_count()} cpus, "
            f"Python {platform.python_version()}"
        )
        return 0 if not refused and unprocessed <= 0 else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--deliveries", type=int, default=3000)
    ap.add_argument("--rate", type=float, default=25.0, help="people's actions per second")
    ap.add_argument("--every", type=float, default=10.0, help="seconds between RSS lines")
    ap.add_argument("--fail-rate", type=float, default=0.0, help="share of the app's API calls failing (502)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(soak(args))


if __name__ == "__main__":
    raise SystemExit(main())
