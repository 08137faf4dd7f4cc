"""`python -m app action`: one pass of the bot inside a GitHub Actions job, with no server.

Actions starts a job for one event and hands it what GitHub would have delivered as a
webhook: the event's name (`GITHUB_EVENT_NAME`) and its payload, in a file
(`GITHUB_EVENT_PATH`). This module feeds that payload to the very Router the server uses
(app.service.handlers), with Services built on the job's token, so a job does exactly what
the App does for the same delivery. For `schedule` and `workflow_dispatch` it sweeps the
one repository the job runs in (app.service.sweep.sweep_repository), the App's clock.

Read from the environment (what Actions sets, plus what action.yml passes):
  GITHUB_EVENT_NAME, GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_GRAPHQL_URL,
  GITHUB_STEP_SUMMARY, GITHUB_RUN_ID; INPUT_GITHUB_TOKEN (else GITHUB_TOKEN), INPUT_CONFIG,
  INPUT_SWEEP; GITHUB_TOKEN, the job's own token, only to recognise INPUT_GITHUB_TOKEN as it.

Exit status: 0 done (or nothing to do), 1 GitHub refused or failed (one line saying so),
2 bad input (an event this bot does not run on, an unreadable payload, a bad setting).

What differs from the App, and why it is fine:
- The bot is whoever the token is: `github-actions[bot]` for the job's GITHUB_TOKEN (no
  request needed), else GraphQL's `viewer` (an App's installation token: `<slug>[bot]`).
- GitHub starts no workflow run for changes made with GITHUB_TOKEN, so the bot never sees
  its own changes come back as events. No pass relies on that: every pass reads the issue
  and makes the whole difference itself (the server ignores its own events too).
- No status page and no /metrics: nothing here listens on a port.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:  # the pass imports these itself, late: `--help` and bad input stay cheap
    from app.github.client import TokenGitHub
    from app.service.services import Services

ACTIONS_BOT = "github-actions[bot]"
DEFAULT_API_URL = "https://api.github.com"
HANDLED = ("issues", "issue_comment")  # dispatched to the webhook handlers
SWEEPS = ("schedule", "workflow_dispatch")  # the clock: sweep the repository
MAX_PAYLOAD = 25 * 1024 * 1024  # GitHub caps webhook payloads at 25 MB
SUMMARY_LINES = 40  # what the job summary lists of the pass, at most
SUMMARY_LINE_CHARS = 300

log = logging.getLogger("app.cli.action")


class BadInput(Exception):
    """Exit status 2; str() is the one line to show."""


class Refused(Exception):
    """Exit status 1: GitHub refused or failed; str() is the one line to show."""


@dataclass(frozen=True)
class Job:
    """What the job was started with, checked: nothing here has touched the network yet."""

    event: str
    repository: str  # owner/name
    api_url: str
    graphql_url: str
    token: str = field(repr=False)
    own_token: bool  # the token is the job's GITHUB_TOKEN: the bot is github-actions[bot]
    config_path: str
    sweep: bool
    payload: dict[str, Any] = field(repr=False)
    run_id: str = "local"

    @property
    def owner_repo(self) -> tuple[str, str]:
        owner, _, repo = self.repository.partition("/")
        return owner, repo


def read_job(env: Mapping[str, str]) -> Job:
    """The job from the environment, or BadInput naming what is wrong (never a secret)."""
    from app.github.installation import BadRepoName, split_repo
    from app.workflow.config import CONFIG_PATH, valid_config_path

    event = env.get("GITHUB_EVENT_NAME", "").strip()
    if not event:
        raise BadInput("GITHUB_EVENT_NAME is not set: run this inside a GitHub Actions job")
    if event not in HANDLED + SWEEPS:
        raise BadInput(
            f"the {event!r} event is not one this bot runs on: use issues, issue_comment, "
            "schedule or workflow_dispatch (see docs/action.md)"
        )
    try:
        owner, repo = split_repo(env.get("GITHUB_REPOSITORY", ""))
    except BadRepoName as exc:
        raise BadInput(f"GITHUB_REPOSITORY: {exc}") from None
    api_url = (env.get("GITHUB_API_URL") or DEFAULT_API_URL).strip().rstrip("/")
    if not api_url.startswith(("https://", "http://")):
        raise BadInput("GITHUB_API_URL must be an http(s) URL such as https://api.github.com")
    graphql_url = (env.get("GITHUB_GRAPHQL_URL") or f"{api_url}/graphql").strip()
    token = (env.get("INPUT_GITHUB_TOKEN") or env.get("GITHUB_TOKEN") or "").strip()
    if not token:
        raise BadInput("no token: the github-token input is empty (its default is ${{ github.token }})")
    if any(c.isspace() for c in token):
        raise BadInput("the github-token input is not a token (it contains whitespace)")
    job_token = env.get("GITHUB_TOKEN", "").strip()
    config_path = (env.get("INPUT_CONFIG") or CONFIG_PATH).strip().lstrip("/")
    if not valid_config_path(config_path):
        raise BadInput(
            f"config: {config_path[:200]!r} is not a path to a .yml file in the repository "
            "(e.g. .github/incidents.yml)"
        )
    sweep_flag = (env.get("INPUT_SWEEP") or "true").strip().lower()
    if sweep_flag not in ("true", "false"):
        raise BadInput(f"sweep: expected true or false, got {sweep_flag[:40]!r}")
    payload = _payload(env.get("GITHUB_EVENT_PATH", ""), required=event in HANDLED)
    if event in HANDLED:
        about = str((payload.get("repository") or {}).get("full_name", ""))
        if about.lower() != f"{owner}/{repo}".lower():
            raise BadInput(
                f"the payload is about {about[:200] or 'no repository'!r}, "
                f"not GITHUB_REPOSITORY {owner}/{repo}"
            )
    return Job(
        event=event,
        repository=f"{owner}/{repo}",
        api_url=api_url,
        graphql_url=graphql_url,
        token=token,
        own_token=bool(job_token) and hmac.compare_digest(token.encode(), job_token.encode()),
        config_path=config_path,
        sweep=sweep_flag == "true",
        payload=payload,
        run_id=env.get("GITHUB_RUN_ID", "").strip() or "local",
    )


def _payload(path: str, *, required: bool) -> dict[str, Any]:
    if not path:
        if required:
            raise BadInput("GITHUB_EVENT_PATH is not set: there is no event payload to read")
        return {}
    try:
        file = Path(path)
        if file.stat().st_size > MAX_PAYLOAD:
            raise BadInput("the event payload is larger than GitHub's 25 MB limit")
        data = json.loads(file.read_bytes())
    except OSError as exc:
        if not required:
            return {}
        raise BadInput(f"the event payload {path[:200]} cannot be read: {exc.strerror}") from None
    except ValueError:
        raise BadInput(f"the event payload {path[:200]} is not JSON") from None
    if not isinstance(data, dict):
        raise BadInput("the event payload is not a JSON object")
    return data


# --- one pass ---------------------------------------------------------------------------


@dataclass
class Outcome:
    """What the pass did, for the job summary."""

    what: str  # e.g. "issues.labeled on acme/web#12", "sweep of acme/web"
    result: str = "done"
    details: list[str] = field(default_factory=list)


async def run(job: Job) -> Outcome:
    """The pass itself; raises Refused when GitHub said no."""
    import aiohttp
    from gidgethub import GitHubException

    from app.github.client import GiveUp, TokenGitHub
    from app.service.services import Services

    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        github = TokenGitHub(session, job.token, api_url=job.api_url)
        try:
            login = await _bot_login(job, github)
            services = Services.acting_as(github, login, config_path=job.config_path)
            if job.event in SWEEPS:
                outcome = await _sweep(job, services)
            else:
                outcome = await _dispatch(job, services)
            if services.refusals:  # the pass did what it could; a refused write still fails the job
                raise services.refusals[0]
        except GiveUp as exc:
            raise Refused(f"GitHub did not answer: {exc}") from None
        except GitHubException as exc:
            raise Refused(_refusal(exc)) from None
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise Refused(f"GitHub could not be reached at {job.api_url}: {type(exc).__name__}") from None
        outcome.details[:0] = [f"acting as {login}", _calls(github.stats.calls)]
        return outcome


async def _bot_login(job: Job, github: TokenGitHub) -> str:
    """Who the bot is: known for the job's own token, else the token's GraphQL viewer."""
    if job.own_token:
        return ACTIONS_BOT
    data = await github.client.graphql("query { viewer { login } }", endpoint=job.graphql_url)
    login = (data or {}).get("viewer", {}).get("login") if isinstance(data, dict) else None
    if not isinstance(login, str) or not login:
        raise Refused("GitHub did not say who the github-token is (GraphQL viewer)")
    return login


async def _dispatch(job: Job, services: Services) -> Outcome:
    """The webhook handlers, run as the server's processor runs them: each on its own."""
    from gidgethub import GitHubException, sansio

    from app.github.client import GiveUp
    from app.github.errors import is_gone as gone
    from app.service.handlers import router

    data = job.payload
    action = data.get("action")
    name = f"{job.event}.{action}" if action else job.event
    number = (data.get("issue") or {}).get("number") if isinstance(data.get("issue"), dict) else None
    outcome = Outcome(f"{name} on {job.repository}" + (f"#{number}" if number is not None else ""))
    event = sansio.Event(data, event=job.event, delivery_id=f"run-{job.run_id}")
    handlers = router().fetch(event)
    if not handlers:
        outcome.result = "nothing to do"
        outcome.details.append(f"the bot does nothing on {name}")
        return outcome
    gh = services.github.installation(0)  # a TokenGitHub: the one client, whatever the id
    failed: list[str] = []
    for handler in handlers:
        try:
            await handler(event, gh, services)
        except Exception as exc:
            if gone(exc):
                outcome.result = "nothing to do"
                outcome.details.append("the issue was deleted or transferred meanwhile")
                continue
            if isinstance(exc, GitHubException | GiveUp):
                raise  # GitHub refused or did not answer: run() turns it into the one line
            log.exception("handler %s failed", getattr(handler, "__qualname__", handler))
            failed.append(f"{getattr(handler, '__qualname__', handler)}: {type(exc).__name__}")
    if failed:
        raise Refused("the pass failed: " + "; ".join(failed))
    return outcome


