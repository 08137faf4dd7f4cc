"""Setup mode: register the GitHub App from `app.yml` in one click (Probot's manifest flow).

A server started with no credentials at all serves this instead of the webhook:

1. `GET /setup` shows a form that POSTs the manifest (`app.yml`, with this
   server's webhook and callback URLs filled in) to GitHub's "new app" page.
2. The person confirms on GitHub; GitHub sends the browser back to
   `GET /setup/callback?code=...&state=...`.
3. The server exchanges the code at `POST {api}/app-manifests/{code}/conversions`
   (no authentication: the one-hour, one-time code is the proof) and writes the
   app id, private key and webhook secret to `.env`; a restart picks them up.

Step 1 also sets a random `state`, GitHub's parameter for this: it is in the
form's URL, GitHub sends it back with the code, and it must match a cookie set on
the browser that opened /setup. Without that, any page a person visits could
send their browser to `/setup/callback?code=ATTACKER_CODE` and register the
attacker's app here (cross-site request forgery). Each state works once and for
an hour, as long as GitHub's code does.
(https://docs.github.com/apps/sharing-github-apps/registering-a-github-app-from-a-manifest)

Anyone who can reach a server in setup mode can still start a registration, as
with Probot: run it in setup mode only as long as the registration takes. One
registration per process: after it, the pages only say to restart.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import secrets
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlparse

import aiohttp
import yaml
from aiohttp import web

import app as package
from app.settings import dotenv, looked_for

log = logging.getLogger(__name__)

MANIFEST_PATH = package.shipped("app.yml")
# The fields GitHub's manifest accepts; anything else in app.yml is a mistake.
MANIFEST_FIELDS = (
    "name", "url", "hook_attributes", "redirect_url", "callback_urls", "setup_url",
    "description", "public", "default_events", "default_permissions",
    "request_oauth_on_install", "setup_on_update",
)  # fmt: skip
# GitHub logins: letters, digits and single hyphens, at most 39 characters.
ORG = re.compile(r"[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}")
CODE = re.compile(r"[A-Za-z0-9_-]{1,200}")
USER_AGENT = "incident-bot"
STATE_COOKIE = "incident_bot_setup_state"
STATE_TTL = 3600.0  # seconds: GitHub's code lasts an hour too
MAX_STATES = 50  # pages opened and not (yet) completed; the oldest go first


class ManifestError(Exception):
    """app.yml is missing or malformed; str() is one line."""


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ManifestError(f"{path}: cannot read the app manifest ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise ManifestError(f"{path}{where}: not valid YAML") from None
    if not isinstance(data, dict):
        raise ManifestError(f"{path}: the manifest must be a mapping of fields")
    unknown = sorted(set(data) - set(MANIFEST_FIELDS))
    if unknown:
        raise ManifestError(f"{path}: not a GitHub App manifest field: {', '.join(unknown)}")
    for required in ("name", "url"):
        if not isinstance(data.get(required), str) or not data[required].strip():
            raise ManifestError(f"{path}: the manifest needs a {required!r}")
    return data


def manifest_for(base: dict[str, Any], public_url: str, browser_url: str | None = None) -> dict[str, Any]:
    """The manifest as this server registers it.

    Webhooks go to `public_url`; GitHub sends the browser back to `browser_url`
    (default: the same), so registering from a laptop for a server deployed
    elsewhere works: PUBLIC_URL names the server, the callback comes home.
    """
    manifest: dict[str, Any] = json.loads(json.dumps(base))  # a deep copy: the base is shared
    hook = dict(manifest.get("hook_attributes") or {})
    hook["url"] = f"{public_url}/webhook"
    hook.setdefault("active", True)
    manifest["hook_attributes"] = hook
    manifest["redirect_url"] = f"{browser_url or public_url}/setup/callback"
    return manifest


def web_url(api_url: str) -> str:
    """GitHub's web host for an API URL: api.github.com → github.com, HOST/api/v3 → HOST."""
    parsed = urlparse(api_url.rstrip("/"))
    host, path = parsed.netloc, parsed.path
    if path.endswith("/api/v3"):
        path = path[: -len("/api/v3")]
    elif not path and host.startswith("api."):
        host = host[len("api.") :]
    return f"{parsed.scheme}://{host}{path}"


def registration_url(api_url: str, org: str | None) -> str:
    base = web_url(api_url)
    if org:
        return f"{base}/organizations/{org}/settings/apps/new"
    return f"{base}/settings/apps/new"


@dataclass
class SetupConfig:
    api_url: str
    dotenv_path: Path
    manifest: dict[str, Any]
    public_url: str | None = None  # PUBLIC_URL; else taken from the request's host


