"""The GitHub API client: gidgethub over aiohttp, with the manners GitHub asks for.

- retries 5xx and connection failures with exponential back-off;
- honours rate limits: `retry-after`, else `x-ratelimit-reset` when the
  primary limit is spent, else at least a minute for a secondary limit;
- gives up after a bounded number of attempts and a bounded total wait;
- caches GET answers by ETag so repeated reads are conditional (304s are free);
- authenticates each request with a fresh installation token (`GitHubApp`), or with the
  one plain token it was given (`TokenGitHub`: GitHub Actions' GITHUB_TOKEN, an App's
  installation token made by the workflow, or a person's token).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
import cachetools
from gidgethub import GitHubBroken, HTTPException
from gidgethub import aiohttp as gh_aiohttp
from gidgethub.abc import CACHE_TYPE

if TYPE_CHECKING:
    from app.github.auth import AppJWT, InstallationTokens
    from app.settings import Settings

log = logging.getLogger(__name__)

USER_AGENT = "incident-bot"
# What the ETag cache may hold, in bytes of the answers as GitHub sent them. Parsed, they
# take about 2.4x that in memory (measured on issues, comments and events lists). 32 MiB
# keeps every URL of ~380 incidents (~85 KB each: the events and comments lists dominate),
# at most ~80 MB parsed; the old bound of 4,096 entries allowed ~200 MB.
CACHE_BYTES = 32 * 2**20
ENTRY_OVERHEAD = 256  # the key, the tuple and the validators: a tiny answer still costs this
Sleep = Callable[[float], Awaitable[None]]
TokenProvider = Callable[[], Awaitable[str]]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # tries in all, the first included
    base_delay: float = 1.0  # first back-off; doubles each time
    max_delay: float = 120.0  # one wait is never longer than this
    total: float = 300.0  # give up when waiting more would pass this budget
    secondary_wait: float = 60.0  # GitHub: wait at least a minute when it says nothing


class GiveUp(Exception):
    """Retries are spent; carries the last error's one-line description."""


@dataclass
class ApiStats:
    """Calls made, by (method, status): read by metrics and benchmarks."""

    calls: Counter[tuple[str, int]]
    rate_limit_remaining: int | None = None

    @classmethod
    def new(cls) -> ApiStats:
        return cls(Counter())


def _backoff(policy: RetryPolicy, attempt: int) -> float:
    return float(min(policy.base_delay * 2 ** (attempt - 1), policy.max_delay))


def retry_wait(exc: HTTPException, attempt: int, policy: RetryPolicy, now: float) -> float | None:
    """Seconds to wait before retrying after `exc`, or None when it is not worth retrying."""
    status = int(exc.status_code)
    headers = {k.lower(): v for k, v in exc.headers.items()}
    if isinstance(exc, GitHubBroken) or status >= 500:
        return _backoff(policy, attempt)
    if status not in (403, 429):
        return None
    retry_after = headers.get("retry-after", "")
    if retry_after.isdigit():
        return float(retry_after)
    if headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset", "").isdigit():
        return max(float(headers["x-ratelimit-reset"]) - now, 0.0) + 1.0
    message = str(exc).lower()
    if status == 429 or "secondary rate limit" in message or "abuse" in message:
        return max(policy.secondary_wait, _backoff(policy, attempt))
    return None  # a real "forbidden": retrying will not help


class EtagCache(cachetools.LRUCache[str, Any]):
    """GET answers by URL, for conditional requests; bounded by bytes, not by entries.

    A count says little about memory here: a permission answer is 200 bytes, an issue's
    events list 40 KB, so 4,096 entries were anything from 1 MB to ~200 MB once parsed.
    gidgethub stores the parsed answer; the client announces the size of the raw body
    just before (`announce`), and the least recently used answers leave when the budget
    is spent. An answer larger than the whole budget is not kept (its next read is then
    unconditional), rather than raising as cachetools would.
    """

    def __init__(self, maxbytes: int) -> None:
        super().__init__(maxbytes, getsizeof=self._size)
        # url -> bytes of the answer about to be stored: popped at once by __setitem__,
        # bounded anyway so an announcement never followed by a store cannot pile up.
        self._announced: cachetools.LRUCache[str, int] = cachetools.LRUCache(256)
        self._next_size = 0

    def announce(self, url: str, nbytes: int) -> None:
        self._announced[url] = nbytes

    def __setitem__(self, key: str, value: Any) -> None:
        size = self._announced.pop(key, None)
        if size is None:  # stored by someone else than the client: measure it
            size = len(json.dumps(value, default=str).encode())
        self._next_size = size + len(key) + ENTRY_OVERHEAD
        if self._next_size > self.maxsize:
            self.pop(key, None)  # the older, smaller copy would be stale
            return
        super().__setitem__(key, value)

    def _size(self, value: Any) -> int:
        return self._next_size  # measured by __setitem__, which sees the key


