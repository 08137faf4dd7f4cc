"""GitHub App endpoints: /app, installations, installation tokens, manifest conversion."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .. import render
from ..auth import new_token
from ..errors import ApiError, not_found
from ..http import Ctx, Reply, Router

router = Router()


def require_jwt(ctx: Ctx) -> None:
    if ctx.actor.kind != "app":
        # GitHub's answer to anything but a valid app JWT on these endpoints.
        raise ApiError(401, "A JSON web token could not be decoded")


@router.add("GET", "/app")
async def get_app(ctx: Ctx) -> Reply:
    require_jwt(ctx)
    return Reply(body=render.app(ctx.world))


@router.add("GET", "/app/installations")
async def list_installations(ctx: Ctx) -> Reply:
    require_jwt(ctx)
    items = [render.installation(ctx.world, i) for i in ctx.world.installations.values()]
    return Reply(body=items, paginate=True)


@router.add("GET", "/repos/{owner}/{repo}/installation")
async def repo_installation(ctx: Ctx) -> Reply:
    require_jwt(ctx)
    repo = ctx.world.repo(ctx.params["owner"], ctx.params["repo"])
    if repo is None or repo.installation_id not in ctx.world.installations:
        raise not_found()
    assert repo.installation_id is not None
    return Reply(body=render.installation(ctx.world, ctx.world.installations[repo.installation_id]))


@router.add("GET", "/users/{username}/installation")
async def user_installation(ctx: Ctx) -> Reply:
    """The installation on an account, a user's or (as GitHub also answers) an organisation's:
    https://docs.github.com/rest/apps/apps#get-a-user-installation-for-the-authenticated-app"""
    require_jwt(ctx)
    login = ctx.params["username"].lower()
    for inst in ctx.world.installations.values():
        if inst.account.lower() == login:
            return Reply(body=render.installation(ctx.world, inst))
    raise not_found()


@router.add("POST", "/app/installations/{installation_id}/access_tokens")
async def create_token(ctx: Ctx) -> Reply:
    require_jwt(ctx)
    inst = ctx.world.installations.get(ctx.param_int("installation_id"))
    if inst is None:
        raise not_found()
    body = ctx.body or {}
    perms = dict(ctx.world.app.permissions)
    wanted: dict[str, Any] = body.get("permissions") or {}
    for name, level in wanted.items():
        # A token can be narrowed, never widened beyond what the app was granted.
        if name not in perms or (perms[name] == "read" and level != "read"):
            raise ApiError(422, "The permissions requested are not granted to this installation.")
    if wanted:
        perms = dict(wanted)
    tok = new_token(ctx.world, inst.id)
    return Reply(
        201,
        {
            "token": tok.token,
            "expires_at": render.ts(tok.expires_at),
            "permissions": perms,
            "repository_selection": inst.repository_selection,
        },
    )


@router.add("POST", "/app-manifests/{code}/conversions")
async def convert_manifest(ctx: Ctx) -> Reply:
    world = ctx.world
    entry = world.manifest_codes.pop(ctx.params["code"], None)
    if entry is None or entry[1] < world.now():
        raise not_found()
    manifest = entry[0]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    secret = secrets.token_hex(20)
    app = world.app
    # The converted app *is* the sandbox's app from now on: its key signs JWTs, its
    # secret signs deliveries and its hook URL receives them.
    app.name = str(manifest.get("name") or app.name)
    app.public_key_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    hook = manifest.get("hook_attributes") or {}
    ctx.queue.secret = secret
    if hook.get("url") and hook.get("active", True):
        ctx.queue.url = str(hook["url"])
    if manifest.get("default_permissions"):
        app.permissions = dict(manifest["default_permissions"])
    if manifest.get("default_events"):
        app.events = tuple(manifest["default_events"])
    body = render.app(world)
    body.update(
        {
            "client_id": app.client_id,
            "client_secret": secrets.token_hex(20),
            "webhook_secret": secret,
            "pem": pem,
        }
    )
    return Reply(201, body)


def manifest_code(world: Any, manifest: dict[str, Any]) -> str:
    code = secrets.token_hex(10)
    world.manifest_codes[code] = (manifest, world.now() + dt.timedelta(hours=1))
    return code
