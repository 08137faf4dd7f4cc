"""What handlers share, built once at start-up: the GitHub app, the clock, caches.

Caches are only caches (GitHub is the only store): each entry is short-lived and can be lost
at any time without changing what the app does.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import cachetools
from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from app.github.client import GitHubApp
from app.github.config import fetch_config
from app.github.read import is_assignable, role_name
from app.service.logs import Failures
from app.service.notify import Notifier
from app.service.shared import Local, Store
from app.workflow.config import CONFIG_PATH, RepoConfig
from app.workflow.loader import default_workflow

Now = Callable[[], dt.datetime]

CONFIG_TTL = 60  # seconds a repository's parsed config is trusted before re-reading
ROLE_TTL = 60  # a permission change takes effect within a minute
LABELS_TTL = 600  # a repository's labels, re-read at most every ten minutes


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
    config_path: str = CONFIG_PATH  # where each repository keeps its config
    assignees: cachetools.TTLCache[tuple[str, str], bool] = field(
        default_factory=lambda: cachetools.TTLCache(4096, ROLE_TTL)
    )
    # owner/repo -> the label names it has, as the writer last saw them (LABELS_TTL).
    repo_labels: cachetools.TTLCache[str, set[str]] = field(
        default_factory=lambda: cachetools.TTLCache(4096, LABELS_TTL)
    )
    failures: Failures = field(default_factory=Failures)
    # GitHub's answers to writes it refused (the pass went on): the Action mode exits 1 on them.
    refusals: deque[BadRequest] = field(
        default_factory=lambda: deque(maxlen=50)
    )  # by incident, for the log and /metrics
    # Channels outside GitHub (PagerDuty, chat, signed webhook); none unless the settings name them.
    notifier: Notifier = field(default_factory=Notifier)
    # Leases shared with other replicas (Redis) or this process's own: one sweep at a time.
    shared: Store = field(default_factory=Local)
    _bot_login: str | None = field(default=None, repr=False)

    @classmethod
    def create(cls, github: GitHubApp) -> Services:
        return cls(github)

    @classmethod
    def acting_as(cls, github: GitHubApp, login: str, *, config_path: str = CONFIG_PATH) -> Services:
        """For a plain token, whose login is known up front: there is no `/app` to ask.

        With GitHub Actions' GITHUB_TOKEN that is `github-actions[bot]`: the bot recognises
        its own comments and events by it, exactly as an App does by `<slug>[bot]`.
        """
        return cls(github, config_path=config_path, _bot_login=login)

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
            cached = self.configs[key] = await fetch_config(gh, owner, repo, self.config_path)
        return cached

    async def role(self, gh: GitHubAPI, owner: str, repo: str, login: str) -> str:
        """The person's role_name on the repository, cached for ROLE_TTL."""
        return await _per_person(self.roles, role_name, gh, owner, repo, login)

    async def assignable(self, gh: GitHubAPI, owner: str, repo: str, login: str) -> bool:
        """Whether `login` can be assigned in the repository, cached for ROLE_TTL as roles are."""
        return await _per_person(self.assignees, is_assignable, gh, owner, repo, login)

    def known_bot_login(self) -> str | None:
        """The bot's login if already asked (the acknowledgement never waits for GitHub)."""
        return self._bot_login

    def labels_of_interest(self, owner_repo: str) -> set[str]:
        """The labels that make an issue the bot's business in a repository: its incident and
        follow-up labels, from the cached config, else the default workflow's."""
        cached = self.configs.get(owner_repo.lower())
        workflow = cached.workflow if cached is not None else default_workflow()
        return {
            workflow.incident_label.name,
            workflow.followups.label.name,
            workflow.followups.critical_label.name,
        }

    async def is_own(self, data: Mapping[str, Any]) -> bool:
        """Whether a delivery is the app's own doing (its change, or its comment): the one
        check. A pass that made a change already reconciled the issue, so its echo is ignored."""
        bot = await self.bot_login()
        comment = data.get("comment")
        author = (comment.get("user") or {}).get("login") if isinstance(comment, Mapping) else None
        return (data.get("sender") or {}).get("login") == bot or author == bot


T = TypeVar("T")


async def _per_person(
    cache: cachetools.TTLCache[tuple[str, str], T],
    read: Callable[[GitHubAPI, str, str, str], Awaitable[T]],
    gh: GitHubAPI,
    owner: str,
    repo: str,
    login: str,
) -> T:
    """A fact about one person in one repository, read once per TTL of its cache."""
    key = (f"{owner}/{repo}".lower(), login.lower())
    if key in cache:
        return cache[key]
    value = cache[key] = await read(gh, owner, repo, login)
    return value
