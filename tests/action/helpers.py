"""GitHub Actions played against the sandbox: each event a person causes starts a job that
runs `python -m app action`, with the environment a runner sets and the event's payload in
a file, the way docs/examples/incidents.yml would have it started.

Runs are a subprocess (`run`), as on a runner, or the same entry point in a thread of this
process (`deliver(process=False)`), which skips only the interpreter start: a whole incident
is many runs and the suite must stay fast.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from app.core.clock import Clock
from app.sandbox import Sandbox, WorkflowEvent, conforms

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_WORKFLOW = ROOT / "docs" / "examples" / "incidents.yml"
EXAMPLES = ROOT / "tests" / "sandbox" / "fixtures" / "webhooks"
REPO = "acme/web"
BOT = "github-actions[bot]"


def workflow_triggers() -> dict[str, frozenset[str] | None]:
    """The example workflow's `on:`: event name -> the activity types it runs on (None: all)."""
    data = yaml.safe_load(EXAMPLE_WORKFLOW.read_text())
    on = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as True
    out: dict[str, frozenset[str] | None] = {}
    for name, spec in on.items():
        types = spec.get("types") if isinstance(spec, dict) else None
        out[name] = frozenset(types) if types else None
    return out


@dataclass
class Run:
    event: str
    code: int
    log: str
    summary: str


@dataclass
class Actions:
    sandbox: Sandbox
    tmp: Path
    repo: str = REPO
    seen: int = 0  # workflow events already looked at
    runs: int = 0

    def environment(self, event: str, payload: dict[str, Any], **inputs: str) -> dict[str, str]:
        """What a runner sets for a job, plus what action.yml passes to its step."""
        self.runs += 1
        job = self.tmp / f"run-{self.runs}"
        job.mkdir()
        (job / "event.json").write_text(json.dumps(payload))
        token = inputs.pop("token", None) or self.sandbox.workflow_token(self.repo)
        owner = self.repo.split("/")[0]
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(job),
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(job / "event.json"),
            "GITHUB_REPOSITORY": self.repo,
            "GITHUB_REPOSITORY_OWNER": owner,
            "GITHUB_API_URL": self.sandbox.base_url,
            "GITHUB_GRAPHQL_URL": f"{self.sandbox.base_url}/graphql",
            "GITHUB_SERVER_URL": self.sandbox.base_url,
            "GITHUB_STEP_SUMMARY": str(job / "summary.md"),
            "GITHUB_RUN_ID": str(9000 + self.runs),
            "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_WORKFLOW": "Incidents",
            "GITHUB_JOB": "incident-bot",
            "GITHUB_ACTOR": str(
                ((payload if isinstance(payload, dict) else {}).get("sender") or {}).get("login", owner)
            ),
            "GITHUB_WORKSPACE": str(job),
            "RUNNER_TEMP": str(job),
            "RUNNER_OS": "Linux",
            # action.yml's step: the inputs, and the job's own token to recognise it by.
            "INPUT_GITHUB_TOKEN": inputs.pop("github_token", token),
            "INPUT_CONFIG": inputs.pop("config", ".github/incidents.yml"),
            "INPUT_SWEEP": inputs.pop("sweep", "true"),
            "GITHUB_TOKEN": token,
        }
        env.update(inputs)
        return env

    async def run(self, event: str, payload: dict[str, Any], *, process: bool = True, **inputs: str) -> Run:
        env = self.environment(event, payload, **inputs)
        if process:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-P",
                "-m",
                "app",
                "action",
                env=env,
                cwd=env["GITHUB_WORKSPACE"],
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
            out, _ = await asyncio.wait_for(proc.communicate(), 60)
            code, log = int(proc.returncode or 0), out.decode()
        else:
            from app.cli.action import main

            stream = io.StringIO()
            code = await asyncio.to_thread(main, [], env, stream)
            log = stream.getvalue()
        summary = Path(env["GITHUB_STEP_SUMMARY"])
        return Run(event, code, log, summary.read_text() if summary.exists() else "")

    def pending(self) -> list[WorkflowEvent]:
        """The events since the last look that start a run of the example workflow."""
        triggers = workflow_triggers()
        events = self.sandbox.workflow_events[self.seen :]
        self.seen = len(self.sandbox.workflow_events)
        out = []
        for e in events:
            if e.repository.lower() != self.repo.lower() or not e.triggers_runs or e.event not in triggers:
                continue
            types = triggers[e.event]
            if types is not None and e.action not in types:
                continue
            if (e.payload.get("issue") or {}).get("pull_request"):
                continue  # the job's `if:` skips pull-request comments
            out.append(e)
        return out

    async def deliver(self, *, process: bool = False) -> list[Run]:
        """Run a job for every event people caused since the last call, in order.

        The bot's own changes start none (GITHUB_TOKEN), so this is one round, not a loop
        until quiet like the App's world: nothing the bot does comes back."""
        runs = []
        for e in self.pending():
            done = await self.run(e.event, e.payload, process=process)
            assert done.code == 0, (e.event, e.action, done.log)
            runs.append(done)
        assert self.pending() == [], "a run of the bot started another run"
        return runs

    async def schedule(self, *, process: bool = False) -> Run:
        return await self.run("schedule", {"schedule": "*/15 * * * *"}, process=process)

    def bot_comments(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.sandbox.comments(self.repo, number) if c["user"]["login"] == BOT]

    def labels(self, number: int) -> set[str]:
        return {label["name"] for label in self.sandbox.issue(self.repo, number)["labels"]}

    def assignees(self, number: int) -> list[str]:
        return [a["login"] for a in self.sandbox.issue(self.repo, number)["assignees"]]

    def assert_requests_conform(self) -> None:
        """Every REST request the bot made is one GitHub documents (GraphQL is not REST)."""
        problems = [
            f"{r.method} {r.url}: {reason}"
            for r in self.sandbox.requests
            if r.actor.startswith("workflow:") and r.path != "/graphql"
            if (reason := conforms(r.method, r.url, r.body)) is not None
        ]
        assert not problems, problems


