"""Soak: thousands of deliveries at a steady rate; the server's memory stays flat and nothing is lost.

    python bench/soak.py                              # about 4,000 deliveries, under 3 minutes
    python bench/soak.py --deliveries 2000 --rate 10
    python bench/soak.py --tracemalloc                # also: what grew in the server, by line

Three processes on loopback, as in production: the sandbox GitHub (`python -m app
sandbox`, which keeps every issue, comment and delivery: its memory grows by design
and is not measured), the server (`python -m app serve`, settings in the environment,
a key and secret made for this run) and this driver. The driver acts as people
through the sandbox's HTTP API at `--rate` actions a second: it declares incidents
and plays a script on each (commands from several people, a hand-off, an update,
status changes, the close), about 20 incidents in flight at a time, until the
server has received `--deliveries` deliveries. Every `--every` seconds it reads the
server process's RSS (/proc/PID/status VmRSS).

At the end it checks that nothing was lost: every incident ends as the script says
(labels, assignee, closed, one summary showing the last severity, the hand-off, the
role and the update), the sandbox reports no failed delivery, the server processed
every delivery it accepted, and no handler failed; and that RSS is flat after
warm-up: the last third of the samples grows less than FLAT_MB or FLAT_SHARE over
the middle third. Exit status 0 only if both hold.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/soak.py`: make `app` and `bench` importable
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import os
import re
import signal
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from app.cli.local import Credentials
from bench.ack import process, wait_up
from bench.common import REPO, free_port, machine

LIVE = 20  # incidents in flight at once: each gets a step about every LIVE / rate seconds
FLAT_MB = 5.0  # "flat": the last third of the run grows less than this...
FLAT_SHARE = 0.10  # ...or less than this share of the RSS after warm-up
SETTLE_SECONDS = 90.0  # after the last action: time for the backlog to drain
BOT = "incident-bot[bot]"
SUMMARY = "<!-- incident-bot:summary"
SANDBOX_FAILED = re.compile(r"^delivery \S+ \S+ failed: ")
HANDLER_FAILED = re.compile(r'"message": "delivery=\S+ handler \S+ failed')

# (who, comment) played on each incident after alice declares it; `close` closes the issue.
# {s1}/{s2}: severities, {n}: the issue number. Every line is one person's action.
SCRIPT: tuple[tuple[str, str], ...] = (
    ("dave", "/severity {s1}"),
    ("bob", "/lead @bob"),
    ("bob", "/ack"),
    ("alice", "/role comms @carol"),
    ("bob", "/update soak step {n}"),
    ("alice", "/status stabilized"),
    ("alice", "/status under-investigation"),
    ("dave", "/sev {s2}"),
    ("alice", "close"),
)


@dataclass
class Incident:
    number: int
    step: int = 0  # next line of SCRIPT

    @property
    def severities(self) -> tuple[int, int]:
        return self.number % 3 + 1, (self.number + 1) % 3 + 1


@dataclass
class Sample:
    at: float
    rss_mb: float
    received: int  # deliveries the server answered
    queue: int


@dataclass
class Run:
    api: str
    server: str
    server_pid: int
    started: float = field(default_factory=time.monotonic)
    samples: list[Sample] = field(default_factory=list)
    received: int = 0


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"process {pid} has no VmRSS: has it exited?")


def parse_metrics(text: str) -> dict[str, dict[str, float]]:
    """Prometheus text → {name: {labels: value}}; enough for the server's own /metrics."""
    out: dict[str, dict[str, float]] = collections.defaultdict(dict)
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        name, _, labels = series.partition("{")
        out[name.removeprefix("incident_bot_")][labels.rstrip("}")] = float(value)
    return out


async def scrape(session: aiohttp.ClientSession, url: str) -> dict[str, dict[str, float]]:
    async with session.get(f"{url}/metrics") as r:
        return parse_metrics(await r.text())


async def sample(run: Run, session: aiohttp.ClientSession) -> Sample:
    metrics = await scrape(session, run.server)
    run.received = int(sum(metrics.get("webhook_responses_total", {}).values()))
    s = Sample(
        at=time.monotonic() - run.started,
        rss_mb=rss_mb(run.server_pid),
        received=run.received,
        queue=int(metrics.get("queue_depth", {}).get("", 0)),
    )
    run.samples.append(s)
    print(f"{s.at:6.1f}s received={s.received:5d} queue={s.queue:4d} rss={s.rss_mb:6.1f} MB", flush=True)
    return s


