"""What handlers share, built once at start-up: the GitHub app, the clock, caches.

Caches are only caches (SPEC 1.1): each entry is short-lived and can be lost
at any time without changing what the app does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import cachetools
from gidgethub.abc import GitHubAPI

from app.github.client import GitHubApp
from app.workflow.config import RepoConfig, fetch_config

Now = Callable[[], dt.datetime]
RoleLookup = Callable[[GitHubAPI, str, str, str], Awaitable[str]]

CONFIG_TTL = 60  # seconds a repository's parsed config is trusted before re-reading
ROLE_TTL = 60  # a permission change takes effect within a minute


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    github: GitHubApp
    now: Now = utcnow  # injectable so tests move time instead of sleeping
    configs: cachetools.TTLCache[str, RepoConfig] = field(
        default_factory=lambda: cachetools.TTLCache(4096, CONFIG_TTL)
    )
    roles: cachetools.TTLCache[tuple[str, str], str] = field(
        default_factory=lambda: cachetools.TTLCache(4096, ROLE_TTL)
    )
    _bot_login: str | None = field(default=None, repr=False)

    @classmethod
    def create(cls, github: GitHubApp) -> Services:
        return cls(github)

    async def bot_login(self) -> str:
        """`<app-slug>[bot]`: the login GitHub shows for the app's own actions."""
        if self._bot_login is None:
            app = await self.github.app.getitem("/app")
            self._bot_login = f"{app['slug']}[bot]"
        return self._bot_login

    async def config(self, gh: GitHubAPI, owner: str, repo: str) -> RepoConfig:
        key = f"{owner}/{repo}".lower()
        cached = self.configs.get(key)
        if cached is None:
            cached = self.configs[key] = await fetch_config(gh, owner, repo)
        return cached

    async def role(self, gh: GitHubAPI, owner: str, repo: str, login: str, lookup: RoleLookup) -> str:
        key = (f"{owner}/{repo}".lower(), login.lower())
        cached = self.roles.get(key)
        if cached is None:
            cached = self.roles[key] = await lookup(gh, owner, repo, login)
        return cached