@contextlib.asynccontextmanager
async def actions(tmp: Path, seed: Any = None, *, start: dt.datetime | None = None) -> AsyncIterator[Actions]:
    """A sandbox GitHub on loopback; its clock stands still at `start` (default: now).

    The bot in a job reads the real time, as on a runner: a `start` in the past makes
    everything people did that long ago when the scheduled run comes."""
    clock = Clock(start or dt.datetime.now(dt.UTC))
    async with Sandbox(seed, clock=clock) as sandbox:
        world = Actions(sandbox, tmp)
        yield world
        world.assert_requests_conform()


def example(name: str) -> dict[str, Any]:
    """One of @octokit/webhooks-examples' payloads (tests/sandbox/fixtures/webhooks)."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.json").read_text())
    return data


def adapt(payload: dict[str, Any], sandbox: Sandbox, number: int, sender: str) -> dict[str, Any]:
    """A real example payload moved to the sandbox: its repository, one of its issues, a
    person of it. Keys the example has and the sandbox does not (`draft`, ...) are kept, and
    keys the sandbox has and the example lacks (`parent_issue_url`, ...) stay absent."""
    owner, name = REPO.split("/")
    text = json.dumps(payload)
    text = text.replace(payload["repository"]["full_name"], REPO)
    text = text.replace("https://api.github.com", sandbox.base_url)
    out: dict[str, Any] = json.loads(text)
    issue = sandbox.issue(REPO, number)
    if "issue" in out:
        out["issue"] = {
            **out["issue"],
            **{k: issue[k] for k in out["issue"] if k in issue and k not in ("draft",)},
        }
    repo = out["repository"]
    repo.update({"name": name, "full_name": REPO})
    repo["owner"] = {**repo["owner"], "login": owner}
    user = sandbox.state.user(sender)
    assert user is not None
    out["sender"] = {**out["sender"], "login": user.login, "id": user.id, "type": "User"}
    return out