@dataclass
class _Progress:
    """Per application: one exchange at a time, only one registration, the states handed out."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    registered: str | None = None  # the app's name once registered
    states: dict[str, float] = field(default_factory=dict)  # state -> when it expires (monotonic)

    def new_state(self) -> str:
        now = time.monotonic()
        for old in [s for s, expires in self.states.items() if expires <= now]:
            del self.states[old]
        while len(self.states) >= MAX_STATES:
            del self.states[next(iter(self.states))]
        state = secrets.token_urlsafe(32)
        self.states[state] = now + STATE_TTL
        return state

    def take_state(self, given: str, cookie: str) -> bool:
        """True once for a state this server handed out, unexpired, sent back by the same browser."""
        if not given or not cookie or not secrets.compare_digest(given.encode(), cookie.encode()):
            return False
        expires = self.states.pop(given, None)
        return expires is not None and expires > time.monotonic()


CONFIG = web.AppKey("setup_config", SetupConfig)
PROGRESS = web.AppKey("setup_progress", _Progress)
SESSION = web.AppKey("setup_session", aiohttp.ClientSession)


def create_setup_app(config: SetupConfig) -> web.Application:
    """The server of a fresh install: /setup, /setup/callback, /healthz; /webhook says 503."""
    app = web.Application()
    app[CONFIG] = config
    app[PROGRESS] = _Progress()
    app.router.add_get("/", _to_setup)
    app.router.add_get("/setup", _setup)
    app.router.add_get("/setup/callback", _callback)
    app.router.add_get("/healthz", _healthz)
    app.router.add_post("/webhook", _webhook)

    async def session(app: web.Application) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            app[SESSION] = client
            yield

    app.cleanup_ctx.append(session)
    return app


def browser_url_of(request: web.Request) -> str:
    """The address the browser used, as the proxy in front (if any) reports it."""
    # Platforms such as Heroku terminate TLS and say so in X-Forwarded-Proto.
    scheme = request.headers.get("X-Forwarded-Proto", request.scheme).split(",")[0].strip()
    host = request.headers.get("X-Forwarded-Host", request.host).split(",")[0].strip()
    return f"{scheme}://{host}"


async def _to_setup(request: web.Request) -> web.Response:
    raise web.HTTPFound("/setup")


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "not configured", "queue": 0})


async def _webhook(request: web.Request) -> web.Response:
    return web.json_response(
        {"message": "not configured: register the GitHub App at /setup, then restart the server"},
        status=503,
    )


async def _setup(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    registered = request.app[PROGRESS].registered
    if registered:
        return _restart_page(registered)
    org = request.query.get("org", "").strip()
    if org and not ORG.fullmatch(org):
        return _page(
            "Not an organization name",
            "<p>An organization's login has letters, digits and single hyphens, "
            "at most 39 characters. <a href='/setup'>Start again</a>.</p>",
            status=400,
        )
    browser = browser_url_of(request)
    public = config.public_url or browser
    manifest = manifest_for(config.manifest, public, browser)
    state = request.app[PROGRESS].new_state()
    action = f"{registration_url(config.api_url, org or None)}?{urlencode({'state': state})}"
    where = f"the organization <b>{html.escape(org)}</b>" if org else "your personal account"
    warning = ""
    if urlparse(public).hostname in ("localhost", "127.0.0.1", "::1"):
        warning = (
            "<p><b>Note:</b> GitHub cannot send webhooks to this address. Open this page "
            "through the server's public address, or set <code>PUBLIC_URL</code>.</p>"
        )
    body = f"""
<p>This server has no GitHub App yet: none of {html.escape(looked_for())} is set
in its environment or in <code>{html.escape(str(config.dotenv_path))}</code>.</p>
<p>Register one for {where}: GitHub shows what
the app asks for (issues: write; contents, metadata and members: read) and lets
you change its name.</p>
<p>Webhooks will go to <code>{html.escape(public)}/webhook</code>.</p>
{warning}
<form action="{html.escape(action)}" method="post">
<input type="hidden" name="manifest" value="{html.escape(json.dumps(manifest))}">
<button type="submit">Register on GitHub</button>
</form>
<h2>For an organization</h2>
<form action="/setup" method="get">
<label>Organization <input name="org" value="{html.escape(org)}" autocapitalize="none"
 autocomplete="off" spellcheck="false"></label>
