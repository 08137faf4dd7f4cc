"""The queue of issues at GitHub's latency: round trips, passes, bursts and faults.

python bench/queue.py [--latency-ms 100] [--issues 100] [--per-issue 40]

Every request the app makes waits `--latency-ms` before it is sent (an aiohttp trace hook
on the app's own session), about GitHub's REST latency; the sandbox itself answers in a
millisecond. Figures:

- a form submission (opened + 3 labeled, and the app's echoes) to the summary on GitHub:
  wall time, app requests, and round trips on the critical path (wall / latency);
- a command comment to its effect, likewise;
- a burst of ISSUES x PER_ISSUE people's actions (labels and commands mixed), ISSUES at a
  time: deliveries answered 503, passes and API calls per issue, and whether every
  incident ends as a serial run of the same actions does;
- 40 % of the app's requests answered 502 (and other 5xx): whether the backlog drains and
  every incident ends right, with nobody redelivering.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import argparse
import asyncio
import contextlib
import json
import time
import types
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

import app.web.server as server_module
from app.cli.local import LocalWorld
from bench.common import REPO, machine
from tests.harness import world
from tests.reliability.support import end_state

FORM_LABELS = ["incident", "severity: 2", "status: stabilization pending"]


@contextlib.contextmanager
def latency(ms: float) -> Any:
    """Every request of the app's GitHub client waits `ms` first (the server's own session)."""

    async def wait(session: Any, context: Any, params: Any) -> None:
        await asyncio.sleep(ms / 1000)

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(wait)
    real = aiohttp.ClientSession

    class Slow(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["trace_configs"] = [*kwargs.get("trace_configs", []), trace]
            super().__init__(*args, **kwargs)

    # Only the server's own session (its GitHub client) is slowed: the sandbox's webhooks and
    # the people's requests are not the app's round trips.
    names = [name for name in dir(aiohttp) if not name.startswith("_")]
    shim = types.SimpleNamespace(**{name: getattr(aiohttp, name) for name in names})
    shim.ClientSession = Slow
    setattr(server_module, "aiohttp", shim)  # noqa: B010 (an attribute mypy does not see exported)
    try:
        yield
    finally:
        setattr(server_module, "aiohttp", aiohttp)  # noqa: B010


def app_requests(w: LocalWorld) -> int:
    return sum(1 for r in w.sandbox.requests if r.actor == "app" or r.actor.startswith("installation:"))


async def timed(
    w: LocalWorld, act: Callable[[], Awaitable[Any]], done: Callable[[], bool]
) -> tuple[float, int]:
    before = app_requests(w)
    started = time.monotonic()
    await act()
    while not done():
        await asyncio.sleep(0.005)
        if time.monotonic() - started > 60:
            raise TimeoutError("no effect within 60 s")
    return time.monotonic() - started, app_requests(w) - before


def summary_of(w: LocalWorld, number: int) -> str | None:
    for c in w.sandbox.comments(REPO, number):
        if c["body"].startswith("<!-- incident-bot:summary"):
            return str(c["body"])
    return None


async def declare(w: LocalWorld, title: str = "Checkout down") -> int:
    status, issue = await w.user("alice").post(
        f"/repos/{REPO}/issues", json={"title": title, "labels": FORM_LABELS}
    )
    assert status == 201, issue
    return int(issue["number"])


async def critical_path(ms: float) -> dict[str, Any]:
    with latency(ms):
        async with world() as w:
            warm = await declare(w, "warm-up")  # the app's token, config and labels: once per repo
            await w.settle()
            await w.user("alice").post(f"/repos/{REPO}/issues/{warm}/comments", json={"body": "/severity 1"})
            await w.settle()
            box: dict[str, int] = {}

            async def submit() -> None:
                box["n"] = await declare(w)

            wall, calls = await timed(w, submit, lambda: "n" in box and summary_of(w, box["n"]) is not None)
            await w.settle()
            declared_calls = app_requests(w)
            number = box["n"]

            async def command() -> None:
                status, _ = await w.user("alice").post(
                    f"/repos/{REPO}/issues/{number}/comments", json={"body": "/severity 1"}
                )
                assert status == 201

            cwall, ccalls = await timed(w, command, lambda: "severity: 1" in _labels(w, number))
            await w.settle()
            return {
                "form_to_summary_s": round(wall, 3),
                "form_round_trips": round(wall / (ms / 1000), 1),
                "form_requests_to_summary": calls,
                "form_requests_total": declared_calls,
                "command_to_effect_s": round(cwall, 3),
                "command_round_trips": round(cwall / (ms / 1000), 1),
                "command_requests": ccalls,
            }


def _labels(w: LocalWorld, number: int) -> set[str]:
    return {label["name"] for label in w.sandbox.issue(REPO, number)["labels"]}


def actions(i: int) -> tuple[str, Any]:
    """The i-th action on an issue: mostly updates, with labels and commands mixed in."""
    match i % 10:
        case 3:
            return ("label", "severity: 1")
        case 5:
            return ("comment", "/severity 2")
        case 7:
            return ("comment", "/ack")
        case 9:
            return ("unlabel", "severity: 2") if i % 20 == 19 else ("comment", f"/update step {i}")
        case _:
            return ("comment", f"/update step {i}")


async def act(w: LocalWorld, number: int, i: int) -> None:
    kind, what = actions(i)
    who = w.user("alice")
    if kind == "comment":
        await who.post(f"/repos/{REPO}/issues/{number}/comments", json={"body": what})
    elif kind == "label":
        await who.post(f"/repos/{REPO}/issues/{number}/labels", json={"labels": [what]})
    else:
        await who.delete(f"/repos/{REPO}/issues/{number}/labels/{what}")


async def burst(ms: float, issues: int, per_issue: int) -> dict[str, Any]:
    with latency(ms):
        async with world() as w:
            numbers = [await declare(w, f"Incident {n}") for n in range(issues)]
            await w.settle()
            calls_before, passes_before = app_requests(w), w.processor.stats.passes
            started = time.monotonic()
            for i in range(per_issue):  # ISSUES at a time; each issue's actions in order
                await asyncio.gather(*(act(w, n, i) for n in numbers))
            acked = time.monotonic() - started
            await w.settle()
            drained = time.monotonic() - started
            states = {n: end_state(w.sandbox, n) for n in numbers}
            deliveries = len(w.sandbox.deliveries)
            result = {
                "deliveries": deliveries,
                "answered_503": w.processor.stats.refused,
                "passes_per_issue": round((w.processor.stats.passes - passes_before) / issues, 1),
                "api_calls_per_issue": round((app_requests(w) - calls_before) / issues, 1),
                "acked_in_s": round(acked, 1),
                "drained_in_s": round(drained, 1),
            }
    async with world() as serial:  # the same actions one at a time, no latency: the reference
        numbers_serial = [await declare(serial, f"Incident {n}") for n in range(issues)]
        await serial.settle()
        for i in range(per_issue):
            for n in numbers_serial:
                await act(serial, n, i)
                await serial.settle()
        serial_calls = app_requests(serial)
        reference = {n: end_state(serial.sandbox, n) for n in numbers_serial}
    pairs = list(zip(numbers, numbers_serial, strict=True))
    result["ends_as_serial"] = sum(states[a] == reference[b] for a, b in pairs)
    # The incident itself (labels, lead, state, follow-ups, the bot's comments), whatever its
    # summary's timeline says: in a burst people act before the bot has caught up, so some of
    # their label changes are no-ops on GitHub and the history itself is not the serial one.
    result["same_incident_as_serial"] = sum(_coarse(states[a]) == _coarse(reference[b]) for a, b in pairs)
    result["serial_api_calls_per_issue"] = round(serial_calls / issues, 1)
    return result


def _coarse(state: Any) -> tuple[Any, ...]:
    return (
        state.labels,
        state.assignees,
        state.state,
        state.followups,
        state.open_followups,
        len(state.bot_comments),
    )


async def faults(ms: float, issues: int, per_issue: int, share: float = 0.4) -> dict[str, Any]:
    with latency(ms):
        async with world() as w:
            kinds: list[dict[str, object]] = [{"status": 502}, {"status": 500}, {"status": 503}]
            each = 1 - (1 - share) ** (1 / len(kinds))
            numbers = [await declare(w, f"Incident {n}") for n in range(issues)]
            await w.settle()
            for n, kind in enumerate(kinds):
                w.sandbox.faults.add(probability=each, times=None, seed=7 + n, who="app", **kind)  # type: ignore[arg-type]
            started = time.monotonic()
            for i in range(per_issue):
                await asyncio.gather(*(act(w, n, i) for n in numbers))
            await w.settle()
            drained = time.monotonic() - started
            w.sandbox.faults.clear()
            states = {n: end_state(w.sandbox, n) for n in numbers}
    async with world() as clean:
        ref_numbers = [await declare(clean, f"Incident {n}") for n in range(issues)]
        await clean.settle()
        for i in range(per_issue):
            for n in ref_numbers:
                await act(clean, n, i)
                await clean.settle()
        reference = {n: end_state(clean.sandbox, n) for n in ref_numbers}
    pairs = list(zip(numbers, ref_numbers, strict=True))
    right = sum(states[a] == reference[b] for a, b in pairs)
    same = sum(_coarse(states[a]) == _coarse(reference[b]) for a, b in pairs)
    return {
        "share": share,
        "issues": issues,
        "drained_in_s": round(drained, 1),
        "ended_right": right,
        "same_incident": same,
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "machine": machine(),
        "latency_ms": args.latency_ms,
        "critical_path": await critical_path(args.latency_ms),
        "burst": await burst(args.latency_ms, args.issues, args.per_issue),
        "faults": await faults(args.latency_ms, max(10, args.issues // 10), 10),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--issues", type=int, default=100)
    parser.add_argument("--per-issue", type=int, default=40)
    print(json.dumps(asyncio.run(main_async(parser.parse_args())), indent=2))


if __name__ == "__main__":
    main()
