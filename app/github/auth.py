"""GitHub App authentication: the app's JWT and per-installation access tokens.

Tokens live an hour; we keep each until shortly before it expires so a burst of
events for one installation costs one token request, and one lock per
installation makes concurrent handlers wait for the same request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from typing import Any

import cachetools
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

# GitHub accepts an `exp` at most 10 minutes after `iat`; `iat` is backdated
# 60 s for clock drift (https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app).
JWT_BACKDATE = 60
JWT_LIFETIME = 9 * 60
JWT_REFRESH_AFTER = 7 * 60
# Refresh a token this long before GitHub says it expires, so a request never
# leaves with a token that dies in flight.
TOKEN_MARGIN = dt.timedelta(minutes=5)

Clock = Callable[[], float]
TokenRequest = Callable[[str, str], Awaitable[dict[str, Any]]]


class AppJWT:
    """The app's JWT, signed RS256, re-signed before it expires."""

    def __init__(self, app_id: str, private_key: str, *, clock: Clock = time.time) -> None:
        self._app_id = app_id
        # Parsed once: PyJWT would parse the PEM on every signature (~30 ms of CPU that
        # blocks the event loop, and so every acknowledgement waiting behind it).
        key = serialization.load_pem_private_key(private_key.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError("a GitHub App's private key is an RSA key")
        self._key = key
        self._clock = clock
        self._token = ""
        self._refresh_at = 0.0

    def __repr__(self) -> str:
        return f"AppJWT(app_id={self._app_id!r})"

    def __call__(self) -> str:
        now = self._clock()
        if not self._token or now >= self._refresh_at:
            issued = int(now) - JWT_BACKDATE
            claims = {"iat": issued, "exp": issued + JWT_LIFETIME, "iss": self._app_id}
            self._token = jwt.encode(claims, self._key, algorithm="RS256")
            self._refresh_at = now + JWT_REFRESH_AFTER
        return self._token


def _expires_at(token: dict[str, Any]) -> float:
    stamp = str(token.get("expires_at", ""))
    try:
        return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0  # unparseable: use it for this request only


class InstallationTokens:
    """Installation access tokens, cached per installation until near expiry."""

    def __init__(
        self,
        request: TokenRequest,
        *,
        clock: Clock = time.time,
        maxsize: int = 10_000,
    ) -> None:
        # `request(installation_id, jwt)` performs the POST; injected so the
        # retrying client is used and tests can count calls.
        self._request = request
        self._clock = clock
        self._cache: cachetools.TLRUCache[str, tuple[str, float]] = cachetools.TLRUCache(
            maxsize=maxsize,
            ttu=lambda _key, value, now: value[1] - TOKEN_MARGIN.total_seconds(),
            timer=clock,
        )
        self._locks: cachetools.LRUCache[str, asyncio.Lock] = cachetools.LRUCache(maxsize)
        self.requests = 0  # how many tokens were fetched: read by metrics and tests
        self.hits = 0

    async def token(self, installation_id: int | str, app_jwt: str) -> str:
        key = str(installation_id)
        cached = self._cache.get(key)
        if cached is not None:
            self.hits += 1
            return cached[0]
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            cached = self._cache.get(key)  # another task may have fetched it meanwhile
            if cached is not None:
                self.hits += 1
                return cached[0]
            answer = await self._request(key, app_jwt)
            self.requests += 1
            token = str(answer["token"])
            self._cache[key] = (token, _expires_at(answer))
            return token

    def forget(self, installation_id: int | str) -> None:
        """Drop a token GitHub refused (revoked, or the installation was removed)."""
        self._cache.pop(str(installation_id), None)