<button type="submit">Use it</button>
</form>"""
    response = _page("Register Incident Bot", body)
    # Lax: sent on the top-level GET by which GitHub brings the browser back, never on
    # another site's requests in the background.
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=int(STATE_TTL),
        path="/setup",
        httponly=True,
        samesite="Lax",
        secure=browser.startswith("https://"),
    )
    return response


async def _callback(request: web.Request) -> web.Response:
    config = request.app[CONFIG]
    progress = request.app[PROGRESS]
    if progress.registered:
        return _restart_page(progress.registered)
    if not progress.take_state(request.query.get("state", ""), request.cookies.get(STATE_COOKIE, "")):
        log.warning("setup callback refused: no valid state (not started from this browser, or used)")
        return _error(
            403,
            "This registration was not started from this browser, or its link was used already: "
            "nothing was registered or written. Start again from /setup.",
        )
    code = request.query.get("code", "")
    if not CODE.fullmatch(code):
        return _error(400, "No registration code: GitHub adds one when it sends you back here.")
    async with progress.lock:  # two clicks at once must not both write .env
        if progress.registered:
            return _restart_page(progress.registered)
        try:
            answer = await _convert(request.app[SESSION], config.api_url, code)
        except _Failed as failed:
            log.warning("registration failed: %s", failed.reason)
            return _error(failed.status, failed.reason)
        name = str(answer.get("name") or "the app")
        install = f"{answer.get('html_url') or web_url(config.api_url)}/installations/new"
        try:
            dotenv.update(
                config.dotenv_path,
                {
                    "GITHUB_APP_ID": str(answer["id"]),
                    # Written as one line; the key setting turns "\n" back into newlines.
                    "GITHUB_PRIVATE_KEY": str(answer["pem"]).strip().replace("\n", "\\n"),
                    "GITHUB_WEBHOOK_SECRET": str(answer["webhook_secret"]),
                },
            )
        except (OSError, dotenv.DotenvError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            log.error(
                "registered app id=%s but could not write %s: %s", answer["id"], config.dotenv_path, reason
            )
            return _error(
                500,
                f"{name} was registered (App ID {answer['id']}), but {config.dotenv_path} could "
                f"not be written ({reason}). On the app's settings page, generate a private key "
                "and set a webhook secret, then set the settings by hand.",
            )
        progress.registered = name
    log.info("registered GitHub App id=%s; wrote %s: restart the server", answer["id"], config.dotenv_path)
    page = _page(
        "Registered",
        f"""<p><b>{html.escape(name)}</b> is registered (App ID {int(answer["id"])}). Its
settings are in <code>{html.escape(str(config.dotenv_path))}</code>.</p>
<ol><li><b>Restart the server</b> so it reads them.</li>
<li><a href="{html.escape(install)}">Install the app</a> on your repositories.</li></ol>""",
    )
    page.del_cookie(STATE_COOKIE, path="/setup")
    return page


class _Failed(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def _convert(session: aiohttp.ClientSession, api_url: str, code: str) -> dict[str, Any]:
    url = f"{api_url}/app-manifests/{quote(code, safe='')}/conversions"
    headers = {"Accept": "application/vnd.github+json", "User-Agent": USER_AGENT}
    try:
        async with session.post(url, headers=headers) as response:
            status = response.status
            data = await response.json(content_type=None) if status == 201 else None
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        raise _Failed(502, f"Could not reach GitHub at {api_url} ({type(exc).__name__}).") from None
    if status == 404:
        raise _Failed(
            400,
            "GitHub does not know this code: codes work once and expire after an hour. "
            "Start again from /setup.",
        )
    if status != 201:
        raise _Failed(502, f"GitHub answered {status} to the code exchange; start again from /setup.")
    if not isinstance(data, dict) or not all(data.get(k) for k in ("id", "pem", "webhook_secret")):
        raise _Failed(502, "GitHub's answer lacks the app id, key or webhook secret.")
    return data


def _restart_page(name: str) -> web.Response:
    return _page(
        "Already registered",
        f"<p><b>{html.escape(name)}</b> is registered. Restart the server to use it.</p>",
        status=409,
    )


def _error(status: int, message: str) -> web.Response:
    return _page(
        "Registration failed",
        f"<p>{html.escape(message)}</p><p><a href='/setup'>Start again</a></p>",
        status=status,
    )


def _page(title: str, body: str, *, status: int = 200) -> web.Response:
    text = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;
line-height:1.5}}code{{word-break:break-all}}button,input{{font-size:1rem;padding:.5rem}}</style>
</head><body><h1>{html.escape(title)}</h1>{body}
</body></html>
"""
    # The callback's URL holds the one-time code: never send it on as a Referer, never cache.
    headers = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    return web.Response(text=text, content_type="text/html", status=status, headers=headers)
