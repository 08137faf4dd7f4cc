"""Acknowledgement throughput and latency: the real app against a bare aiohttp handler.

Three processes on loopback: the sandbox GitHub (`python -m app sandbox`), the server
under test (`bench.server app|bare`) and the load generator (`bench.loadgen`). The
app's handlers do their real work after each ack (read the incident from the sandbox,
decide, write), so the ack is measured while that work competes for the same loop.
Each measurement gets a fresh server process; bare and app alternate, twice, and the
better of the two rounds is kept for each (noise on a shared machine only ever slows).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from app.cli.local import Credentials
from bench.common import REPO, ROOT, free_port, log

ISSUES = 200
THROUGHPUT_SECONDS = 3.0
CONNECTIONS = 16
RATE = 200.0
RATE_SECONDS = 8.0
ROUNDS = 2


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], logfile: Path) -> Iterator[subprocess.Popen[bytes]]:
    with logfile.open("ab") as out:
        proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out, stderr=out)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)  # ours, by pid: no drain wanted after a measurement
        proc.wait()


async def wait_up(url: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not come up")
            await asyncio.sleep(0.1)


async def healthz(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as r:
        data: dict[str, Any] = await r.json(content_type=None)
        return data


async def _open_issues(api: str, count: int) -> None:
    """Issues already labelled `incident`: each one's first delivery declares it, later ones re-read it."""
    headers = {"Authorization": "token user:alice"}
    async with aiohttp.ClientSession(headers=headers) as session:
        for n in range(count):
            body = {"title": f"Outage {n}", "body": "Checkout fails.", "labels": ["incident"]}
            async with session.post(f"{api}/repos/{REPO}/issues", json=body) as r:
                assert r.status == 201, r.status


def _loadgen(url: str, secret: str, *mode: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.loadgen", url, "--secret", secret, "--issues", str(ISSUES), *mode],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _measure(kind: str, mode: str, env: dict[str, str], tmp: Path, secret: str) -> dict[str, Any]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [sys.executable, "-m", "bench.server", mode, "--port", str(port)]
    with process(args, env, tmp / f"server-{mode}.log"):
        asyncio.run(wait_up(f"{url}/healthz"))
        if kind == "throughput":
            result = _loadgen(
                f"{url}/webhook", secret, "--closed", str(CONNECTIONS), "--seconds", str(THROUGHPUT_SECONDS)
            )
        else:
            result = _loadgen(f"{url}/webhook", secret, "--rate", str(RATE), "--seconds", str(RATE_SECONDS))
        if mode == "app":
            result["backlog"] = asyncio.run(healthz(f"{url}/healthz")).get("queue")
    return result


def run() -> dict[str, Any]:
    creds = Credentials.generate()
    with tempfile.TemporaryDirectory(prefix="bench-ack-") as name:
        tmp = Path(name)
        (tmp / "app.pub.pem").write_text(creds.public_key)
        api_port = free_port()
        api = f"http://127.0.0.1:{api_port}"
        env = {
            **os.environ,
            "GITHUB_APP_ID": "1",
            "GITHUB_PRIVATE_KEY": creds.private_key,
            "GITHUB_WEBHOOK_SECRET": creds.secret,
            "GITHUB_API_URL": api,
            "PYTHONPATH": str(ROOT),
        }
        sandbox = [
            sys.executable,
            "-m",
            "app",
            "sandbox",
            "--port",
            str(api_port),
            "--app-key-path",
            str(tmp / "app.pub.pem"),
            "--app-id",
            "1",
        ]
        with process(sandbox, env, tmp / "sandbox.log"):
            asyncio.run(wait_up(f"{api}/rate_limit"))
            asyncio.run(_open_issues(api, ISSUES))
            rounds: dict[tuple[str, str], list[dict[str, Any]]] = {}
            for n in range(ROUNDS):
                for kind in ("throughput", "latency"):
                    for mode in ("bare", "app"):
                        result = _measure(kind, mode, env, tmp, creds.secret)
                        log(f"  ack round {n + 1} {kind} {mode}: {json.dumps(result)}")
                        rounds.setdefault((kind, mode), []).append(result)
    best_thr = {m: max(rounds[("throughput", m)], key=lambda r: r["per_second"]) for m in ("bare", "app")}
    best_lat = {m: min(rounds[("latency", m)], key=lambda r: r["p99_ms"]) for m in ("bare", "app")}
    return {
        "throughput": best_thr,
        "latency": best_lat,
        "ratio": round(best_thr["app"]["per_second"] / best_thr["bare"]["per_second"], 2),
        "body_bytes": best_thr["app"]["body_bytes"],
        "rounds": {f"{k}/{m}": v for (k, m), v in rounds.items()},
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
