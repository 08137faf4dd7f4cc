"""The clock: `python -m app sweep` walks the open incidents of every installation.

Each open incident goes through the same read → decide → perform path as a
webhook (app.service.pipeline), with a `Sweep` trigger: the rules remind, escalate, and
reconcile what lost webhooks left undone. Command comments that no delivery
handled (not in the ledger, no reply) are first replayed as the `CommentCreated`
their lost webhook would have been, oldest first, at most `REPLAY_MAX` per
incident per sweep. Being level-triggered, a second sweep right after the first
finds nothing to do.

API cost, per sweep: one `GET /app/installations` (paged), then per
installation one search per distinct incident label (`is:issue is:open
label:"incident"`, paged), then per incident the reads of a webhook run. The
labels searched are the presets' incident labels plus any given with
`--label`; each hit is then kept only if its repository's config uses that
label. A repository that renames the incident label is swept only when its
label is passed with `--label`: listing every repository and reading its
config on each sweep would cost far more than the search.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import aiohttp
from gidgethub.abc import GitHubAPI

from app.core.incident import parse_time
from app.github.client import GitHubApp
from app.github.refs import IssueRef
from app.service.notify import Notifier
from app.service.pipeline import sweep_incident
from app.service.services import Services
from app.service.shared import held
from app.workflow.loader import load_preset, preset_names

if TYPE_CHECKING:  # the Action's scheduled pass sweeps without settings (or their key handling)
    from app.settings import Settings

log = logging.getLogger(__name__)

CONCURRENCY = 4  # incidents handled at once: well under GitHub's secondary limits
DEFAULT_EVERY = 300.0  # seconds between sweeps (the Procfile's clock)
RECENTLY_CLOSED = dt.timedelta(days=30)
# One sweep per installation at a time, whichever replica or clock runs it: a lease on
# "sweep:<installation>", renewed while the sweep runs; a sweep that finds it held skips
# that installation (the other sweep covers it).
SWEEP_LEASE_MS = 120_000  # closed incidents still swept for hygiene reminders


@dataclass(frozen=True)
class Found:
    """An open issue the search found, with the labels it had then."""

    ref: IssueRef
    installation_id: int
    labels: frozenset[str]  # lower-case
    installed_at: dt.datetime | None = None  # commands older than the installation are not replayed


@dataclass(frozen=True)
class SweepReport:
    incidents: int = 0  # open incidents looked at
    changed: int = 0  # of which the sweep changed something
    failed: int = 0  # of which the handling failed (logged, skipped)


def preset_incident_labels() -> tuple[str, ...]:
    """The incident labels of the shipped workflows (all `incident` today), without repeats."""
    names = (load_preset(name).incident_label.name for name in preset_names())
    return tuple(dict.fromkeys(names))


async def sweep(
    services: Services, *, labels: Iterable[str] = (), concurrency: int = CONCURRENCY
) -> SweepReport:
    """One pass over the open incidents of every installation."""
    wanted = tuple(dict.fromkeys([*preset_incident_labels(), *labels]))
    found: dict[tuple[str, str, int], Found] = {}
    async with contextlib.AsyncExitStack() as leases:
        async for installation in services.github.app.getiter("/app/installations?per_page=100"):
            installation_id = int(installation["id"])
            if not await leases.enter_async_context(
                held(services.shared, f"sweep:{installation_id}", SWEEP_LEASE_MS)
            ):
                log.info("sweep: installation %d is being swept elsewhere; skipped", installation_id)
                continue
            await _search(services, installation, installation_id, wanted, found)
        return await _handle_all(services, list(found.values()), concurrency)


async def _search(
    services: Services,
    installation: dict[str, Any],
    installation_id: int,
    wanted: tuple[str, ...],
    found: dict[tuple[str, str, int], Found],
) -> None:
    installed_at = parse_time(installation["created_at"]) if installation.get("created_at") else None
    gh = services.github.installation(installation_id)
    try:
        for item in await open_issues(gh, installation_id, wanted, _closed_since(services)):
            item = replace(item, installed_at=installed_at)
            found.setdefault((item.ref.owner.lower(), item.ref.repo.lower(), item.ref.number), item)
    except Exception:
        log.exception("sweep: searching installation %d failed; skipped", installation_id)


async def open_issues(
    gh: GitHubAPI,
    installation_id: int,
    labels: Iterable[str],
    closed_since: dt.date | None = None,
    *,
    repository: str | None = None,
) -> list[Found]:
    """Open issues carrying any of `labels`, one search per label; with `closed_since`, also
    those closed since then (a resolved incident still owes its retrospective and follow-ups).

    An installation token searches its own repositories; any other token searches all of
    GitHub, so it names the one repository (`repository`, "owner/name")."""
    found: list[Found] = []
    states = ["is:open"] + ([f"is:closed closed:>={closed_since.isoformat()}"] if closed_since else [])
    scope = f"repo:{repository} " if repository else ""
    for label, state in ((label, state) for label in labels for state in states):
        query = f'{scope}is:issue {state} label:"{label}"'
        async for item in gh.getiter("/search/issues{?q,per_page}", {"q": query, "per_page": 100}):
            ref = _ref(item)
            if ref is not None:
                names = frozenset(str(x.get("name", "")).lower() for x in item.get("labels") or ())
                found.append(Found(ref, installation_id, names))
    return found


async def sweep_repository(
    services: Services, owner: str, repo: str, *, installation_id: int = 0, concurrency: int = CONCURRENCY
) -> SweepReport:
    """One pass over one repository's incidents: the GitHub Action's scheduled run, where
    `services.github` is a TokenGitHub (one client, whatever the installation id). The
    repository's own config names the incident label to search."""
    gh = services.github.installation(installation_id)
    config = await services.config(gh, owner, repo)
    label = config.workflow.incident_label.name
    scope = f"{owner}/{repo}"
    found = await open_issues(gh, installation_id, [label], _closed_since(services), repository=scope)
    unique = {item.ref.number: item for item in found}  # an issue is found once per state at most
    return await _handle_all(services, list(unique.values()), concurrency)


