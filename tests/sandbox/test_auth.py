"""App JWTs, installation tokens and people's tokens."""

from __future__ import annotations

import re

import aiohttp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.sandbox import Sandbox

from .conftest import Clock, call, install_token, make_jwt


async def test_get_app_with_valid_jwt(
    sb: Sandbox, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock
) -> None:
    status, body, _ = await call(http, sb, "GET", "/app", make_jwt(private_pem, clock))
    assert status == 200
    assert body["id"] == 1 and body["slug"] == "incident-bot"
    # iss given as a string is accepted too
    status, _, _ = await call(http, sb, "GET", "/app", make_jwt(private_pem, clock, iss="1"))
    assert status == 200


async def test_jwt_failures_are_401(
    sb: Sandbox, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    bad = {
        "wrong key": make_jwt(other, clock),
        "wrong iss": make_jwt(private_pem, clock, iss=2),
        "expired": make_jwt(private_pem, clock, iat=-1000, exp=-120),
        "too long": make_jwt(private_pem, clock, iat=0, exp=1200),
        "future iat": make_jwt(private_pem, clock, iat=300, exp=600),
        "hs256": make_jwt(b"secret-secret-secret-secret-secret", clock, alg="HS256"),
        "garbage": "eyJhbGciOi.x.y",
    }
    for why, token in bad.items():
        status, body, _ = await call(http, sb, "GET", "/app", token)
        assert status == 401, why
        assert body["documentation_url"] and body["status"] == "401", why


async def test_jwt_within_skew_is_accepted(
    sb: Sandbox, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock
) -> None:
    token = make_jwt(private_pem, clock, iat=-600, exp=-30)  # expired 30 s ago: within skew
    status, _, _ = await call(http, sb, "GET", "/app", token)
    assert status == 200


async def test_no_public_key_refuses_jwts(
    private_pem: bytes, clock: Clock, http: aiohttp.ClientSession
) -> None:
    sandbox = Sandbox(clock=clock)
    await sandbox.start()
    try:
        status, _, _ = await call(http, sandbox, "GET", "/app", make_jwt(private_pem, clock))
        assert status == 401
    finally:
        await sandbox.stop()


async def test_private_key_accepted_for_verification(
    private_pem: bytes, clock: Clock, http: aiohttp.ClientSession
) -> None:
    sandbox = Sandbox(clock=clock, app_public_key_pem=private_pem)
    await sandbox.start()
    try:
        status, _, _ = await call(http, sandbox, "GET", "/app", make_jwt(private_pem, clock))
        assert status == 200
    finally:
        await sandbox.stop()


async def test_installation_token_shape_and_expiry(
    sb: Sandbox, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock
) -> None:
    status, body, _ = await call(
        http, sb, "POST", "/app/installations/100/access_tokens", make_jwt(private_pem, clock)
    )
    assert status == 201
    assert re.fullmatch(r"ghs_[A-Za-z0-9]{36}", body["token"])
    assert body["expires_at"] == "2025-03-01T13:00:00Z"
    assert body["permissions"]["issues"] == "write"
    assert body["repository_selection"] == "all"
    token = body["token"]
    status, _, _ = await call(http, sb, "GET", "/repos/acme/web/issues", token)
    assert status == 200
    clock.advance(minutes=61)
    status, body, _ = await call(http, sb, "GET", "/repos/acme/web/issues", token)
    assert status == 401 and body["message"] == "Bad credentials"


async def test_token_endpoints_need_jwt(
    sb: Sandbox, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock
) -> None:
    token = await install_token(http, sb, private_pem, clock)
    for path in ("/app", "/app/installations", "/repos/acme/web/installation", "/users/acme/installation"):
        status, _, _ = await call(http, sb, "GET", path, token)
        assert status == 401, path
    status, _, _ = await call(
        http, sb, "POST", "/app/installations/999/access_tokens", make_jwt(private_pem, clock)
    )
    assert status == 404
    jwt_token = make_jwt(private_pem, clock)
    status, body, _ = await call(http, sb, "GET", "/app/installations", jwt_token)
    assert status == 200 and body[0]["id"] == 100 and body[0]["account"]["login"] == "acme"
    status, body, _ = await call(http, sb, "GET", "/repos/acme/web/installation", jwt_token)
    assert status == 200 and body["id"] == 100
    # An account's installation (GitHub answers organisations on /users/ too); none: 404.
    status, body, _ = await call(http, sb, "GET", "/users/ACME/installation", jwt_token)
    assert status == 200 and body["id"] == 100 and body["account"]["login"] == "acme"
    status, _, _ = await call(http, sb, "GET", "/users/nobody-here/installation", jwt_token)
    assert status == 404


async def test_installation_token_is_scoped(
    private_pem: bytes, public_pem: bytes, clock: Clock, http: aiohttp.ClientSession
) -> None:
    seed = {
        "installations": [{"id": 100, "account": "acme"}, {"id": 200, "account": "other"}],
        "orgs": [{"login": "acme"}, {"login": "other"}],
        "repos": [
            {"full_name": "acme/web", "installation": 100},
            {"full_name": "other/site", "installation": 200},
            {"full_name": "third/public"},
        ],
    }
    sandbox = Sandbox(seed, app_public_key_pem=public_pem, clock=clock)
    await sandbox.start()
    try:
        token = await install_token(http, sandbox, private_pem, clock, 100)
        assert (await call(http, sandbox, "GET", "/repos/acme/web", token))[0] == 200
        assert (await call(http, sandbox, "GET", "/repos/other/site", token))[0] == 404
        assert (await call(http, sandbox, "GET", "/repos/third/public", token))[0] == 404
    finally:
        await sandbox.stop()


async def test_people_tokens(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, _, _ = await call(http, sb, "GET", "/repos/acme/web", "user:mallory")
    assert status == 200  # public repo: anyone reads
    status, _, _ = await call(http, sb, "GET", "/repos/acme/web", "nonsense")
    assert status == 401
    status, body, _ = await call(
        http, sb, "GET", "/repos/acme/web/collaborators/dave/permission", "user:alice"
    )
    assert (body["permission"], body["role_name"]) == ("read", "triage")
    status, body, _ = await call(
        http, sb, "GET", "/repos/acme/web/collaborators/bob/permission", "user:alice"
    )
    assert (body["permission"], body["role_name"]) == ("write", "maintain")
    status, body, _ = await call(
        http, sb, "GET", "/repos/acme/web/collaborators/mallory/permission", "user:alice"
    )
    assert (body["permission"], body["role_name"]) == ("read", "read")  # public repo


async def test_private_repo_hidden_from_strangers(
    public_pem: bytes, clock: Clock, http: aiohttp.ClientSession
) -> None:
    seed = {
        "orgs": [{"login": "acme"}],
        "repos": [{"full_name": "acme/secret", "private": True, "collaborators": {"alice": "read"}}],
    }
    sandbox = Sandbox(seed, clock=clock)
    await sandbox.start()
    try:
        assert (await call(http, sandbox, "GET", "/repos/acme/secret", "user:alice"))[0] == 200
        assert (await call(http, sandbox, "GET", "/repos/acme/secret", "user:mallory"))[0] == 404
        assert (await call(http, sandbox, "GET", "/repos/acme/secret"))[0] == 404
    finally:
        await sandbox.stop()
