"""The :class:`Sandbox`: an in-memory GitHub served over HTTP, with webhooks to the app."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives import serialization

from . import forms, render
from .access import Actor, can_see
from .auth import new_workflow_token
from .client import UserClient
from .errors import ApiError
from .faults import Faults
from .limits import ContentLimits
from .model import ACTIONS_BOT, ROLES, File, World
from .payloads import notify
from .recording import RecordedRequest, Recorder
from .routes.apps import manifest_code
from .routes.common import assignable
from .routes.issues import open_issue
from .seed import Seed, build_world
from .server import Server
from .webhooks import Delivery, DeliveryQueue


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def public_key_pem(key: str | bytes | None) -> bytes | None:
    """Accept a public key, or derive it from a private key (both PEM)."""
    if key is None:
        return None
    data = key.encode() if isinstance(key, str) else key
    if b"PRIVATE KEY" in data:
        private = serialization.load_pem_private_key(data, password=None)
        return private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    serialization.load_pem_public_key(data)  # fail early on a malformed key
    return data


# What a workflow gets when it does not say `permissions:` is the repository's default;
# the example workflow asks for exactly these.
WORKFLOW_PERMISSIONS = {"issues": "write", "contents": "read", "metadata": "read"}


@dataclass(frozen=True)
class WorkflowEvent:
    """A change a repository's workflows see: the event name and its `GITHUB_EVENT_PATH` payload.

    `triggers_runs` is False for changes made with a workflow's GITHUB_TOKEN: GitHub starts
    no new workflow run for those ("events triggered by the GITHUB_TOKEN, with the exception
    of workflow_dispatch and repository_dispatch, will not create a new workflow run",
    https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication).
    """

    event: str
    action: str | None
    repository: str  # owner/name as GitHub spells it
    payload: dict[str, Any]

    @property
    def triggers_runs(self) -> bool:
        return (self.payload.get("sender") or {}).get("login") != ACTIONS_BOT


class Sandbox:
    def __init__(
        self,
        seed: Seed = None,
        *,
        app_id: int = 1,
        app_slug: str = "incident-bot",
        app_public_key_pem: str | bytes | None = None,
        webhook_url: str | None = None,
        webhook_secret: str = "",
        clock: Callable[[], dt.datetime] | None = None,
        record_path: str | os.PathLike[str] | None = None,
        events: tuple[str, ...] = ("issues", "issue_comment", "sub_issues"),
    ) -> None:
        self.faults = Faults()
        self.state: World = build_world(
            seed,
            clock=clock or _utcnow,
            app_id=app_id,
            app_slug=app_slug,
            public_key=public_key_pem(app_public_key_pem),
        )
        self._queue = DeliveryQueue(
            app_id=app_id,
            hook_id=app_id * 1000 + 7,
            secret=webhook_secret,
            url=webhook_url,
            events=tuple(events),
            faults=self.faults.deliveries,
        )
        self.workflow_events: list[WorkflowEvent] = []
        self.state.emit = self._emit
        self._recorder = Recorder(record_path)
        self._server = Server(self.state, self._queue, self.faults, self._recorder)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.base_url = ""

    # -- lifecycle -----------------------------------------------------------------------
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner = web.AppRunner(self._server.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None) or []
        bound = sockets[0].getsockname()[1] if sockets else port
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
        self.base_url = f"http://{shown}:{bound}"
        self.state.api_url = self.base_url
        await self._queue.start()
        return self.base_url

    async def stop(self) -> None:
        await self._queue.stop()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Sandbox:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # -- webhooks -------------------------------------------------------------------------
    def _emit(self, event: str, action: str, payload: dict[str, Any]) -> None:
        """Every change: seen by the repository's workflows; delivered to the app when installed."""
        seen = {k: v for k, v in payload.items() if k != "installation"}
        repository = str((payload.get("repository") or {}).get("full_name", ""))
        self.workflow_events.append(WorkflowEvent(event, action, repository, seen))
        self._queue.emit(event, action, payload)

    @property
    def webhook_url(self) -> str | None:
        return self._queue.url

    @webhook_url.setter
    def webhook_url(self, value: str | None) -> None:
        self._queue.url = value

    @property
    def webhook_secret(self) -> str:
        return self._queue.secret

    @property
    def deliveries(self) -> list[Delivery]:
        return self._queue.deliveries

    async def settle(self, timeout: float = 10) -> None:
        await self._queue.settle(timeout)

    async def redeliver(self, delivery_id: str) -> Delivery:
        again = self._queue.redeliver(delivery_id)
        await again.done.wait()
        return again

    # -- recording ------------------------------------------------------------------------
    @property
    def requests(self) -> list[RecordedRequest]:
        return self._recorder.requests

    # -- people and helpers ---------------------------------------------------------------
    def _session_get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    def user(self, login: str) -> UserClient:
        return UserClient(login, lambda: self.base_url, self._session_get)

    def _repo(self, owner_repo: str) -> Any:
        owner, _, name = owner_repo.partition("/")
        repo = self.state.repo(owner, name)
        if repo is None:
            raise KeyError(owner_repo)
        return repo

    def issue(self, owner_repo: str, number: int) -> dict[str, Any]:
        iss = self._repo(owner_repo).issues[number]
        return render.issue(self.state, iss)

    def comments(self, owner_repo: str, number: int) -> list[dict[str, Any]]:
        iss = self._repo(owner_repo).issues[number]
        return [render.comment(self.state, self.state.comments[c]) for c in iss.comment_ids]

    def add_file(self, owner_repo: str, path: str, text: str, branch: str | None = None) -> None:
        repo = self._repo(owner_repo)
        files = repo.branches.setdefault(branch or repo.default_branch, {})
        files[path] = File(path=path, text=text)
        repo.updated_at = self.state.now()

    def set_permission(self, owner_repo: str, login: str, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"role must be one of {ROLES}")
        repo = self._repo(owner_repo)
        self.state.user(login)
        for key in [k for k in repo.collaborators if k.lower() == login.lower()]:
            del repo.collaborators[key]
        if role != "none":
            repo.collaborators[login] = role

    def delete_issue(self, owner_repo: str, number: int, by: str) -> None:
        """Delete an issue as an admin does in the UI (no REST endpoint): GET then answers 410."""
        repo = self._repo(owner_repo)
        iss = repo.issues[number]
        actor = Actor(kind="user", login=by)
        notify(self.state, repo, actor, "issues", "deleted", issue=iss)
        iss.deleted = True

    def submit_issue_form(
        self,
        owner_repo: str,
        login: str,
        template: str,
        answers: dict[str, Any] | None = None,
        *,
        title: str | None = None,
    ) -> dict[str, Any]:
        """A person files an issue form in the web UI (no REST endpoint does this).

        ``template`` is a file name in ``.github/ISSUE_TEMPLATE`` of the default branch (or a
        path); ``answers`` are keyed by element id or label (see ``forms.submit``). The form's
        labels are applied whoever submits, as long as they exist in the repository; its
        assignees only if they can be assigned. Raises ``FormError`` where the page would
        not submit, ``ApiError`` where GitHub would refuse (no access, content limit).
        Returns the issue as the REST API shows it.
        """
        world = self.state
        repo = self._repo(owner_repo)
        path = template if "/" in template else f"{forms.TEMPLATE_DIR}/{template}"
        found = repo.files.get(path)
        if found is None:
            raise forms.FormError(f"{owner_repo} has no issue form {path}")
        world.user(login)
        actor = Actor(kind="user", login=login)
        if not can_see(world, actor, repo):
            raise ApiError(404, "Not Found")
        sub = forms.submit(found.text, answers or {}, title=title, public=not repo.private)
        labels = [lb.name for name in sub.labels if (lb := repo.labels.get(name.lower())) is not None]
        people = [a for a in sub.assignees if assignable(world, repo, a)]
        limits = self._server.content_limits
        now = world.now().timestamp()
        limits.check(actor.label, now)
        iss = open_issue(world, repo, actor, title=sub.title, text=sub.body, labels=labels, assignees=people)
        limits.count(actor.label, now)
        return render.issue(world, iss)

    @property
    def latency_ms(self) -> float:
        """Milliseconds each API request waits before it is answered (0: none)."""
        return self._server.latency_ms

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        self._server.latency_ms = max(0.0, float(value))

    @property
    def content_limits(self) -> ContentLimits:
        """GitHub's 80-a-minute / 500-an-hour content-creation limit: ``enable()`` it."""
        return self._server.content_limits

    def workflow_token(self, owner_repo: str, permissions: dict[str, str] | None = None) -> str:
        """A GITHUB_TOKEN for a workflow run in `owner_repo`, acting as github-actions[bot]."""
        repo = self._repo(owner_repo)
        granted = WORKFLOW_PERMISSIONS if permissions is None else permissions
        return new_workflow_token(self.state, repo.full_name, granted).token

    def register_manifest_code(self, manifest: dict[str, Any]) -> str:
        """What GitHub does when a person confirms a manifest: a one-time, one-hour code."""
        return manifest_code(self.state, manifest)


__all__ = ["ApiError", "Sandbox", "WorkflowEvent"]
