"""Event to effect, and the API economy of a whole incident, against the in-process sandbox.

- Event to effect: a person opens an issue labelled `incident`; from the moment the
  sandbox starts sending the `issues.opened` delivery to the moment it records the
  app's summary comment. Incidents are played one after another (the pipeline's own
  latency, not a queue's), each settled before the next.
- API economy: one incident from declaration to resolution; every request the app
  makes, by step, reads and writes apart, with whether each GET was conditional
  (sent If-None-Match from the ETag cache). The clock is moved 20 minutes per step, so
  tokens expire (55-minute refresh) and config cache entries expire (60 s TTL) for real.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import cachetools

from app.cli.local import Credentials, LocalWorld, local_world
from app.core.clock import Clock
from app.github.client import GitHubClient
from app.service.services import CONFIG_TTL, Services
from bench.common import REPO, percentile

FORM = """### What is broken?

Checkout returns HTTP 500 for every order since the 09:10 deploy.

### Who and how many are affected?

All customers.

### Severity

2 - Major: many users or a critical feature

### Security

- [ ] This is a security incident (do not write details here)
"""
SUMMARY = "incident-bot:summary"
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


# --- watching the app's requests from its side: was each GET conditional? -------------


@dataclass
class Seen:
    method: str
    path: str
    status: int
    conditional: bool


@dataclass
class Watch:
    requests: list[Seen] = field(default_factory=list)


@contextmanager
def watch_client() -> Iterator[Watch]:
    """Record every request the app's GitHub clients make, with If-None-Match or not."""
    watch = Watch()
    original = GitHubClient._request

    async def recording(
        self: GitHubClient, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, Mapping[str, str], bytes]:
        status, response_headers, data = await original(self, method, url, headers, body)
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        watch.requests.append(Seen(method, "/" + path, status, "if-none-match" in headers))
        return status, response_headers, data

    GitHubClient._request = recording  # type: ignore[method-assign]
    try:
        yield watch
    finally:
        GitHubClient._request = original  # type: ignore[method-assign]


def _fake_clock_services(github: Any, clock: Clock) -> Services:
    # The config cache's TTL on the world's clock, so moving the clock expires it as time would.
    configs: cachetools.TTLCache[str, Any] = cachetools.TTLCache(
        4096, CONFIG_TTL, timer=lambda: clock().timestamp()
    )
    return Services(github, now=clock, configs=configs)


# --- event to effect ---------------------------------------------------------------------


async def event_to_effect(incidents: int) -> dict[str, Any]:
    async with local_world(credentials=Credentials.generate(), clock=Clock()) as w:
        sent: dict[int, float] = {}
        written: dict[int, float] = {}
        queue = w.sandbox._queue
        send = queue._send

        async def timed_send(d: Any) -> None:
            if d.event == "issues" and d.action == "opened":
                sent.setdefault(int(d.payload["issue"]["number"]), time.perf_counter())
            await send(d)

        queue._send = timed_send  # type: ignore[method-assign]
        recorder = w.sandbox._recorder
        add = recorder.add

        def timed_add(rec: Any) -> None:
            if rec.method == "POST" and rec.path.endswith("/comments") and SUMMARY in str(rec.body):
                written.setdefault(int(rec.path.split("/")[-2]), time.perf_counter())
            add(rec)

        recorder.add = timed_add  # type: ignore[method-assign]
        # One incident first so the repository's labels exist: that one-time setup is not
        # what an incident costs afterwards.
        await _declare(w, "Warm-up")
        began = time.perf_counter()
        for n in range(incidents):
            await _declare(w, f"Checkout down {n}")
        elapsed = time.perf_counter() - began
    latencies = [(written[k] - sent[k]) * 1000 for k in sent if k in written and k != 1]
    return {
        "incidents": len(latencies),
        "median_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies, default=0.0), 1),
        "wall_s": round(elapsed, 1),
    }


async def _declare(w: LocalWorld, title: str) -> int:
    status, issue = await w.user("alice").post(
        f"/repos/{REPO}/issues", json={"title": title, "body": FORM, "labels": ["incident"]}
    )
    assert status == 201, (status, issue)
    await w.settle()
    return int(issue["number"])


# --- API economy ---------------------------------------------------------------------------

# The fewest writes each step needs, with REST calls that cannot undo a concurrent
# person's change (so a status change is add + remove, not a PUT of the whole label set).
MINIMUM: dict[str, tuple[int, str]] = {
    "declare": (3, "add status+severity labels, assign the lead, post the summary"),
    "/severity 1": (3, "add new severity, remove old, edit summary"),
    "/ack": (1, "edit summary"),
    "/update 1": (1, "edit summary"),
    "/update 2": (1, "edit summary"),
    "/followup": (3, "create issue, link as sub-issue, edit summary"),
    "/status stabilized": (3, "add status, remove old, edit summary"),
    "/status under investigation": (3, "add status, remove old, edit summary"),
    "follow-up closed": (1, "edit summary (follow-up ticked)"),
    "/resolve": (6, "add status, remove old, edit summary, post close-out and retro, close"),
}
SETUP = "labels created (once per repository)"


def _is_write(method: str) -> bool:
    return method in ("POST", "PATCH", "PUT", "DELETE")


