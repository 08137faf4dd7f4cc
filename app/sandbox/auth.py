"""Authentication as GitHub does it: app JWTs (RS256), installation tokens, people's tokens.

People act with ``Authorization: token user:<login>`` (or ``Bearer``); that is the sandbox's
stand-in for a personal access token. JWT failures answer 401 with GitHub's own messages.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
import string
from typing import Any

import jwt

from .access import Actor
from .errors import ApiError, bad_credentials
from .model import ACTIONS_BOT, ACTIONS_BOT_ID, Token, User, World

# GitHub accepts JWTs whose iat/exp are up to a minute off (clock drift).
SKEW = 60
MAX_LIFETIME = 600
TOKEN_TTL = dt.timedelta(hours=1)
_ALPHABET = string.ascii_letters + string.digits


def _jwt_error(message: str) -> ApiError:
    return ApiError(401, message)


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2 and credential.startswith("eyJ")


def verify_jwt(world: World, credential: str) -> Actor:
    key = world.app.public_key_pem
    if key is None:
        # No public key configured: the sandbox cannot tell a real JWT, so it refuses all.
        raise _jwt_error("A JSON web token could not be decoded")
    try:
        header = jwt.get_unverified_header(credential)
        if header.get("alg") != "RS256":
            raise _jwt_error("A JSON web token could not be decoded")
        # Only the signature is checked here (JWS layer): the sandbox clock, not time.time(),
        # decides about iat/exp below, and `iss` may be an integer, as GitHub allows.
        raw = jwt.api_jws.PyJWS().decode(credential, key, algorithms=["RS256"])
        claims: dict[str, Any] = json.loads(raw)
        if not isinstance(claims, dict):
            raise ValueError("claims")
    except (jwt.PyJWTError, ValueError) as exc:
        raise _jwt_error("A JSON web token could not be decoded") from exc
    iss, iat, exp = claims.get("iss"), claims.get("iat"), claims.get("exp")
    if str(iss) not in (str(world.app.id), world.app.client_id):
        raise _jwt_error("'Issuer' claim ('iss') must be an Integer")
    if not isinstance(iat, int | float):
        raise _jwt_error(
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
        )
    if not isinstance(exp, int | float):
        raise _jwt_error(
            "'Expiration time' claim ('exp') must be a numeric value "
            "representing the future time at which the assertion expires"
        )
    now = world.now().timestamp()
    if iat > now + SKEW:
        raise _jwt_error(
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued"
        )
    if exp - iat > MAX_LIFETIME or exp > now + MAX_LIFETIME + SKEW:
        raise _jwt_error("'Expiration time' claim ('exp') is too far in the future")
    if exp < now - SKEW:
        raise _jwt_error(
            "'Expiration time' claim ('exp') must be a numeric value "
            "representing the future time at which the assertion expires"
        )
    return Actor(kind="app")


def new_token(world: World, installation_id: int) -> Token:
    # GitHub's installation tokens: "ghs_" and 36 alphanumerics.
    value = "ghs_" + "".join(secrets.choice(_ALPHABET) for _ in range(36))
    tok = Token(token=value, installation_id=installation_id, expires_at=world.now() + TOKEN_TTL)
    world.tokens[value] = tok
    return tok


def new_workflow_token(world: World, repository: str, permissions: dict[str, str]) -> Token:
    """A workflow run's GITHUB_TOKEN: "ghs_" like an installation token, for one repository.

    GitHub makes one per job and revokes it when the job ends (at the latest after 24 h):
    https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication
    """
    world.users.setdefault(ACTIONS_BOT, User(login=ACTIONS_BOT, id=ACTIONS_BOT_ID, type="Bot"))
    value = "ghs_" + "".join(secrets.choice(_ALPHABET) for _ in range(36))
    tok = Token(
        token=value,
        installation_id=0,
        expires_at=world.now() + dt.timedelta(hours=24),
        repository=repository.lower(),
        permissions=dict(permissions),
    )
    world.tokens[value] = tok
    return tok


def actor_from_header(world: World, header: str | None) -> Actor:
    if not header:
        return Actor(kind="anonymous")
    scheme, _, credential = header.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() not in ("token", "bearer") or not credential:
        raise bad_credentials()
    if credential.startswith("user:") and len(credential) > 5:
        login = credential[5:]
        u = world.user(login)
        assert u is not None
        return Actor(kind="user", login=u.login)
    if looks_like_jwt(credential):
        return verify_jwt(world, credential)
    tok = world.tokens.get(credential)
    if tok is None or tok.expires_at <= world.now():
        raise bad_credentials()
    if tok.repository is not None:
        return Actor(
            kind="workflow",
            login=ACTIONS_BOT,
            repository=tok.repository,
            permissions=tuple(sorted(tok.permissions.items())),
        )
    return Actor(kind="installation", login=world.app.bot_login, installation_id=tok.installation_id)