async def sampler(run: Run, session: aiohttp.ClientSession, args: argparse.Namespace) -> None:
    baseline = not args.tracemalloc
    while True:
        await sample(run, session)
        if not baseline and run.received >= args.deliveries / 3:
            baseline = True  # after warm-up: caches filling up at start-up is not a leak
            os.kill(run.server_pid, signal.SIGUSR1)
        await asyncio.sleep(args.every)


async def snapshots(path: Path, count: int, timeout: float = 300.0) -> None:
    """Until the traced server has written `count` snapshots (each takes seconds under load)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().count("== snapshot") >= count:
            return
        await asyncio.sleep(0.5)
    raise RuntimeError(f"the server wrote no snapshot {count} to {path}")


async def act(
    session: aiohttp.ClientSession, api: str, who: str, method: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    headers = {"Authorization": f"token user:{who}", "Accept": "application/vnd.github+json"}
    async with session.request(method, f"{api}/repos/{REPO}{path}", json=body, headers=headers) as r:
        answer: dict[str, Any] = await r.json(content_type=None)
        if r.status not in (200, 201):
            raise RuntimeError(f"{who} {method} {path}: {r.status} {answer}")
        return answer


async def step(session: aiohttp.ClientSession, api: str, incident: Incident) -> None:
    who, line = SCRIPT[incident.step]
    incident.step += 1
    if line == "close":
        await act(session, api, who, "PATCH", f"/issues/{incident.number}", {"state": "closed"})
        return
    s1, s2 = incident.severities
    text = line.format(s1=s1, s2=s2, n=incident.number)
    await act(session, api, who, "POST", f"/issues/{incident.number}/comments", {"body": text})


async def drive(
    run: Run, args: argparse.Namespace, session: aiohttp.ClientSession
) -> tuple[list[Incident], int]:
    """People's actions at a steady rate until the server has received `--deliveries`."""
    live: collections.deque[Incident] = collections.deque()
    declared: list[Incident] = []
    actions = 0
    deadline = args.max_seconds
    while True:
        declaring = run.received < args.deliveries and time.monotonic() - run.started < deadline
        if not declaring and not live:
            return declared, actions
        # Steady: the n-th action starts at n / rate seconds, however long the last one took.
        await asyncio.sleep(max(0.0, run.started + actions / args.rate - time.monotonic()))
        actions += 1
        if declaring and len(live) < LIVE:
            issue = await act(
                session,
                run.api,
                "alice",
                "POST",
                "/issues",
                {"title": f"Soak {len(declared) + 1}", "body": "Checkout fails.", "labels": ["incident"]},
            )
            incident = Incident(int(issue["number"]))
            declared.append(incident)
            live.append(incident)
            continue
        incident = live.popleft()
        await step(session, run.api, incident)
        if incident.step < len(SCRIPT):
            live.append(incident)


async def settle(run: Run, session: aiohttp.ClientSession) -> bool:
    """Until the server's queue is empty and no delivery arrived for a few polls."""
    quiet, last = 0, -1
    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        metrics = await scrape(session, run.server)
        received = int(sum(metrics.get("webhook_responses_total", {}).values()))
        queue = int(metrics.get("queue_depth", {}).get("", 0))
        quiet = quiet + 1 if (received == last and queue == 0) else 0
        if quiet >= 3:
            return True
        last = received
        await asyncio.sleep(0.5)
    return False