async def _sweep(job: Job, services: Services) -> Outcome:
    from app.service.sweep import sweep_repository

    outcome = Outcome(f"sweep of {job.repository} ({job.event})")
    if not job.sweep:
        outcome.result = "nothing to do"
        outcome.details.append("the sweep input is false")
        return outcome
    owner, repo = job.owner_repo
    report = await sweep_repository(services, owner, repo)
    outcome.details.append(
        f"{report.incidents} incidents looked at, {report.changed} changed, {report.failed} failed"
    )
    if report.failed:
        raise Refused(f"sweep: {report.failed} of {report.incidents} incidents failed (see the log above)")
    return outcome


def _refusal(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    code = f" {int(status)}" if status is not None else ""
    text = " ".join(str(exc).split())[:300] or type(exc).__name__
    hint = ""
    if status is not None and int(status) in (401, 403):
        hint = " (check the workflow's permissions: issues: write, contents: read)"
    return f"GitHub refused{code}: {text}{hint}"


def _calls(calls: Mapping[tuple[str, int], int]) -> str:
    by_method: dict[str, int] = {}
    for (method, _status), count in calls.items():
        by_method[method] = by_method.get(method, 0) + count
    total = sum(by_method.values())
    shown = ", ".join(f"{n} {m}" for m, n in sorted(by_method.items()))
    return f"{total} API requests" + (f" ({shown})" if shown else "")


# --- what the job shows: log annotations and the summary --------------------------------


def _escape_data(text: str) -> str:
    """A workflow command's message: % CR LF escaped as the Actions toolkit does, so no
    text (a label, an error from GitHub) can end the command and start another."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


class ActionsFormatter(logging.Formatter):
    """Warnings and errors as `::warning::` / `::error::` annotations; the rest as text
    whose lines can never be read as workflow commands."""

    def format(self, record: logging.LogRecord) -> str:
        from app.service.logs import redact

        text = redact(super().format(record))
        if record.levelno >= logging.ERROR:
            return f"::error::{_escape_data(text)}"
        if record.levelno >= logging.WARNING:
            return f"::warning::{_escape_data(text)}"
        return "\n".join(" " + line if line.startswith("::") else line for line in text.splitlines())


class Notes(logging.Handler):
    """Keeps the pass's log lines (bounded) for the job summary."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        from app.service.logs import redact

        if getattr(record, "summarised", False):
            return  # the summary says it already
        if len(self.lines) >= SUMMARY_LINES:
            self.dropped += 1
            return
        line = " ".join(redact(record.getMessage()).split())
        prefix = "⚠️ " if record.levelno >= logging.WARNING else ""
        self.lines.append(prefix + line[:SUMMARY_LINE_CHARS])


def summary(outcome: Outcome, notes: Notes) -> str:
    lines = [f"### Incident Bot: {outcome.result}", "", f"- **{_md(outcome.what)}**"]
    lines += [f"- {_md(d)}" for d in outcome.details]
    log_lines = [*notes.lines] + ([f"... and {notes.dropped} more lines"] if notes.dropped else [])
    if log_lines:
        body = "\n".join(log_lines)
        fence = "`" * max(3, _longest_run(body, "`") + 1)  # no text can close the block early
        lines += ["", fence, body, fence]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    """Plain text in Markdown: no HTML, no emphasis, no links from what people wrote."""
    out = text
    for ch in "\\`*_[]<>|#":
        out = out.replace(ch, "\\" + ch)
    return out


def _longest_run(text: str, ch: str) -> int:
    best = run = 0
    for c in text:
        run = run + 1 if c == ch else 0
        best = max(best, run)
    return best


def _write_summary(env: Mapping[str, str], text: str) -> None:
    path = env.get("GITHUB_STEP_SUMMARY", "").strip()
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as file:
            file.write(text)
    except OSError as exc:
        log.warning("the job summary could not be written: %s", exc.strerror)


# --- the command ------------------------------------------------------------------------


def main(argv: list[str], env: Mapping[str, str] | None = None, stream: TextIO | None = None) -> int:
    """`python -m app action`: takes no arguments, only the job's environment."""
    env = os.environ if env is None else env
    stream = stream or sys.stderr
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__, file=stream)
        return 0
    notes = Notes()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ActionsFormatter("%(message)s"))
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers[:] = [handler, notes]
    root.setLevel(logging.INFO)
    try:
        return _main(argv, env, notes)
    finally:
        root.handlers[:], level = saved  # a caller in the same process gets its logging back
        root.setLevel(level)


def _main(argv: list[str], env: Mapping[str, str], notes: Notes) -> int:
    if argv:
        return _fail(env, 2, f"`action` takes no arguments (got {' '.join(argv)[:100]})", notes)
    started = time.monotonic()
    try:
        job = read_job(env)
    except BadInput as exc:
        return _fail(env, 2, str(exc), notes)
    try:
        outcome = asyncio.run(run(job))
    except Refused as exc:
        return _fail(env, 1, str(exc), notes, what=f"{job.event} on {job.repository}")
    outcome.details.append(f"{time.monotonic() - started:.1f} s")
    _write_summary(env, summary(outcome, notes))
    return 0


def _fail(env: Mapping[str, str], status: int, line: str, notes: Notes, what: str = "") -> int:
    log.error("incident-bot: %s", line, extra={"summarised": True})
    outcome = Outcome(what or "the job's input", result="refused" if status == 1 else "bad input")
    outcome.details.append(line)
    _write_summary(env, summary(outcome, notes))
    return status
