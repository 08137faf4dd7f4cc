"""Fixtures: a started Sandbox with a controllable clock, app keys, and a webhook receiver."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.clock import Clock  # the one hand-moved clock (the sandbox takes any callable)
from app.sandbox import RecordedRequest, Sandbox
from app.sandbox.schema import response_problems
from app.sandbox.server import ANSWER_WATCHERS

SECRET = "It's a Secret to Everybody"
APP_ID = 1


@pytest.fixture(scope="session")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def private_pem(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@pytest.fixture(scope="session")
def public_pem(private_key: rsa.RSAPrivateKey) -> bytes:
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@pytest.fixture(autouse=True)
def answers_match_github_schemas() -> Iterator[None]:
    """Every answer any sandbox gives in these tests is one GitHub's OpenAPI description
    documents: the status for that operation, and a body that fits its response schema."""
    problems: list[str] = []

    def check(rec: RecordedRequest, body: Any) -> None:
        for problem in response_problems(rec.method, rec.route, rec.status, body):
            problems.append(f"{rec.method} {rec.path} -> {rec.status}: {problem}")

    ANSWER_WATCHERS.append(check)
    try:
        yield
    finally:
        ANSWER_WATCHERS.remove(check)
    assert problems == [], "\n".join(problems[:20])


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC))


def make_jwt(
    pem: bytes, clock: Clock, *, iss: Any = APP_ID, iat: int = -60, exp: int = 540, alg: str = "RS256"
) -> str:
    now = int(clock().timestamp())
    claims = json.dumps({"iat": now + iat, "exp": now + exp, "iss": iss}).encode()
    # The JWS layer, because PyJWT's encode refuses an integer `iss` (which GitHub accepts).
    return jwt.api_jws.PyJWS().encode(claims, pem, algorithm=alg)


@dataclass
class Received:
    event: str
    action: str | None
    delivery: str
    payload: dict[str, Any]
    headers: dict[str, str]
    signature_ok: bool


@dataclass
class Receiver:
    url: str = ""
    got: list[Received] = field(default_factory=list)
    status: int = 200

    def actions(self) -> list[str]:
        return [f"{r.event}.{r.action}" for r in self.got]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    rec = Receiver()

    async def hook(request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        ok = hmac.compare_digest(expected, request.headers.get("X-Hub-Signature-256", ""))
        payload = json.loads(raw)
        rec.got.append(
            Received(
                request.headers["X-GitHub-Event"],
                payload.get("action"),
                request.headers["X-GitHub-Delivery"],
                payload,
                dict(request.headers),
                ok,
            )
        )
        return web.Response(status=rec.status)

    app = web.Application()
    app.router.add_post("/webhook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    rec.url = f"http://127.0.0.1:{port}/webhook"
    yield rec
    await runner.cleanup()


@pytest.fixture
async def sb(public_pem: bytes, clock: Clock, receiver: Receiver) -> AsyncIterator[Sandbox]:
    sandbox = Sandbox(
        app_id=APP_ID,
        app_public_key_pem=public_pem,
        clock=clock,
        webhook_url=receiver.url,
        webhook_secret=SECRET,
    )
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


Call = Callable[..., Any]


async def call(
    session: aiohttp.ClientSession,
    sb: Sandbox,
    method: str,
    path: str,
    token: str | None = None,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, Any]:
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    async with session.request(method, sb.base_url + path, json=json_body, headers=hdrs) as resp:
        text = await resp.text()
        return resp.status, (json.loads(text) if text else None), resp.headers


async def install_token(
    session: aiohttp.ClientSession, sb: Sandbox, pem: bytes, clock: Clock, installation: int = 100
) -> str:
    status, body, _ = await call(
        session, sb, "POST", f"/app/installations/{installation}/access_tokens", make_jwt(pem, clock)
    )
    assert status == 201, body
    token: str = body["token"]
    return token
