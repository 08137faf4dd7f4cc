"""`python -m app report OWNER/REPO`: how incidents went, computed from the issues themselves.

Per severity: how many, and the median time from declaration to acknowledge,
to stabilize and to resolve (the same durations the summary's timeline shows,
`app.core.timeline`); and how the lead role was spread. `compute` is pure; `gather`
reads GitHub; `main` is the command line. No title or body is ever printed, so
the report may include security incidents in its counts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.core import timeline
from app.core.durations import format_duration
from app.core.incident import Incident
from app.github.client import GitHubApp
from app.github.config import fetch_config
from app.github.installation import BadRepoName, repo_installation, split_repo
from app.github.read import load_incidents
from app.workflow.model import Workflow

DEFAULT_DAYS = 90  # without --since: the last quarter
NO_LEAD = "(no lead)"
STAGES = ("acknowledge", "stabilize", "resolve")


class ReportError(Exception):
    """str() is the one line to print."""


@dataclass(frozen=True)
class Row:
    """One severity (or all of them): a count and a median per stage (None: none got there)."""

    key: str | None  # the severity's key; None for "no severity" and for the total
    name: str
    count: int
    medians: dict[str, dt.timedelta | None]

    @property
    def label(self) -> str:
        return f"{self.key} {self.name}" if self.key else self.name


@dataclass(frozen=True)
class Report:
    repo: str
    since: dt.date
    rows: tuple[Row, ...]  # by severity, most severe first
    total: Row
    leads: tuple[tuple[str, int], ...]  # most incidents led first


def median(values: Sequence[dt.timedelta]) -> dt.timedelta | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _durations(line: timeline.Timeline) -> dict[str, dt.timedelta | None]:
    return {
        "acknowledge": line.time_to_acknowledge,
        "stabilize": line.time_to_stabilize,
        "resolve": line.time_to_resolve,
    }


def _row(key: str | None, name: str, lines: list[timeline.Timeline]) -> Row:
    medians: dict[str, dt.timedelta | None] = {}
    for stage in STAGES:
        reached = [d for line in lines if (d := _durations(line)[stage]) is not None]
        medians[stage] = median(reached)
    return Row(key, name, len(lines), medians)


def compute(incidents: Iterable[Incident], workflow: Workflow, repo: str, since: dt.date) -> Report:
    """The report over these incidents (those that are no longer incidents are left out)."""
    by_severity: dict[str | None, list[timeline.Timeline]] = {}
    leads: Counter[str] = Counter()
    everything: list[timeline.Timeline] = []
    for incident in incidents:
        if not incident.is_incident(workflow):
            continue
        severity = incident.severity(workflow)
        line = timeline.build(incident, workflow)
        by_severity.setdefault(severity.key if severity else None, []).append(line)
        everything.append(line)
        leads[incident.lead or NO_LEAD] += 1
    rows = [_row(s.key, s.name, by_severity[s.key]) for s in workflow.severities if s.key in by_severity]
    if None in by_severity:
        rows.append(_row(None, "no severity", by_severity[None]))
    return Report(
        repo=repo,
        since=since,
        rows=tuple(rows),
        total=_row(None, "all", everything),
        leads=tuple(sorted(leads.items(), key=lambda item: (-item[1], item[0].lower()))),
    )


# --- output ------------------------------------------------------------------------------


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> list[str]:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = zip(cells, widths, strict=True)
        out = [c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(padded)]
        return "  ".join(out).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_text(report: Report) -> str:
    title = f"Incidents in {report.repo} created since {report.since.isoformat()}: {report.total.count}"
    if report.total.count == 0:
        return title + "\n"
    lines = [title, ""]
    header = ["severity", "incidents", *(f"to {stage}" for stage in STAGES)]
    cells = [
        [row.label, str(row.count), *(format_duration(row.medians[s]) for s in STAGES)]
        for row in (*report.rows, report.total)
    ]
    lines += _table(header, cells, numeric={1, 2, 3, 4})
    lines += ["", "Times are medians from the declaration, over the incidents that got that far.", ""]
    lines += _table(["lead", "incidents led"], [[login, str(n)] for login, n in report.leads], numeric={1})
    return "\n".join(lines) + "\n"


def _seconds(delta: dt.timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds())


def _row_json(row: Row) -> dict[str, Any]:
    return {
        "incidents": row.count,
        "median_seconds": {stage: _seconds(row.medians[stage]) for stage in STAGES},
    }


def render_json(report: Report) -> dict[str, Any]:
    return {
        "repository": report.repo,
        "since": report.since.isoformat(),
        "by_severity": [
            {"severity": {"key": row.key, "name": row.name} if row.key else None, **_row_json(row)}
            for row in report.rows
        ],
        "all": _row_json(report.total),
        "leads": [{"login": login, "incidents": n} for login, n in report.leads],
    }


# --- reading GitHub ----------------------------------------------------------------------


async def gather(github: GitHubApp, owner: str, repo: str, since: dt.date) -> Report:
    """Find the app's installation on the repository, read its incidents and compute."""
    installation = await repo_installation(github.app, owner, repo)
    if installation is None:
        raise ReportError(
            f"the app is not installed on {owner}/{repo} (or the repository does not exist): "
            "install it there first"
        )
    gh = github.installation(installation)
    workflow = (await fetch_config(gh, owner, repo)).workflow
    app = await github.app.getitem("/app")
    bot = f"{app['slug']}[bot]"
    label = workflow.incident_label.name
    query = f'repo:{owner}/{repo} is:issue label:"{label}" created:>={since.isoformat()}'
    numbers = [
        int(item["number"])
        async for item in gh.getiter("/search/issues{?q,per_page}", {"q": query, "per_page": 100})
        if "pull_request" not in item
    ]
    incidents = await load_incidents(gh, owner, repo, numbers, bot)
    return compute(incidents, workflow, f"{owner}/{repo}", since)


