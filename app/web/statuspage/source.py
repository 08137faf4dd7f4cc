"""Reading a repository's status page from GitHub, through caches.

The page is public and unauthenticated, so what one visitor costs must not
depend on how many come: the finished page (or the fact that there is none) is
kept for `PAGE_TTL` seconds, concurrent requests for the same repository share
one build, and the installation id is kept longer. Config and ETag caches are
the server's own (`Services`). Any webhook about a repository drops its page at
once (`invalidate`): a security label added to a listed incident takes it off the
page on the next visit, not 30 seconds later.

Only a public repository ever has a page. The installation is found by account
(`GET /users/{owner}/installation`), then the repository is read with that
installation's token (`GET /repos/{owner}/{repo}`): a private one, an internal one
and one that does not exist cost exactly those two requests (the first one cached)
and get the same 404, so neither the answer nor its timing tells them apart. What a
public repository costs beyond that (its config, its incidents) is public anyway.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Final

import cachetools
from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from app.github import errors
from app.github.installation import owner_installation, repo_installation, valid_repo
from app.github.read import load_incident, load_incidents
from app.github.refs import IssueRef
from app.service.services import Services
from app.web.statuspage.model import HISTORY_DAYS, Page, Resolved, build_page, resolved_entry
from app.workflow.model import Workflow

log = logging.getLogger(__name__)

PAGE_TTL: Final = 30.0  # seconds a rendered answer is served before GitHub is asked again
INSTALLATION_TTL: Final = 300.0  # installations move rarely; a new one shows within 5 minutes
MAX_INCIDENTS: Final = 50  # more active incidents than this is not a status page's problem
CONCURRENCY: Final = 4  # incidents loaded at once: each costs three or four requests
HISTORY_MAX: Final = 20  # resolved incidents shown: the newest; older ones are on GitHub
HISTORY_TTL: Final = 3600.0  # a resolved incident's line is reused while its issue is unchanged


class Unavailable(Exception):
    """GitHub could not be read just now (5xx, rate limit): try again later."""


class StatusPages:
    def __init__(self, services: Callable[[], Services], timer: Callable[[], float] = time.monotonic) -> None:
        # `services` is read per request: the server builds its Services at start-up,
        # after the routes are registered.
        self._services = services
        self.pages: cachetools.TTLCache[str, Page | None] = cachetools.TTLCache(1024, PAGE_TTL, timer)
        # owner -> (installation id, repository_selection), or None: not installed there.
        self.installations: cachetools.TTLCache[str, tuple[int, str] | None] = cachetools.TTLCache(
            4096, INSTALLATION_TTL, timer
        )
        # (repo, number) -> (the issue's updated_at, its history line or None)
        self.history: cachetools.TTLCache[tuple[str, int], tuple[str, Resolved | None]] = cachetools.TTLCache(
            8192, HISTORY_TTL, timer
        )
        self._generation: cachetools.LRUCache[str, int] = cachetools.LRUCache(8192)
        self._building: dict[str, asyncio.Task[Page | None]] = {}

    def invalidate(self, full_name: str) -> None:
        """Something happened in this repository: its next visitor gets a fresh page."""
        key = full_name.lower()
        self.pages.pop(key, None)
        self._generation[key] = self._generation.get(key, 0) + 1

    async def page(self, owner: str, repo: str) -> Page | None:
        """The page, or None when there is none to show (not installed, not enabled, bad name)."""
        key = f"{owner}/{repo}".lower()
        if key in self.pages:
            return self.pages[key]
        task = self._building.get(key)
        if task is None:
            task = self._building[key] = asyncio.ensure_future(self._build(owner, repo, key))
            task.add_done_callback(lambda done: self._built(key, done))
        # shield: one visitor closing the tab must not cancel the build the others wait for.
        return await asyncio.shield(task)

    def _built(self, key: str, task: asyncio.Task[Page | None]) -> None:
        self._building.pop(key, None)
        if not task.cancelled():
            task.exception()  # retrieved here too: every waiter may have gone away

    async def _build(self, owner: str, repo: str, key: str) -> Page | None:
        generation = self._generation.get(key, 0)
        try:
            page = await self._read(owner, repo)
        except BadRequest as exc:
            if errors.is_not_found(exc) or errors.is_unauthorized(exc):
                page = None  # gone or uninstalled since we cached its installation
                self.installations.pop(owner.lower(), None)
            else:
                log.warning("status page %s: GitHub answered %s", key, int(exc.status_code))
                raise Unavailable(str(exc)) from None
        except Exception as exc:
            log.warning("status page %s: %s", key, exc)
            raise Unavailable(str(exc)) from None
        if self._generation.get(key, 0) == generation:  # else: read before a change, not kept
            self.pages[key] = page
        return page

    async def _read(self, owner: str, repo: str) -> Page | None:
        if not valid_repo(owner, repo):
            return None
        services = self._services()
        installation = await self._installation(services, owner)
        if installation is None:
            return None
        installation_id, selection = installation
        gh = services.github.installation(installation_id)
        if not await _public(gh, owner, repo):
            return None  # private, internal, or no such repository: the same answer
        if (
            selection != "all"
            and await repo_installation(services.github.app, owner, repo) != installation_id
        ):
            return None  # public, but the account did not give the app this repository
        config = await services.config(gh, owner, repo)
        if not config.status_page:
            return None
        workflow = config.workflow
        labels = (workflow.incident_label.name, workflow.security.label.name)
        numbers = await _active_numbers(gh, owner, repo, *labels)
        bot = await services.bot_login()
        incidents = await load_incidents(gh, owner, repo, numbers, bot, concurrency=CONCURRENCY)
        now = services.now()
        history = await self._history(gh, owner, repo, workflow, bot, now)
        return build_page(f"{owner}/{repo}", incidents, workflow, now, history)

    async def _installation(self, services: Services, owner: str) -> tuple[int, str] | None:
        key = owner.lower()
        if key in self.installations:  # "not installed" is kept as long: the same cost either way
            return self.installations[key]
        found = self.installations[key] = await owner_installation(services.github.app, owner)
        return found

    async def _history(
        self, gh: GitHubAPI, owner: str, repo: str, workflow: Workflow, bot: str, now: dt.datetime
    ) -> list[Resolved]:
        """Incidents closed in the last HISTORY_DAYS days, newest HISTORY_MAX; an issue unchanged
        since it was last read (same `updated_at` in the search hit) is not read again."""
        since = (now - dt.timedelta(days=HISTORY_DAYS)).date().isoformat()
        query = (
            f'repo:{owner}/{repo} is:issue is:closed label:"{workflow.incident_label.name}" '
            f'-label:"{workflow.security.label.name}" closed:>={since}'
        )
        hits: list[tuple[int, str]] = []
        url = "/search/issues{?q,sort,per_page}"
        async for item in gh.getiter(url, {"q": query, "sort": "updated", "per_page": 100}):
            if "pull_request" not in item:
                hits.append((int(item["number"]), str(item.get("updated_at") or "")))
            if len(hits) >= HISTORY_MAX:
                break
        limit = asyncio.Semaphore(CONCURRENCY)

        async def one(number: int, updated_at: str) -> Resolved | None:
            key = (f"{owner}/{repo}".lower(), number)
            cached = self.history.get(key)
            if cached is not None and cached[0] == updated_at and updated_at:
                return cached[1]
            async with limit:
                try:
                    incident = await load_incident(gh, IssueRef(owner, repo, number), bot)
                except BadRequest as exc:
                    if errors.is_not_found(exc):
                        return None
                    raise
            entry = resolved_entry(incident, workflow, now)
            self.history[key] = (updated_at, entry)
            return entry

        found = await asyncio.gather(*(one(n, at) for n, at in hits))
        window = dt.timedelta(days=HISTORY_DAYS)  # a line read earlier may have aged out since
        return [entry for entry in found if entry is not None and now - entry.resolved_at <= window]


async def _public(gh: GitHubAPI, owner: str, repo: str) -> bool:
    """Whether the repository exists and is public (not private, not internal)."""
    try:
        data = await gh.getitem("/repos/{owner}/{repo}", {"owner": owner, "repo": repo})
    except BadRequest as exc:
        if errors.is_not_found(exc):
            return False
        raise
    return data.get("private") is False and data.get("visibility", "public") == "public"


async def _active_numbers(gh: GitHubAPI, owner: str, repo: str, label: str, security: str) -> list[int]:
    # Excluding the security label here saves loading them; the model checks again
    # on the fresh issue, since search results can lag behind a label change.
    query = f'repo:{owner}/{repo} is:issue is:open label:"{label}" -label:"{security}"'
    numbers: list[int] = []
    async for item in gh.getiter("/search/issues{?q,per_page}", {"q": query, "per_page": 100}):
        if "pull_request" not in item:
            numbers.append(int(item["number"]))
        if len(numbers) >= MAX_INCIDENTS:
            break
    return numbers
