"""Cold start of `python -m app action`, the GitHub Action's one pass, against `python -c pass`.

Every event starts a fresh process on the runner, so what the entry imports is paid on each
one. Measured side by side, interleaved, median of ROUNDS each, same interpreter:

- `python -c pass`: the interpreter alone, the unit of the ratios;
- the imports of one pass (`python -P -c "import app.cli.action, ..."`), and for contrast
  everything the package has (server, setup, sandbox, settings with its key handling);
- a whole pass: `python -P -m app action` for an `issues.labeled` of a declared incident
  (a no-op pass: reads only) and for a `schedule` (a sweep of the one incident), against
  the sandbox on loopback, as a runner would start them.

python bench/startup.py        # about 20 s on 2 cores
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):  # `python bench/startup.py`: make `bench` and `app` importable
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

import asyncio
import json
import os
import re
import tempfile
import time
from typing import Any

from bench.common import REPO, log, machine, percentile

ROUNDS = 15
PASS_IMPORTS = "import app.cli.action, app.service.handlers, app.service.sweep, app.github.client, aiohttp"
ALL_IMPORTS = "import app.cli.action, app.web.server, app.web.setup, app.cli.demo, app.sandbox, app.settings"
HEAVY = ("jwt", "cryptography", "app.web", "app.sandbox", "app.settings")


async def _time(argv: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    return (time.perf_counter() - started) * 1000, int(proc.returncode or 0), out.decode()


async def _measure() -> dict[str, Any]:
    from app.core.clock import Clock
    from app.sandbox import Sandbox

    base_env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    python = sys.executable
    async with Sandbox(clock=Clock()) as sandbox:
        alice = sandbox.user("alice")
        status, issue = await alice.post(f"/repos/{REPO}/issues", json={"title": "t", "labels": ["incident"]})
        assert status == 201, issue
        with tempfile.TemporaryDirectory() as tmp:
            token = sandbox.workflow_token(REPO)
            payload = next(e.payload for e in sandbox.workflow_events if e.action == "labeled")
            path = Path(tmp) / "event.json"
            path.write_text(json.dumps(payload))
            action_env = {
                **base_env,
                "HOME": tmp,
                "GITHUB_ACTIONS": "true",
                "GITHUB_EVENT_NAME": "issues",
                "GITHUB_EVENT_PATH": str(path),
                "GITHUB_REPOSITORY": REPO,
                "GITHUB_API_URL": sandbox.base_url,
                "GITHUB_STEP_SUMMARY": str(Path(tmp) / "summary.md"),
                "INPUT_GITHUB_TOKEN": token,
                "GITHUB_TOKEN": token,
            }
            schedule = Path(tmp) / "schedule.json"
            schedule.write_text(json.dumps({"schedule": "*/15 * * * *"}))
            sweep_env = {**action_env, "GITHUB_EVENT_NAME": "schedule", "GITHUB_EVENT_PATH": str(schedule)}
            # The first pass declares the incident; the timed ones find nothing to change.
            _, code, out = await _time([python, "-P", "-m", "app", "action"], action_env)
            assert code == 0, out
            commands = {
                "python -c pass": ([python, "-c", "pass"], base_env),
                "imports of one pass": ([python, "-P", "-c", PASS_IMPORTS], base_env),
                "imports of the whole package": ([python, "-P", "-c", ALL_IMPORTS], base_env),
                "python -m app action, issues.labeled (a whole pass)": (
                    [python, "-P", "-m", "app", "action"],
                    action_env,
                ),
                "python -m app action, schedule (a sweep)": (
                    [python, "-P", "-m", "app", "action"],
                    sweep_env,
                ),
            }
            times: dict[str, list[float]] = {name: [] for name in commands}
            for _ in range(ROUNDS):
                for name, (argv, env) in commands.items():
                    ms, code, out = await _time(argv, env)
                    assert code == 0, (name, out)
                    times[name].append(ms)
            _, _, profile = await _time([python, "-P", "-X", "importtime", "-m", "app", "action"], action_env)
    modules = re.findall(r"import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", profile)
    heavy = sorted({m for m in modules if m.startswith(HEAVY)})
    medians = {name: round(percentile(values, 50), 1) for name, values in times.items()}
    unit = medians["python -c pass"]
    return {
        "machine": machine(),
        "rounds": ROUNDS,
        "median_ms": medians,
        "ratio": {name: round(ms / unit, 1) for name, ms in medians.items()},
        "modules_imported": len(modules),
        "heavy_modules_imported": heavy,
    }


def run() -> dict[str, Any]:
    return asyncio.run(_measure())


def report(result: dict[str, Any]) -> list[str]:
    m = result["machine"]
    lines = [
        "## GitHub Action: cold start",
        "",
        "Command: `python bench/startup.py` (also part of `python bench/run.py`). Each event on "
        "Actions starts a fresh `python -m app action`; medians of "
        f"{result['rounds']} interleaved runs, as multiples of `python -c pass`. Measured "
        f"{m['date']}, nproc={m['nproc']}, Python {m['python']}.",
        "",
        "| command | median | × `python -c pass` |",
        "|---|---|---|",
    ]
    for name, ms in result["median_ms"].items():
        lines.append(f"| {name} | {ms} ms | {result['ratio'][name]}× |")
    heavy = ", ".join(result["heavy_modules_imported"]) or "none"
    lines += [
        "",
        f"A pass imports {result['modules_imported']} modules; of the server, the sandbox, the "
        f"settings and JWT signing (PyJWT, cryptography): {heavy}. On a runner the job's start "
        "(tens of seconds) dwarfs all of this; the App answers in milliseconds. What is left "
        "is mostly aiohttp and gidgethub (about half, `python -X importtime`) and the "
        "workflow presets and rules the pass runs on.",
    ]
    return lines


def main() -> int:
    log("cold start of python -m app action ...")
    result = run()
    print(json.dumps(result, indent=1))
    print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
