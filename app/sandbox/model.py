"""The in-memory world the sandbox serves (``Sandbox.state`` is a :class:`World`).

Shape, for test assertions::

    world.app              AppInfo(id, slug, name, owner, client_id, public_key_pem, ...)
    world.users[login]     User(login, id, name, type)           # type "User" | "Organization" | "Bot"
    world.orgs[login]      Org(login, members: set, owners: set, teams: {slug: Team})
    world.repos[full]      Repo(full_name, private, default_branch, installation_id,
                                collaborators {login: role}, files {path: File},
                                labels {lowercased name: Label}, issues {number: Issue})
    world.issues[id]       Issue (also reachable as repo.issues[number]); labels are label ids,
                           assignees are logins, parent_id / sub_issue_ids are issue ids
    world.comments[id]     Comment(issue_id, user, body, reactions, ...)
    world.events           list[IssueEvent] in creation order (issue events API)
    world.installations[id], world.tokens[token]

Every ``*_at`` is a timezone-aware UTC datetime taken from the sandbox clock.
Lookups of repos, users and labels are case-insensitive, as on GitHub: dict keys are lower case.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Distinct id ranges per kind so that an id never looks like another kind's id or a number.
ID_BASE = {
    "user": 1000,
    "repo": 50_000,
    "issue": 2_000_000,
    "comment": 3_000_000,
    "label": 4_000_000,
    "event": 5_000_000,
    "reaction": 6_000_000,
    "team": 700,
}
ROLES = ("none", "read", "triage", "write", "maintain", "admin")
# Who a workflow's GITHUB_TOKEN acts as, and that account's id on github.com.
ACTIONS_BOT = "github-actions[bot]"
ACTIONS_BOT_ID = 41898282


def role_rank(role: str) -> int:
    return ROLES.index(role) if role in ROLES else 0


def git_blob_sha(text: str) -> str:
    """The git blob sha of a file, as GitHub reports it in the contents API."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class User:
    login: str
    id: int
    name: str | None = None
    type: str = "User"


@dataclass
class Team:
    slug: str
    id: int
    name: str
    members: list[str] = field(default_factory=list)


@dataclass
class Org:
    login: str
    id: int
    members: set[str] = field(default_factory=set)
    owners: set[str] = field(default_factory=set)
    teams: dict[str, Team] = field(default_factory=dict)
    # GitHub's "base permission" for members on every org repository.
    default_permission: str = "read"


@dataclass
class Label:
    id: int
    name: str
    color: str
    description: str | None = None
    default: bool = False


@dataclass
class File:
    path: str
    text: str

    @property
    def sha(self) -> str:
        return git_blob_sha(self.text)


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    private: bool = False
    default_branch: str = "main"
    description: str | None = None
    installation_id: int | None = None
    collaborators: dict[str, str] = field(default_factory=dict)
    # branch -> path -> File; only the default branch is seeded.
    branches: dict[str, dict[str, File]] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    next_number: int = 1
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    updated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def files(self) -> dict[str, File]:
        return self.branches.setdefault(self.default_branch, {})

    def label_by_id(self, label_id: int) -> Label | None:
        return next((lb for lb in self.labels.values() if lb.id == label_id), None)


@dataclass
class Issue:
    id: int
    number: int
    repo: str  # full name, lower case key into World.repos
    title: str
    body: str | None
    user: str
    created_at: dt.datetime
    updated_at: dt.datetime
    labels: list[int] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    closed_at: dt.datetime | None = None
    closed_by: str | None = None
    locked: bool = False
    type: str | None = None
    milestone: Any = None
    via_app: bool = False
    parent_id: int | None = None
    sub_issue_ids: list[int] = field(default_factory=list)
    deleted: bool = False
    comment_ids: list[int] = field(default_factory=list)


@dataclass
class Reaction:
    id: int
    user: str
    content: str
    created_at: dt.datetime


@dataclass
class Comment:
    id: int
    issue_id: int
    user: str
    body: str
    created_at: dt.datetime
    updated_at: dt.datetime
    via_app: bool = False
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class IssueEvent:
    id: int
    issue_id: int
    actor: str
    event: str
    created_at: dt.datetime
    via_app: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Installation:
    id: int
    account: str
    created_at: dt.datetime
    repository_selection: str = "all"


@dataclass
class Token:
    token: str
    installation_id: int
    expires_at: dt.datetime
    # A workflow run's GITHUB_TOKEN: the one repository it is for (lower case) and the
    # `permissions:` its workflow granted. None: an installation token of the app.
    repository: str | None = None
    permissions: dict[str, str] = field(default_factory=dict)


@dataclass
class AppInfo:
    id: int
    slug: str
    name: str
    owner: str
    client_id: str
    public_key_pem: bytes | None
    created_at: dt.datetime
    description: str = ""
    events: tuple[str, ...] = ("issues", "issue_comment", "sub_issues")
    permissions: dict[str, str] = field(
        default_factory=lambda: {"issues": "write", "metadata": "read", "contents": "read", "members": "read"}
    )

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


@dataclass
class World:
    clock: Callable[[], dt.datetime]
    app: AppInfo
    users: dict[str, User] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    repos: dict[str, Repo] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    events: list[IssueEvent] = field(default_factory=list)
    installations: dict[int, Installation] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    # Where the sandbox listens; every `url` field points back at it so links can be followed.
    api_url: str = "http://127.0.0.1"
    manifest_codes: dict[str, tuple[dict[str, Any], dt.datetime]] = field(default_factory=dict)
    # Set by the Sandbox: receives (event, action, payload) for every webhook-worthy change;
    # the payload has `installation` when the app's webhook is to be delivered too.
    emit: Callable[[str, str, dict[str, Any]], None] = lambda event, action, payload: None
    _ids: dict[str, itertools.count[int]] = field(default_factory=dict)

    def next_id(self, kind: str) -> int:
        if kind not in self._ids:
            self._ids[kind] = itertools.count(ID_BASE.get(kind, 1) + 1)
        return next(self._ids[kind])

    def now(self) -> dt.datetime:
        return self.clock().astimezone(dt.UTC).replace(microsecond=0)

    def user(self, login: str, *, create: bool = True) -> User | None:
        """A person by login; unknown logins come into being when they act, as in the brief."""
        key = login.lower()
        if key not in self.users and create:
            self.users[key] = User(login=login, id=self.next_id("user"))
        return self.users.get(key)

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def org_of(self, repo: Repo) -> Org | None:
        return self.orgs.get(repo.owner.lower())

    def record_event(self, issue: Issue, actor: str, event: str, via_app: bool, **extra: Any) -> IssueEvent:
        ev = IssueEvent(
            id=self.next_id("event"),
            issue_id=issue.id,
            actor=actor,
            event=event,
            created_at=self.now(),
            via_app=via_app,
            extra=extra,
        )
        self.events.append(ev)
        return ev
