"""What handlers share, built once at start-up: the GitHub app, the clock, caches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from .github.client import GitHubApp

Now = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Services:
    github: GitHubApp
    now: Now = utcnow  # injectable so tests move time instead of sleeping
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