def _closed_since(services: Services) -> dt.date:
    """Resolved incidents stay on the sweep this long: retro and follow-up reminders (hygiene)."""
    return (services.now() - RECENTLY_CLOSED).date()


def _ref(item: dict[str, Any]) -> IssueRef | None:
    """owner/repo from the search hit's repository_url (".../repos/OWNER/REPO")."""
    parts = str(item.get("repository_url") or "").rstrip("/").split("/")
    if len(parts) < 3 or parts[-3] != "repos" or "pull_request" in item:
        return None
    return IssueRef(parts[-2], parts[-1], int(item["number"]))


async def _handle_all(services: Services, found: list[Found], concurrency: int) -> SweepReport:
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(item: Found) -> str:
        async with gate:
            return await _handle_one(services, item)

    outcomes = await asyncio.gather(*(one(item) for item in found))
    return SweepReport(
        incidents=sum(1 for o in outcomes if o != "skipped"),
        changed=outcomes.count("changed"),
        failed=outcomes.count("failed"),
    )


async def _handle_one(services: Services, item: Found) -> str:
    """ "changed", "unchanged", "skipped" (not an incident by its repo's config) or "failed"."""
    ref = item.ref
    gh = services.github.installation(item.installation_id)
    try:
        config = await services.config(gh, ref.owner, ref.repo)
        if config.workflow.incident_label.name.lower() not in item.labels:
            return "skipped"  # this repository calls its incidents something else
        done = await sweep_incident(gh, services, ref, config, installed_at=item.installed_at)
    except Exception:
        # One broken incident (deleted meanwhile, a bug, a permission) must not stop the others,
        # and one that fails on every sweep is reported in full once, then counted.
        key = f"{ref.owner}/{ref.repo}#{ref.number}"
        services.failures.report(log, key, "sweep: %s failed; skipped", key)
        return "failed"
    services.failures.cleared(f"{ref.owner}/{ref.repo}#{ref.number}")
    return "changed" if done else "unchanged"


async def run_every(
    services: Services,
    every: float,
    *,
    labels: Iterable[str] = (),
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    rounds: int | None = None,
) -> None:
    """Sweep, wait, sweep again; a failed sweep is logged and the next one runs on time."""
    done = 0
    while rounds is None or done < rounds:
        try:
            report = await sweep(services, labels=labels)
            log.info("sweep: %d incidents, %d changed, %d failed", *_numbers(report))
        except Exception:
            log.exception("sweep failed; trying again in %.0f s", every)
        done += 1
        if rounds is None or done < rounds:
            await sleep(every)


def _numbers(report: SweepReport) -> tuple[int, int, int]:
    return report.incidents, report.changed, report.failed


# --- the command line -------------------------------------------------------------------


def main(argv: list[str]) -> int:
    """`python -m app sweep [--once] [--every SECONDS] [--label NAME]`."""
    from app import settings as settings_module
    from app.service import logs
    from app.settings import SettingsError

    parser = argparse.ArgumentParser(prog="incident-bot sweep", description=main.__doc__)
    parser.add_argument("--once", action="store_true", help="sweep once and exit (1 if any failed)")
    parser.add_argument("--every", type=float, default=DEFAULT_EVERY, help="seconds between sweeps")
    parser.add_argument("--label", action="append", default=[], help="another incident label to search")
    args = parser.parse_args(argv)
    if args.every <= 0:
        parser.error("--every must be more than 0 seconds")
    try:
        env = settings_module.environment()  # the same settings as `serve`
        settings = settings_module.from_env(env)
        logs.configure(settings_module.log_format(env, "json"))
    except SettingsError as exc:
        print(f"incident-bot: {exc}", file=sys.stderr)
        return 2
    labels = tuple(args.label)
    return asyncio.run(run_with_settings(settings, once=args.once, every=args.every, labels=labels))


async def run_with_settings(settings: Settings, *, once: bool, every: float, labels: tuple[str, ...]) -> int:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        github = GitHubApp.from_settings(session, settings)
        services = Services.create(github)
        if settings.redis_url:  # one sweep per installation at a time, with the replicas' Redis
            from app.service.shared import RedisStore

            services.shared = RedisStore.from_url(settings.redis_url, verify_tls=settings.redis_tls_verify)
        # The sweep escalates: it pages and posts to chat as `serve` does (same settings).
        services.notifier = Notifier.from_settings(settings.notify, session)
        try:
            if once:
                report = await sweep(services, labels=labels)
                log.info("sweep: %d incidents, %d changed, %d failed", *_numbers(report))
                return 1 if report.failed else 0
            await run_every(services, every, labels=labels)
        finally:
            await services.notifier.drain(settings.grace_period)  # what this sweep owes is sent
    return 0