class GitHubClient(gh_aiohttp.GitHubAPI):
    """One client per installation (or for the app itself), sharing one HTTP session."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        base_url: str,
        cache: CACHE_TYPE | None = None,
        token: TokenProvider | None = None,
        app_jwt: Callable[[], str] | None = None,
        policy: RetryPolicy = RetryPolicy(),
        stats: ApiStats | None = None,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(session, USER_AGENT, cache=cache, base_url=base_url)
        self._token = token
        self._jwt_source = app_jwt
        self._policy = policy
        self._stats = stats or ApiStats.new()
        self._sleep = sleep
        self._clock = clock
        # When each request being retried first went out, for the total wait budget.
        # Bounded: a request that succeeds on a retry, or whose task is cancelled while it
        # waits, never reaches the pop in handle_rate_limit_error; its time stops mattering
        # once the whole budget could have passed.
        self._started: cachetools.TTLCache[tuple[str, str], float] = cachetools.TTLCache(
            1024, policy.total + policy.max_delay, clock
        )

    async def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, Mapping[str, str], bytes]:
        headers = dict(headers)
        if self._token is not None and "authorization" not in headers:
            headers["authorization"] = f"token {await self._token()}"
        elif self._jwt_source is not None and "authorization" not in headers:
            headers["authorization"] = f"bearer {self._jwt_source()}"
        attempt = 0
        while True:
            attempt += 1
            try:
                status, response_headers, data = await self._send(method, url, headers, body)
            except (TimeoutError, aiohttp.ClientError) as exc:
                # A POST may have landed before the connection broke; repeating it
                # could double a comment, so only idempotent methods retry here.
                if method == "POST" or attempt >= self._policy.attempts:
                    raise GiveUp(f"{method} {_path(url)}: {type(exc).__name__}") from None
                await self._sleep(min(self._policy.base_delay * 2 ** (attempt - 1), 10.0))
                continue
            self._stats.calls[(method, status)] += 1
            if status < 400:
                self._started.pop((method, url), None)  # done: no budget to keep
            if (
                method == "GET"
                and status == 200
                and isinstance(self._cache, EtagCache)
                and ("etag" in response_headers or "last-modified" in response_headers)
            ):
                self._cache.announce(url, len(data))  # gidgethub stores it right after this
            remaining = response_headers.get("x-ratelimit-remaining", "")
            if remaining.isdigit():
                self._stats.rate_limit_remaining = int(remaining)
            return status, response_headers, data

    async def _send(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, Mapping[str, str], bytes]:
        # GitHub answers 301 for an issue transferred to another repository. A read may
        # follow it (the docs say to), but a write must not: aiohttp would turn a
        # redirected POST into a GET and report success. Unfollowed, it surfaces as
        # gidgethub's RedirectionException and the delivery ends as "moved".
        async with self._session.request(
            method, url, headers=headers, data=body, allow_redirects=method == "GET"
        ) as response:
            return response.status, response.headers, await response.read()

    async def sleep(self, seconds: float) -> None:
        await self._sleep(seconds)

    async def handle_rate_limit_error(
        self, *, method: str, url: str, exception: HTTPException, attempt: int
    ) -> bool:
        key = (method, url)
        now = self._clock()
        if attempt == 1:
            self._started[key] = now
        started = self._started.get(key, now)
        wait = retry_wait(exception, attempt, self._policy, now)
        spent = now - started
        if wait is None:
            self._started.pop(key, None)
            return False
        if attempt >= self._policy.attempts or spent + wait > self._policy.total:
            self._started.pop(key, None)
            log.warning(
                "giving up on %s %s after %d attempts: %s %s",
                method,
                _path(url),
                attempt,
                int(exception.status_code),
                exception,
            )
            return False
        log.info(
            "GitHub answered %s to %s %s; retrying in %.1fs",
            int(exception.status_code),
            method,
            _path(url),
            wait,
        )
        await self._sleep(wait)
        return True


def _path(url: str) -> str:
    """The URL without query string: what may be logged (no tokens ever travel in URLs)."""
    return url.split("?", 1)[0]


class GitHubApp:
    """Builds clients: one for the app (JWT) and one per installation (token)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        *,
        app_id: str,
        private_key: str,
        api_url: str,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        # Imported here: signing JWTs needs PyJWT and cryptography, which a run with a
        # plain token (`python -m app action`) never loads.
        from app.github.auth import AppJWT, InstallationTokens

        self._shared(session, api_url, policy, sleep, clock, cache_bytes)
        self.jwt: AppJWT = AppJWT(app_id, private_key, clock=clock)
        self.tokens: InstallationTokens = InstallationTokens(self._fetch_token, clock=clock)
        self._clients: cachetools.LRUCache[str, GitHubClient] = cachetools.LRUCache(1024)
        self._app_client = self._client(app_jwt=self.jwt, cache=None)

    def _shared(
        self,
        session: aiohttp.ClientSession,
        api_url: str,
        policy: RetryPolicy,
        sleep: Sleep,
        clock: Callable[[], float],
        cache_bytes: int,
    ) -> None:
        self.session = session
        self.api_url = api_url
        self.policy = policy
        self.stats = ApiStats.new()
        self._sleep = sleep
        self._clock = clock
        # ETag cache shared by all clients: a 304 proves the cached body is current.
        self.etags = EtagCache(cache_bytes)

    @classmethod
    def from_settings(cls, session: aiohttp.ClientSession, settings: Settings, **overrides: Any) -> GitHubApp:
        """The app as the settings describe it: every command that talks to GitHub builds it here."""
        values: dict[str, Any] = {
            "app_id": settings.app_id,
            "private_key": settings.private_key,
            "api_url": settings.api_url,
            "cache_bytes": settings.cache_mb * 2**20,
        }
        return cls(session, **{**values, **overrides})

    def _client(self, **kwargs: Any) -> GitHubClient:
        return GitHubClient(
            self.session,
            base_url=self.api_url,
            policy=self.policy,
            stats=self.stats,
            sleep=self._sleep,
            clock=self._clock,
            **kwargs,
        )

    async def _fetch_token(self, installation_id: str, app_jwt: str) -> dict[str, Any]:
        answer = await self._app_client.post(
            "/app/installations/{installation_id}/access_tokens",
            {"installation_id": installation_id},
            data=b"",
            jwt=app_jwt,
        )
        return dict(answer)

    @property
    def app(self) -> GitHubClient:
        """Authenticated as the app itself (JWT): for /app endpoints."""
        return self._app_client

    def installation(self, installation_id: int | str) -> GitHubClient:
        key = str(installation_id)
        client = self._clients.get(key)
        if client is None:

            async def token() -> str:
                return await self.tokens.token(key, self.jwt())

            client = self._clients[key] = self._client(token=token, cache=self.etags)
        return client


