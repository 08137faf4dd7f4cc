"""Scale: memory for 1,000 installations, and what a sweep of 1,000 open incidents costs.

- Memory: a fresh process (`python -m bench.scale memory API_URL`) holding what the
  server caches per installation: 1,000 installation tokens (fetched from a sandbox
  in another process, so its memory is not counted) and 1,000 parsed repository
  configs (each repository has its own `.github/incidents.yml` with an override, so
  none is shared). VmRSS from /proc/self/status.
- Sweep: 100 installations, 10 open incidents each, against the in-process sandbox.
  The first sweep declares them all (writes); the second finds nothing to do: that
  one is the steady-state cost of a sweep every 5 minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from app.cli.local import Credentials
from app.github.client import GitHubApp
from app.sandbox import Sandbox
from app.service.services import Services
from bench.common import ROOT, free_port

INSTALLATIONS = 1000
SWEEP_INSTALLATIONS = 100
INCIDENTS_PER_INSTALLATION = 10
PRESETS = ("default", "openverse", "sourcegraph", "nodejs-release-worker", "wellcome")


def seed(installations: int, *, configs: bool) -> dict[str, Any]:
    """One org, installation and repository per installation; alice may act everywhere."""
    orgs, insts, repos = [], [], []
    for n in range(installations):
        org = f"org{n:04d}"
        orgs.append({"login": org, "members": ["alice"], "default_permission": "none"})
        insts.append({"id": 1000 + n, "account": org})
        files = {}
        if configs:
            # An override per repository: every config is parsed and kept on its own.
            files[".github/incidents.yml"] = (
                f"workflow: {PRESETS[n % len(PRESETS)]}\ndescription: The process of team {n}.\n"
            )
        repos.append(
            {
                "full_name": f"{org}/service",
                "installation": 1000 + n,
                "collaborators": {"alice": "admin"},
                "files": files,
            }
        )
    return {
        "app": {"id": 1, "slug": "incident-bot"},
        "users": [{"login": "alice"}],
        "orgs": orgs,
        "installations": insts,
        "repos": repos,
    }


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _hold(api_url: str, private_key: str) -> dict[str, Any]:
    baseline = rss_mb()
    async with aiohttp.ClientSession() as session:
        github = GitHubApp(session, app_id="1", private_key=private_key, api_url=api_url)
        services = Services.create(github)
        started = time.perf_counter()
        for n in range(INSTALLATIONS):
            await github.tokens.token(1000 + n, github.jwt())
        after_tokens = rss_mb()
        errors = 0
        for n in range(INSTALLATIONS):
            config = await services.config(github.installation(1000 + n), f"org{n:04d}", "service")
            errors += config.error is not None
        elapsed = time.perf_counter() - started
        return {
            "baseline_mb": round(baseline, 1),
            "after_tokens_mb": round(after_tokens, 1),
            "after_configs_mb": round(rss_mb(), 1),
            "tokens_fetched": github.tokens.requests,
            "configs_cached": len(services.configs),
            "config_errors": errors,
            "seconds": round(elapsed, 1),
        }


def memory() -> dict[str, Any]:
    """Start the sandbox in its own process, then measure a fresh process against it."""
    creds = Credentials.generate()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as name:
        tmp = Path(name)
        (tmp / "seed.yml").write_text(yaml.safe_dump(seed(INSTALLATIONS, configs=True)))
        (tmp / "app.pub.pem").write_text(creds.public_key)
        port = free_port()
        api = f"http://127.0.0.1:{port}"
        with (tmp / "sandbox.log").open("wb") as out:
            sandbox = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "app",
                    "sandbox",
                    "--port",
                    str(port),
                    "--seed",
                    str(tmp / "seed.yml"),
                    "--app-key-path",
                    str(tmp / "app.pub.pem"),
                ],
                cwd=ROOT,
                stdout=out,
                stderr=out,
            )
        try:
            asyncio.run(_wait(api))
            env = {**os.environ, "BENCH_PRIVATE_KEY": creds.private_key}
            done = subprocess.run(
                [sys.executable, "-m", "bench.scale", "memory-child", api],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            sandbox.kill()
            sandbox.wait()
    result: dict[str, Any] = json.loads(done.stdout)
    return result


async def _wait(api: str) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(f"{api}/rate_limit") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("the sandbox did not start")


async def sweep_cost() -> dict[str, Any]:
    from app.service.sweep import sweep

    creds = Credentials.generate()
    box = Sandbox(seed(SWEEP_INSTALLATIONS, configs=False), app_id=1, app_public_key_pem=creds.public_key)
    api = await box.start()
    try:
        alice = box.user("alice")
        for n in range(SWEEP_INSTALLATIONS):
            for k in range(INCIDENTS_PER_INSTALLATION):
                status, _ = await alice.post(
                    f"/repos/org{n:04d}/service/issues", json={"title": f"Outage {k}", "labels": ["incident"]}
                )
                assert status == 201
        async with aiohttp.ClientSession() as session:
            github = GitHubApp(session, app_id="1", private_key=creds.private_key, api_url=api)
            services = Services.create(github)
            rounds = []
            # The second sweep re-reads what the first one changed; the third is the steady
            # state: nothing happened since the last sweep.
            for name in ("first (declares)", "second", "third (steady state)"):
                mark = len(box.requests)
                started = time.perf_counter()
                report = await sweep(services)
                elapsed = time.perf_counter() - started
                calls = [
                    r for r in box.requests[mark:] if r.actor == "app" or r.actor.startswith("installation:")
                ]
                by = Counter(f"{r.method} {r.status}" for r in calls)
                rounds.append(
                    {
                        "sweep": name,
                        "incidents": report.incidents,
                        "changed": report.changed,
                        "failed": report.failed,
                        "calls": len(calls),
                        "reads": sum(1 for r in calls if r.method == "GET"),
                        "reads_304": sum(1 for r in calls if r.status == 304),
                        "writes": sum(1 for r in calls if r.method != "GET"),
                        "by_method_status": dict(sorted(by.items())),
                        "seconds": round(elapsed, 1),
                    }
                )
    finally:
        await box.stop()
    total = SWEEP_INSTALLATIONS * INCIDENTS_PER_INSTALLATION
    return {"installations": SWEEP_INSTALLATIONS, "open_incidents": total, "rounds": rounds}


def run() -> dict[str, Any]:
    return {"memory": memory(), "sweep": asyncio.run(sweep_cost())}


if __name__ == "__main__":
    if sys.argv[1:2] == ["memory-child"]:
        print(json.dumps(asyncio.run(_hold(sys.argv[2], os.environ["BENCH_PRIVATE_KEY"]))))
    elif sys.argv[1:2] == ["memory"]:
        print(json.dumps(memory(), indent=2))
    elif sys.argv[1:2] == ["sweep"]:
        print(json.dumps(asyncio.run(sweep_cost()), indent=2))
    else:
        print(json.dumps(run(), indent=2))
