"""Memory stays flat: every cache the server keeps has a bound, and per-delivery state is forgotten.

`python bench/soak.py` measures the whole server; these pin each bound so a change that
drops one fails here, not weeks later in production.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import cachetools
import pytest
from gidgethub import sansio
from gidgethub.routing import Router

from app.core.clock import Clock
from app.github.client import ENTRY_OVERHEAD, EtagCache, GitHubApp
from app.sandbox import Sandbox
from app.service.processor import SEEN_MAX, Processor
from app.service.services import Services
from app.settings import SettingsError, from_env
from app.web.statuspage.source import StatusPages
from tests.common import FAST_RETRIES, T0
from tests.keys import SECRET, private_key_pem, public_key_pem
from tests.server.test_processor import delivery

REPO = {"owner": "acme", "repo": "web"}


CLOCK = Clock(T0)  # the sandbox checks the app's JWTs against its own clock: share one


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    sb = Sandbox(app_id=1, app_public_key_pem=public_key_pem(), webhook_secret=SECRET, clock=CLOCK)
    await sb.start()
    yield sb
    await sb.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def github_app(session: aiohttp.ClientSession, sandbox: Sandbox, **kwargs: Any) -> GitHubApp:
    return GitHubApp(
        session,
        app_id="1",
        private_key=private_key_pem(),
        api_url=sandbox.base_url,
        policy=FAST_RETRIES,
        clock=lambda: CLOCK().timestamp(),
        **kwargs,
    )


async def test_the_processor_forgets_each_issue_once_its_deliveries_are_done() -> None:
    router = Router()

    @router.register("issues")
    async def handler(event: sansio.Event, *args: Any) -> None:
        await asyncio.sleep(0)

    processor = Processor(router, lambda d: (), workers=4)
    processor.start()
    for n in range(300):
        processor.accept(delivery(n, issue=n % 50))  # several deliveries per issue, overlapping
    await processor.wait_idle()
    assert processor.stats.processed == 300
    assert processor._waiting == {} and processor._running == set() and not processor._ready
    await processor.drain(1)


def test_the_delivery_id_memory_is_bounded_in_size_and_time() -> None:
    processor = Processor(Router(), lambda d: ())
    assert processor._seen.maxsize == SEEN_MAX == 50_000 and processor._seen.ttl == 3600
    for n in range(SEEN_MAX + 10):
        processor._seen[f"d-{n}"] = True
    assert len(processor._seen) == SEEN_MAX and "d-0" not in processor._seen


def test_the_etag_cache_is_bounded_by_bytes_not_entries() -> None:
    cache = EtagCache(10_000)
    for n in range(20):
        url = f"/repos/acme/web/issues/{n}/events"
        cache.announce(url, 2_000)
        cache[url] = ("etag", None, [{"id": n}], None)
    # Each entry counts its body, its key and the overhead: 3 fit, the oldest left first.
    per_entry = 2_000 + len("/repos/acme/web/issues/19/events") + ENTRY_OVERHEAD
    assert cache.currsize <= cache.maxsize
    assert len(cache) == 10_000 // per_entry == 4
    assert "/repos/acme/web/issues/19/events" in cache and "/repos/acme/web/issues/0/events" not in cache


def test_an_answer_larger_than_the_budget_is_not_kept_and_drops_its_stale_copy() -> None:
    cache = EtagCache(10_000)
    cache.announce("/big", 100)
    cache["/big"] = ("v1", None, [], None)
    cache.announce("/big", 50_000)
    cache["/big"] = ("v2", None, [], None)  # cachetools would raise "value too large"
    assert "/big" not in cache and cache.currsize == 0


def test_an_entry_stored_without_an_announcement_is_measured() -> None:
    cache = EtagCache(100_000)
    data = [{"body": "x" * 5_000}]
    cache["/comments"] = ("etag", None, data, None)
    assert cache.currsize >= len(json.dumps(data))


async def test_the_client_sizes_each_cached_answer_by_the_bytes_github_sent(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    github = github_app(session, sandbox, cache_bytes=20_000)
    gh = github.installation(100)
    for n in range(30):
        body = {"title": f"Issue {n}", "body": "b" * 500}
        await sandbox.user("alice").post("/repos/acme/web/issues", json=body)
    for n in range(1, 31):
        await gh.getitem("/repos/{owner}/{repo}/issues/{number}", {**REPO, "number": n})
    assert github.etags.currsize <= 20_000
    assert 0 < len(github.etags) < 30  # the budget, not the number of URLs, decided
    assert len(github.etags._announced) == 0  # every announcement was consumed by a store
    # A kept answer still makes the next read conditional.
    await gh.getitem("/repos/{owner}/{repo}/issues/{number}", {**REPO, "number": 30})
    last = [r.status for r in sandbox.requests if r.path == "/repos/acme/web/issues/30"]
    assert last == [200, 304]


async def test_a_request_that_succeeds_on_a_retry_leaves_no_retry_state(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    github = github_app(session, sandbox)
    gh = github.installation(100)
    for n in range(1, 6):
        await sandbox.user("alice").post("/repos/acme/web/issues", json={"title": f"Issue {n}"})
        sandbox.faults.add(path=rf"^/repos/acme/web/issues/{n}$", status=502, times=1, who="app")
    for n in range(1, 6):
        issue = await gh.getitem("/repos/{owner}/{repo}/issues/{number}", {**REPO, "number": n})
        assert issue["number"] == n  # the second try worked
    assert sum(1 for r in sandbox.requests if r.faulted) == 5
    assert len(gh._started) == 0
    assert gh._started.maxsize == 1024


async def test_every_long_lived_cache_has_a_size_bound(
    sandbox: Sandbox, session: aiohttp.ClientSession
) -> None:
    github = github_app(session, sandbox)
    services = Services.create(github)
    pages = StatusPages(lambda: services)
    caches: dict[str, cachetools.Cache[Any, Any]] = {
        "etags": github.etags,
        "clients": github._clients,
        "tokens": github.tokens._cache,
        "token locks": github.tokens._locks,
        "configs": services.configs,
        "roles": services.roles,
        "status pages": pages.pages,
        "status page installations": pages.installations,
    }
    for name, cache in caches.items():
        assert isinstance(cache, cachetools.Cache), name
        assert 0 < cache.maxsize < float("inf"), name


def test_the_etag_budget_is_a_setting() -> None:
    base = {"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": private_key_pem(), "GITHUB_WEBHOOK_SECRET": SECRET}
    assert from_env(base).cache_mb == 32
    assert from_env({**base, "GITHUB_CACHE_MB": "64"}).cache_mb == 64
    for bad in ("0", "-1", "lots"):
        with pytest.raises(SettingsError, match="GITHUB_CACHE_MB"):
            from_env({**base, "GITHUB_CACHE_MB": bad})