async def economy() -> dict[str, Any]:
    clock = Clock(T0)
    config_v1 = "workflow: default\n"
    # A change that alters the file but not the process: the read is what is measured.
    config_v2 = "# owned by the platform team\nworkflow: default\n"
    with watch_client() as watch:
        async with local_world(
            credentials=Credentials.generate(), clock=clock, services=_fake_clock_services
        ) as w:
            w.sandbox.add_file(REPO, ".github/incidents.yml", config_v1)
            number = 0
            followup = 0

            async def say(body: str) -> None:
                status, _ = await w.user("alice").post(
                    f"/repos/{REPO}/issues/{number}/comments", json={"body": body}
                )
                assert status == 201

            async def declare() -> None:
                nonlocal number
                number = await _declare(w, "Checkout down")

            async def close_followup() -> None:
                nonlocal followup
                repo = w.sandbox.state.repo("acme", "web")
                assert repo is not None
                subs = [c for c in repo.issues if c > number]
                followup = max(subs)
                status, _ = await w.user("alice").patch(
                    f"/repos/{REPO}/issues/{followup}", json={"state": "closed"}
                )
                assert status == 200

            async def change_config() -> None:
                w.sandbox.add_file(REPO, ".github/incidents.yml", config_v2)

            steps: list[tuple[str, Callable[[], Awaitable[None]]]] = [
                ("declare", declare),
                ("/severity 1", lambda: say("/severity 1")),
                ("/ack", lambda: say("/ack")),
                ("/update 1", lambda: say("/update Rolled back deploy 412.")),
                ("(config changed)", change_config),
                ("/update 2", lambda: say("/update Errors back to normal.")),
                ("/followup", lambda: say("/followup Alert on checkout 500s")),
                ("/status stabilized", lambda: say("/status stabilized")),
                ("/status under investigation", lambda: say("/status under investigation")),
                ("follow-up closed", close_followup),
                ("/resolve", lambda: say("/resolve")),
            ]
            rows = []
            for name, act in steps:
                clock.advance(minutes=20)
                mark = len(watch.requests)
                await act()
                await w.settle()
                seen = watch.requests[mark:]
                rows.append(_row(name, seen))
            tokens = w.github.tokens.requests
            final = w.sandbox.issue(REPO, number)
            elapsed_min = (clock() - T0).total_seconds() / 60
    reads = [r for r in watch.requests if r.method == "GET"]
    writes = [r for r in watch.requests if _is_write(r.method)]
    setup_writes = sum(
        1 for r in writes if r.method == "POST" and r.path.endswith("/labels") and "/issues/" not in r.path
    )
    lifecycle_writes = (
        len(writes) - setup_writes - sum(1 for r in writes if r.path.endswith("/access_tokens"))
    )
    minimum = sum(n for n, _ in MINIMUM.values())
    contents = Counter(str(r.status) for r in reads if "/contents/" in r.path)
    first_reads = {r.path for r in reads}
    return {
        "steps": rows,
        "writes_by_method": dict(Counter(r.method for r in writes if not r.path.endswith("/access_tokens"))),
        "lifecycle_writes": lifecycle_writes,
        "setup_writes": setup_writes,
        "minimum_writes": minimum,
        "ratio": round(lifecycle_writes / minimum, 2),
        "reads": len(reads),
        "reads_conditional": sum(r.conditional for r in reads),
        "reads_304": sum(r.status == 304 for r in reads),
        "reads_first_time": len(first_reads),
        "reads_unconditional_repeat": _unconditional_repeats(reads),
        "tokens_fetched": tokens,
        "lifecycle_minutes": round(elapsed_min),
        "config_reads": dict(contents),
        "final_labels": sorted(label["name"] for label in final["labels"]),
        "final_state": final["state"],
    }


def _unconditional_repeats(reads: list[Seen]) -> list[str]:
    """GETs of a URL already read before that went out without If-None-Match (should be none)."""
    seen: set[str] = set()
    out = []
    for r in reads:
        if r.path in seen and not r.conditional:
            out.append(f"{r.path} ({r.status})")
        if r.status == 200:
            seen.add(r.path)
    return out


def _row(name: str, seen: list[Seen]) -> dict[str, Any]:
    writes = [r for r in seen if _is_write(r.method) and not r.path.endswith("/access_tokens")]
    setup = [
        r for r in writes if r.method == "POST" and r.path.endswith("/labels") and "/issues/" not in r.path
    ]
    reads = [r for r in seen if r.method == "GET"]
    return {
        "step": name,
        "writes": len(writes) - len(setup),
        "setup": len(setup),
        "minimum": MINIMUM.get(name, (0, ""))[0],
        "write_calls": ", ".join(f"{r.method} {_short(r.path)}" for r in writes if r not in setup),
        "reads": len(reads),
        "reads_304": sum(r.status == 304 for r in reads),
        "reads_conditional": sum(r.conditional for r in reads),
        "tokens": sum(1 for r in seen if r.path.endswith("/access_tokens")),
    }


def _short(path: str) -> str:
    return path.split("?", 1)[0].replace(f"/repos/{REPO}", "")


def run(incidents: int = 300) -> dict[str, Any]:
    return {"event_to_effect": asyncio.run(event_to_effect(incidents)), "economy": asyncio.run(economy())}


if __name__ == "__main__":
    import json
    import sys

    result = run(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
    print(json.dumps(result, indent=2))
