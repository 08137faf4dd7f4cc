"""The app's GitHub client against the sandbox, over real HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from gidgethub import BadRequest, GitHubBroken

from app.core.clock import Clock
from app.github.client import GitHubApp
from app.sandbox import Sandbox, conforms
from tests.common import FAST_RETRIES, T0
from tests.keys import SECRET, private_key_pem, public_key_pem

REPO = {"owner": "acme", "repo": "web"}


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[Sandbox]:
    sb = Sandbox(app_id=1, app_public_key_pem=public_key_pem(), webhook_secret=SECRET, clock=clock)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def github(sandbox: Sandbox, clock: Clock) -> AsyncIterator[GitHubApp]:
    async with aiohttp.ClientSession() as session:
        yield GitHubApp(
            session,
            app_id="1",
            private_key=private_key_pem(),
            api_url=sandbox.base_url,
            policy=FAST_RETRIES,
            clock=lambda: clock().timestamp(),
        )


def token_requests(sandbox: Sandbox) -> int:
    return sum(1 for r in sandbox.requests if r.path.endswith("/access_tokens"))


async def test_app_jwt_is_accepted(github: GitHubApp) -> None:
    app = await github.app.getitem("/app")
    assert app["slug"] == "incident-bot"


async def test_a_burst_of_requests_costs_one_token(github: GitHubApp, sandbox: Sandbox) -> None:
    gh = github.installation(100)
    repos = await asyncio.gather(*(gh.getitem("/repos/{owner}/{repo}", REPO) for _ in range(20)))
    assert {r["full_name"] for r in repos} == {"acme/web"}
    assert token_requests(sandbox) == 1
    assert github.tokens.requests == 1


async def test_token_is_renewed_before_it_expires(github: GitHubApp, sandbox: Sandbox, clock: Clock) -> None:
    gh = github.installation(100)
    await gh.getitem("/repos/{owner}/{repo}", REPO)
    clock.advance(minutes=50)
    await gh.getitem("/repos/{owner}/{repo}/labels", REPO)
    assert token_requests(sandbox) == 1  # still good for ten minutes: reused
    clock.advance(minutes=6)
    await gh.getitem("/repos/{owner}/{repo}/labels", REPO)
    assert token_requests(sandbox) == 2  # within five minutes of expiry: renewed


async def test_repeated_reads_are_conditional(github: GitHubApp, sandbox: Sandbox) -> None:
    gh = github.installation(100)
    first = await gh.getitem("/repos/{owner}/{repo}", REPO)
    second = await gh.getitem("/repos/{owner}/{repo}", REPO)
    assert first == second
    reads = [r for r in sandbox.requests if r.path == "/repos/acme/web"]
    assert [r.status for r in reads] == [200, 304]


async def test_server_errors_are_retried(github: GitHubApp, sandbox: Sandbox) -> None:
    sandbox.faults.add(method="GET", path=r"^/repos/acme/web$", status=502, times=2)
    repo = await github.installation(100).getitem("/repos/{owner}/{repo}", REPO)
    assert repo["name"] == "web"
    statuses = [r.status for r in sandbox.requests if r.path == "/repos/acme/web"]
    assert statuses == [502, 502, 200]


async def test_retries_stop_after_their_bound(github: GitHubApp, sandbox: Sandbox) -> None:
    sandbox.faults.add(method="GET", path=r"^/repos/acme/web$", status=503, times=100)
    with pytest.raises(GitHubBroken):
        await github.installation(100).getitem("/repos/{owner}/{repo}", REPO)
    attempts = [r for r in sandbox.requests if r.path == "/repos/acme/web"]
    assert len(attempts) == FAST_RETRIES.attempts


async def test_secondary_rate_limit_waits_for_retry_after(github: GitHubApp, sandbox: Sandbox) -> None:
    sandbox.faults.secondary_rate_limit(retry_after=1, method="POST", path=r"/comments$")
    started = time.monotonic()
    comment = await github.installation(100).post(
        "/repos/{owner}/{repo}/issues/{number}/comments",
        {**REPO, "number": await _issue(sandbox)},
        data={"body": "hello"},
    )
    assert time.monotonic() - started >= 1.0  # no request before retry-after had passed
    assert comment["body"] == "hello"
    posts = [r.status for r in sandbox.requests if r.method == "POST" and r.path.endswith("/comments")]
    assert posts == [403, 201]


async def test_primary_rate_limit_waits_until_reset(github: GitHubApp, sandbox: Sandbox) -> None:
    sandbox.faults.primary_rate_limit(reset_in=1, method="GET", path=r"^/repos/acme/web$")
    started = time.monotonic()
    await github.installation(100).getitem("/repos/{owner}/{repo}", REPO)
    assert time.monotonic() - started >= 1.0


async def test_a_real_forbidden_is_not_retried(github: GitHubApp, sandbox: Sandbox) -> None:
    sandbox.faults.add(
        method="GET",
        path=r"^/repos/acme/web$",
        status=403,
        times=5,
        body={"message": "Resource not accessible by integration"},
    )
    with pytest.raises(BadRequest):
        await github.installation(100).getitem("/repos/{owner}/{repo}", REPO)
    assert len([r for r in sandbox.requests if r.path == "/repos/acme/web"]) == 1


async def test_requests_conform_to_githubs_api(github: GitHubApp, sandbox: Sandbox) -> None:
    gh = github.installation(100)
    number = await _issue(sandbox)
    await gh.post(
        "/repos/{owner}/{repo}/issues/{number}/labels",
        {**REPO, "number": number},
        data={"labels": ["incident"]},
    )
    app_requests = [r for r in sandbox.requests if r.actor != "user:alice"]
    assert app_requests
    for r in app_requests:
        assert conforms(r.method, r.path, r.body) is None, (r.method, r.path)


async def _issue(sandbox: Sandbox) -> int:
    status, issue = await sandbox.user("alice").post("/repos/acme/web/issues", json={"title": "t"})
    assert status == 201
    return int(issue["number"])


async def test_every_command_builds_the_app_from_the_same_settings() -> None:
    from dataclasses import replace

    from app.settings import from_env

    settings = replace(
        from_env(
            {"GITHUB_APP_ID": "7", "GITHUB_PRIVATE_KEY": private_key_pem(), "GITHUB_WEBHOOK_SECRET": "s"}
        ),
        cache_mb=3,
        api_url="http://127.0.0.1:9",
    )
    async with aiohttp.ClientSession() as session:
        app = GitHubApp.from_settings(session, settings)
        assert app.etags.maxsize == 3 * 2**20  # GITHUB_CACHE_MB reaches serve, sweep and report alike
        assert app.api_url == "http://127.0.0.1:9"
