"""The test world: app.cli.local's sandbox + server, with the test keys and a fixed start time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.cli.local import Credentials, LocalWorld, local_world
from app.core.clock import Clock
from app.github.client import RetryPolicy
from tests.common import FAST_RETRIES, T0
from tests.keys import SECRET, private_key_pem, public_key_pem


def credentials() -> Credentials:
    return Credentials(private_key_pem(), public_key_pem(), SECRET)


@asynccontextmanager
async def world(
    seed: Any = None, *, clock: Clock | None = None, policy: RetryPolicy = FAST_RETRIES, **options: Any
) -> AsyncIterator[LocalWorld]:
    """`options` go to local_world: notification settings (`notify=`), their retry policy."""
    async with local_world(
        seed, credentials=credentials(), clock=clock or Clock(T0), policy=policy, **options
    ) as w:
        yield w
        # Whatever the test did, every request the app made must be one GitHub documents.
        assert_requests_conform(w)


def app_requests(w: LocalWorld) -> list[Any]:
    """What the app (not the people in the test) asked of the sandbox."""
    return [r for r in w.sandbox.requests if r.actor == "app" or r.actor.startswith("installation:")]


def assert_requests_conform(w: LocalWorld) -> None:
    """Every request the app made is one GitHub's REST API documents, with a body it accepts."""
    from app.sandbox import conforms

    problems = [
        f"{r.method} {r.url}: {reason}"
        for r in app_requests(w)
        if (reason := conforms(r.method, r.url, r.body)) is not None
    ]
    assert not problems, problems


def bot_comments(w: LocalWorld, repo: str, number: int) -> list[dict[str, Any]]:
    return [c for c in w.sandbox.comments(repo, number) if c["user"]["login"] == "incident-bot[bot]"]


def labels(w: LocalWorld, repo: str, number: int) -> set[str]:
    return {label["name"] for label in w.sandbox.issue(repo, number)["labels"]}


def assignees(w: LocalWorld, repo: str, number: int) -> list[str]:
    return [a["login"] for a in w.sandbox.issue(repo, number)["assignees"]]


async def open_issue(w: LocalWorld, login: str, repo: str = "acme/web", **fields: Any) -> int:
    status, issue = await w.user(login).post(f"/repos/{repo}/issues", json=fields)
    assert status == 201, (status, issue)
    await w.settle()
    return int(issue["number"])


async def comment(w: LocalWorld, login: str, number: int, body: str, repo: str = "acme/web") -> None:
    status, answer = await w.user(login).post(f"/repos/{repo}/issues/{number}/comments", json={"body": body})
    assert status == 201, (status, answer)
    await w.settle()