# --- command line ------------------------------------------------------------------------


def parse_since(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise ReportError(f"--since must be a date like 2026-01-31, got {raw!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-bot report",
        description="Incidents by severity, median times to acknowledge, stabilize and resolve, leads' load.",
    )
    parser.add_argument("repo", metavar="OWNER/REPO", help="the repository, e.g. acme/web")
    parser.add_argument(
        "--since", metavar="DATE", help=f"incidents created since (default: {DEFAULT_DAYS} days ago)"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def main(argv: list[str], today: dt.date | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        owner, repo = split_repo(args.repo)
        today = today or dt.datetime.now(dt.UTC).date()
        since = parse_since(args.since) if args.since else today - dt.timedelta(days=DEFAULT_DAYS)
        if since > today:
            raise ReportError(f"--since {since.isoformat()} is in the future")
    except (BadRepoName, ReportError) as exc:
        print(f"incident-bot report: {exc}", file=sys.stderr)
        return 2
    from app.settings import SettingsError

    try:
        report = asyncio.run(_run(owner, repo, since))
    except (SettingsError, ReportError) as exc:
        print(f"incident-bot report: {exc}", file=sys.stderr)
        return 1
    if args.format == "json":
        print(json.dumps(render_json(report), indent=2))
    else:
        print(render_text(report), end="")
    return 0


async def _run(owner: str, repo: str, since: dt.date) -> Report:
    import aiohttp
    from gidgethub import HTTPException

    from app import settings as settings_module
    from app.github.client import GiveUp

    env = settings_module.environment()
    # The report receives no webhooks: only the app's id and key matter here.
    if not env.get("GITHUB_WEBHOOK_SECRET", "").strip():
        env["GITHUB_WEBHOOK_SECRET"] = "unused-by-the-report"
    settings = settings_module.from_env(env)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        github = GitHubApp.from_settings(session, settings)
        try:
            return await gather(github, owner, repo, since)
        except (HTTPException, GiveUp, aiohttp.ClientError) as exc:
            problem = str(exc) or type(exc).__name__
            raise ReportError(f"could not read GitHub at {settings.api_url}: {problem}") from None
