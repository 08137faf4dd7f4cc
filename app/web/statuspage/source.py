"""Reading a repository's status page from GitHub, through caches.

The page is public and unauthenticated, so what one visitor costs must not
depend on how many come: the finished page (or the fact that there is none) is
kept for `PAGE_TTL` seconds, concurrent requests for the same repository share
one build, and the installation id is kept longer. Config and ETag caches are
the server's own (`Services`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Final

import cachetools
from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from app.github import errors
from app.github.installation import repo_installation, valid_repo
from app.github.read import load_incidents
from app.service.services import Services
from app.web.statuspage.model import Page, build_page

log = logging.getLogger(__name__)

PAGE_TTL: Final = 30.0  # seconds a rendered answer is served before GitHub is asked again
INSTALLATION_TTL: Final = 300.0  # installations move rarely; a new one shows within 5 minutes
MAX_INCIDENTS: Final = 50  # more active incidents than this is not a status page's problem
CONCURRENCY: Final = 4  # incidents loaded at once: each costs three or four requests


class Unavailable(Exception):
    """GitHub could not be read just now (5xx, rate limit): try again later."""


class StatusPages:
    def __init__(self, services: Callable[[], Services], timer: Callable[[], float] = time.monotonic) -> None:
        # `services` is read per request: the server builds its Services at start-up,
        # after the routes are registered.
        self._services = services
        self.pages: cachetools.TTLCache[str, Page | None] = cachetools.TTLCache(1024, PAGE_TTL, timer)
        self.installations: cachetools.TTLCache[str, int] = cachetools.TTLCache(4096, INSTALLATION_TTL, timer)
        self._building: dict[str, asyncio.Task[Page | None]] = {}

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
        try:
            page = await self._read(owner, repo)
        except BadRequest as exc:
            if errors.is_not_found(exc) or errors.is_unauthorized(exc):
                page = None  # gone or uninstalled since we cached its installation
                self.installations.pop(key, None)
            else:
                log.warning("status page %s: GitHub answered %s", key, int(exc.status_code))
                raise Unavailable(str(exc)) from None
        except Exception as exc:
            log.warning("status page %s: %s", key, exc)
            raise Unavailable(str(exc)) from None
        self.pages[key] = page
        return page

    async def _read(self, owner: str, repo: str) -> Page | None:
        if not valid_repo(owner, repo):
            return None
        services = self._services()
        installation = await self._installation(services, owner, repo)
        if installation is None:
            return None
        gh = services.github.installation(installation)
        config = await services.config(gh, owner, repo)
        if not config.status_page:
            return None
        workflow = config.workflow
        numbers = await _active_numbers(
            gh, owner, repo, workflow.incident_label.name, workflow.security.label.name
        )
        bot = await services.bot_login()
        incidents = await load_incidents(gh, owner, repo, numbers, bot, concurrency=CONCURRENCY)
        return build_page(f"{owner}/{repo}", incidents, workflow, services.now())

    async def _installation(self, services: Services, owner: str, repo: str) -> int | None:
        key = f"{owner}/{repo}".lower()
        found = self.installations.get(key)
        if found is None:
            found = await repo_installation(services.github.app, owner, repo)
            if found is not None:
                self.installations[key] = found
        return found


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