class NotAnApp(RuntimeError):
    """Something needs the App's own JWT (/app endpoints), and there is only a plain token."""


class TokenGitHub(GitHubApp):
    """GitHub through one plain token, with no App behind it: what a GitHub Actions run has.

    Every `installation()` is the same client, authenticated by the token (GitHub accepts
    `token` and `Bearer` alike); `app` refuses, since a plain token cannot sign a JWT. The
    token goes only into the Authorization header: never into a URL, a log line or an error.
    """

    def __init__(
        self,
        session: aiohttp.ClientSession,
        token: str,
        *,
        api_url: str,
        policy: RetryPolicy = RetryPolicy(),
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.time,
        cache_bytes: int = CACHE_BYTES,
    ) -> None:
        # Not GitHubApp.__init__: there is no App id or key, hence no JWT and no token minting.
        self._shared(session, api_url, policy, sleep, clock, cache_bytes)

        async def provide() -> str:
            return token

        self._token_client = self._client(token=provide, cache=self.etags)

    def __repr__(self) -> str:
        return f"TokenGitHub(api_url={self.api_url!r})"

    @property
    def app(self) -> GitHubClient:
        raise NotAnApp("this needs a GitHub App's JWT; a run with a plain token has none")

    def installation(self, installation_id: int | str) -> GitHubClient:
        return self._token_client

    @property
    def client(self) -> GitHubClient:
        """The one client (installation() answers it too, whatever the id)."""
        return self._token_client