async def get_all(session: aiohttp.ClientSession, api: str, path: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    headers = {"Authorization": "token user:alice"}
    for page in range(1, 100):
        async with session.get(
            f"{api}/repos/{REPO}{path}", params={"per_page": "100", "page": str(page)}, headers=headers
        ) as r:
            batch: list[dict[str, Any]] = await r.json(content_type=None)
        items.extend(batch)
        if len(batch) < 100:
            break
    return items


async def wrong(session: aiohttp.ClientSession, api: str, incident: Incident) -> list[str]:
    """What differs between the issue as the sandbox shows it and what the script did."""
    async with session.get(
        f"{api}/repos/{REPO}/issues/{incident.number}", headers={"Authorization": "token user:alice"}
    ) as r:
        issue = await r.json(content_type=None)
    comments = await get_all(session, api, f"/issues/{incident.number}/comments")
    _, s2 = incident.severities
    problems: list[str] = []
    labels = sorted(label["name"] for label in issue["labels"])
    want = sorted(["incident", f"severity: {s2}", "status: resolved"])
    if labels != want:
        problems.append(f"labels {labels}")
    if [a["login"] for a in issue["assignees"]] != ["bob"]:
        problems.append(f"assignees {[a['login'] for a in issue['assignees']]}")
    if issue["state"] != "closed":
        problems.append(f"state {issue['state']}")
    bot = [c["body"] for c in comments if c["user"]["login"] == BOT]
    summaries = [b for b in bot if SUMMARY in b]
    if len(summaries) != 1:
        problems.append(f"{len(summaries)} summaries")
    else:
        for expected in (
            f"Severity {s2}",
            "Resolved",
            "**Lead:** @bob",
            "Comms: @carol",
            f"Update: soak step {incident.number}",
        ):
            if expected not in summaries[0]:
                problems.append(f"summary lacks {expected!r}")
    refused = [b for b in bot if "did not apply" in b]
    if refused:
        problems.append(f"{len(refused)} refusals: {refused[0][:120]!r}")
    return problems


async def check(run: Run, declared: list[Incident], session: aiohttp.ClientSession) -> dict[str, list[str]]:
    bad: dict[str, list[str]] = {}
    for n in range(0, len(declared), 10):  # a few at a time: the sandbox is one process too
        batch = declared[n : n + 10]
        for incident, problems in zip(
            batch, await asyncio.gather(*(wrong(session, run.api, i) for i in batch)), strict=True
        ):
            if problems:
                bad[f"#{incident.number}"] = problems
    return bad


def count_lines(path: Path, pattern: re.Pattern[str]) -> int:
    with path.open(encoding="utf-8", errors="replace") as f:
        return sum(1 for line in f if pattern.search(line))


def flatness(samples: list[Sample]) -> tuple[float, float, bool]:
    """(RSS after warm-up, growth over the last third, flat?): peaks of the middle and last thirds."""
    rss = [s.rss_mb for s in samples]
    third = max(len(rss) // 3, 1)
    warm = max(rss[third : 2 * third] or rss)
    end = max(rss[2 * third :] or rss)
    growth = end - warm
    return warm, growth, growth < max(FLAT_MB, FLAT_SHARE * warm)


async def soak(args: argparse.Namespace, tmp: Path, server_pid: int, api: str, server: str) -> int:
    run = Run(api=api, server=server, server_pid=server_pid)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        await sample(run, session)
        run.started = time.monotonic()
        sampling = asyncio.create_task(sampler(run, session, args))
        try:
            declared, actions = await drive(run, args, session)
        finally:
            sampling.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sampling
        driven = time.monotonic() - run.started
        settled = await settle(run, session)
        elapsed = time.monotonic() - run.started
        await sample(run, session)  # after the backlog drained: still counts for "flat"
        if args.tracemalloc:
            await snapshots(tmp / "tracemalloc.txt", 1)
            os.kill(server_pid, signal.SIGUSR1)
            await snapshots(tmp / "tracemalloc.txt", 2)
        metrics = await scrape(session, server)
        bad = await check(run, declared, session)

    responses = metrics.get("webhook_responses_total", {})
    received = int(sum(responses.values()))
    accepted = int(responses.get('status="202"', 0))
    not_2xx = int(sum(v for k, v in responses.items() if not k.startswith('status="2')))
    processed = int(sum(metrics.get("deliveries_total", {}).values()))
    failed_handlers = int(metrics.get("handler_failures_total", {}).get("", 0))
    sandbox_failed = count_lines(tmp / "sandbox.log", SANDBOX_FAILED)
    handler_lines = count_lines(tmp / "server.log", HANDLER_FAILED)
    unprocessed = max(accepted - processed, 0)
    lost = sandbox_failed + unprocessed
    warm, growth, flat = flatness(run.samples)
    rss = [s.rss_mb for s in run.samples]
    m = machine()

    print(f"\nRSS series (MB, every {args.every:g}s): {' '.join(f'{r:.1f}' for r in rss)}")
    print(
        f"{received} deliveries in {elapsed:.0f}s ({received / elapsed:.1f}/s; people's actions for "
        f"{driven:.0f}s at {args.rate:g}/s: {actions}, {len(declared)} incidents)"
        + ("" if settled else f"; NOT settled within {SETTLE_SECONDS:.0f}s")
    )
    print(
        f"lost: {lost} (sandbox failed deliveries: {sandbox_failed}, server answered non-2xx: {not_2xx}, "
        f"accepted {accepted} / processed {processed}); failed handlers: {failed_handlers} "
        f"({handler_lines} log lines); incidents wrong: {len(bad)} of {len(declared)}"
    )
    for number, problems in list(bad.items())[:10]:
        print(f"  {number}: {'; '.join(problems)}")
    print(
        f"server RSS {rss[0]:.1f} MB at start, {warm:.1f} MB after warm-up (peak of the middle third), "
        f"{rss[-1]:.1f} MB at the end; last third {growth:+.1f} MB: "
        + ("flat" if flat else f"NOT flat (limit {max(FLAT_MB, FLAT_SHARE * warm):.1f} MB)")
    )
    print(f"machine: nproc={m['nproc']}, Python {m['python']}, {m['date']}")
    if args.tracemalloc:
        print(
            f"\ntracemalloc, what grew from a third of the deliveries to the end:\n"
            f"{(tmp / 'tracemalloc.txt').read_text()}"
        )
    ok = lost == 0 and not_2xx == 0 and failed_handlers == 0 and not bad and settled and flat
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    ap.add_argument(
        "--deliveries",
        type=int,
        default=4000,
        help="stop declaring incidents once the server received this many",
    )
    ap.add_argument("--rate", type=float, default=20.0, help="people's actions per second")
    ap.add_argument("--every", type=float, default=5.0, help="seconds between RSS samples")
    ap.add_argument("--max-seconds", type=float, default=150.0, help="stop declaring after this long")
    ap.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        help="share of the app's API calls the sandbox fails (502); the client retries",
    )
    ap.add_argument(
        "--cache-mb",
        type=int,
        default=4,
        help="the server's GITHUB_CACHE_MB: small enough to fill up during warm-up "
        "(~85 KB per incident), so the last third shows the plateau (default 4)",
    )
    ap.add_argument(
        "--tracemalloc",
        action="store_true",
        help="run the server under tracemalloc and print what grew (slower: use a lower --rate)",
    )
    args = ap.parse_args(argv)

    creds = Credentials.generate()  # a key and a secret for this run only
    with tempfile.TemporaryDirectory(prefix="soak-") as name:
        tmp = Path(name)
        (tmp / "app.pub.pem").write_text(creds.public_key)
        api_port, app_port = free_port(), free_port()
        api, server = f"http://127.0.0.1:{api_port}", f"http://127.0.0.1:{app_port}"
        env = {
            **os.environ,
            "GITHUB_APP_ID": "1",
            "GITHUB_PRIVATE_KEY": creds.private_key,
            "GITHUB_WEBHOOK_SECRET": creds.secret,
            "GITHUB_API_URL": api,
            "LOG_FORMAT": "json",
            "GITHUB_CACHE_MB": str(args.cache_mb),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        sandbox = [
            sys.executable,
            "-m",
            "app",
            "sandbox",
            "--port",
            str(api_port),
            "--app-id",
            "1",
            "--app-key-path",
            str(tmp / "app.pub.pem"),
            "--webhook-url",
            f"{server}/webhook",
        ]
        if args.fail_rate:
            sandbox += ["--fail-rate", str(args.fail_rate), "--fail-status", "502", "--fault-seed", "1"]
        serve = [sys.executable, "-m", "app", "serve"]
        if args.tracemalloc:
            env["SOAK_TRACEMALLOC"] = str(tmp / "tracemalloc.txt")
            serve = [sys.executable, "-m", "bench.traced_serve"]
        serve += ["--host", "127.0.0.1", "--port", str(app_port)]
        print(
            f"soak: {args.deliveries} deliveries at {args.rate:g} actions/s, "
            f"GITHUB_CACHE_MB={args.cache_mb}; logs in {tmp} (removed at the end); "
            f"started {dt.datetime.now(dt.UTC):%H:%M:%S} UTC",
            flush=True,
        )
        with process(sandbox, env, tmp / "sandbox.log"), process(serve, env, tmp / "server.log") as app:
            asyncio.run(wait_up(f"{api}/rate_limit"))
            asyncio.run(wait_up(f"{server}/healthz"))
            return asyncio.run(soak(args, tmp, app.pid, api, server))


if __name__ == "__main__":
    raise SystemExit(main())
