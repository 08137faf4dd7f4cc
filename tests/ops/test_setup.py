"""One-click registration, offline: the sandbox plays GitHub's manifest conversion."""

from __future__ import annotations

import html
import json
import logging
import re
import stat
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient
from gidgethub.routing import Router

from app.core.clock import Clock
from app.sandbox import Sandbox
from app.settings import environment, from_env
from app.web.server import create_app
from app.web.setup import SetupConfig, create_setup_app, load_manifest, registration_url, web_url
from tests.common import T0
from tests.keys import SECRET, private_key_pem


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
async def sandbox(clock: Clock) -> AsyncIterator[Sandbox]:
    async with Sandbox(clock=clock) as box:
        yield box


@pytest.fixture
async def client(aiohttp_client: Any, sandbox: Sandbox, tmp_path: Path) -> TestClient:
    config = SetupConfig(api_url=sandbox.base_url, dotenv_path=tmp_path / ".env", manifest=load_manifest())
    return await aiohttp_client(create_setup_app(config))  # type: ignore[no-any-return]


def form_manifest(page: str) -> dict[str, Any]:
    found = re.search(r'name="manifest" value="([^"]*)"', page)
    assert found, page
    return json.loads(html.unescape(found.group(1)))  # type: ignore[no-any-return]


def form_state(page: str) -> str:
    """The `state` the form sends to GitHub, which GitHub sends back with the code."""
    found = re.search(r'<form action="([^"]*)" method="post">', page)
    assert found, page
    (state,) = parse_qs(urlsplit(html.unescape(found.group(1))).query)["state"]
    return state


async def start(client: TestClient) -> tuple[dict[str, Any], str]:
    """Open /setup in this client's browser (its cookie jar keeps the state cookie)."""
    page = await (await client.get("/setup")).text()
    return form_manifest(page), form_state(page)


@pytest.mark.parametrize(
    ("api", "web"),
    [
        ("https://api.github.com", "https://github.com"),
        ("https://ghe.example.com/api/v3", "https://ghe.example.com"),
        ("https://api.acme.ghe.com", "https://acme.ghe.com"),
        ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ],
)
def test_web_host_from_api_url(api: str, web: str) -> None:
    assert web_url(api) == web


def test_registration_url_for_a_person_or_an_organization() -> None:
    assert registration_url("https://api.github.com", None) == "https://github.com/settings/apps/new"
    assert (
        registration_url("https://ghe.example.com/api/v3", "acme")
        == "https://ghe.example.com/organizations/acme/settings/apps/new"
    )


async def test_setup_page_posts_the_manifest_with_this_servers_urls(client: TestClient) -> None:
    response = await client.get("/setup", headers={"X-Forwarded-Proto": "https", "Host": "bot.example.com"})
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = await response.text()
    assert 'name="viewport"' in page
    assert "none of GITHUB_APP_ID, " in page and "Probot&#x27;s APP_ID" in page  # what it looked for
    assert re.search(
        r'<form action="http://127\.0\.0\.1:\d+/settings/apps/new\?state=[\w-]{43}" method="post">', page
    )
    manifest = form_manifest(page)
    assert manifest["hook_attributes"]["url"] == "https://bot.example.com/webhook"
    assert manifest["redirect_url"] == "https://bot.example.com/setup/callback"
    assert manifest["default_events"] == load_manifest()["default_events"]


async def test_public_url_names_the_webhook_and_the_callback_comes_home(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    config = SetupConfig(
        "https://api.github.com", tmp_path / ".env", load_manifest(), public_url="https://bot.example.com"
    )
    client = await aiohttp_client(create_setup_app(config))
    page = await (await client.get("/setup")).text()
    manifest = form_manifest(page)
    assert manifest["hook_attributes"]["url"] == "https://bot.example.com/webhook"
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/setup/callback", manifest["redirect_url"])
    assert 'action="https://github.com/settings/apps/new?state=' in page
    assert "GitHub cannot send webhooks" not in page


async def test_setup_page_for_an_organization(client: TestClient) -> None:
    page = await (await client.get("/setup?org=acme-corp")).text()
    assert re.search(
        r'action="http://127\.0\.0\.1:\d+/organizations/acme-corp/settings/apps/new\?state=', page
    )
    bad = await client.get("/setup", params={"org": "<script>"})
    assert bad.status == 400
    assert "<script>" not in await bad.text()


async def test_a_local_address_gets_a_warning(client: TestClient) -> None:
    page = await (await client.get("/setup")).text()
    assert "GitHub cannot send webhooks to this address" in page


async def test_registration_writes_a_private_env_that_configures_the_server(
    client: TestClient, sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    (tmp_path / ".env").write_text("# kept\nLOG_FORMAT=text\n")
    manifest, state = await start(client)
    code = sandbox.register_manifest_code(manifest)  # the person confirmed on GitHub

    response = await client.get("/setup/callback", params={"code": code, "state": state})

    page = await response.text()
    assert response.status == 200, page
    assert "Restart the server" in page and "App ID 1" in page
    assert "/installations/new" in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    path = tmp_path / ".env"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = environment({}, path)
    assert values["LOG_FORMAT"] == "text" and path.read_text().startswith("# kept\n")
    secret, key = values["GITHUB_WEBHOOK_SECRET"], values["GITHUB_PRIVATE_KEY"]
    assert "\n" not in key and key.startswith("-----BEGIN PRIVATE KEY-----\\n")
    settings = from_env(values)  # the .env is a complete, valid configuration
    assert settings.app_id == "1" and settings.webhook_secret == sandbox.webhook_secret == secret
    assert sandbox.webhook_url == manifest["hook_attributes"]["url"]
    body = key.split("\\n")[1]
    for text in (page, caplog.text):
        assert secret not in text and body not in text
    # One registration per process: a second code is not exchanged.
    again = await client.get("/setup/callback", params={"code": sandbox.register_manifest_code(manifest)})
    assert again.status == 409 and "Restart the server" in await again.text()
    assert (await client.get("/setup")).status == 409


@pytest.mark.parametrize("expire", [False, True])
async def test_unknown_or_expired_code_is_a_clear_page_and_writes_nothing(
    client: TestClient, sandbox: Sandbox, clock: Clock, tmp_path: Path, expire: bool
) -> None:
    if expire:
        code = sandbox.register_manifest_code(load_manifest())
        clock.advance(hours=1, seconds=1)
    else:
        code = "0123abcd"
    _, state = await start(client)
    response = await client.get("/setup/callback", params={"code": code, "state": state})
    assert response.status == 400
    assert "codes work once and expire after an hour" in await response.text()
    assert not (tmp_path / ".env").exists()


async def test_callback_without_a_code_and_when_github_is_unreachable(
    aiohttp_client: Any, tmp_path: Path
) -> None:
    config = SetupConfig("http://127.0.0.1:9", tmp_path / ".env", load_manifest())
    client = await aiohttp_client(create_setup_app(config))
    _, state = await start(client)
    missing = await client.get("/setup/callback", params={"state": state})
    assert missing.status == 400 and "No registration code" in await missing.text()
    _, state = await start(client)
    unreachable = await client.get("/setup/callback", params={"code": "abc", "state": state})
    assert unreachable.status == 502 and "Could not reach GitHub" in await unreachable.text()
    assert not (tmp_path / ".env").exists()


async def test_setup_mode_serves_health_and_refuses_webhooks(client: TestClient) -> None:
    assert (await client.get("/healthz")).status == 200
    refused = await client.post("/webhook", data=b"{}")
    assert refused.status == 503
    assert "not configured" in (await refused.json())["message"]


async def test_a_configured_server_has_no_setup_pages(aiohttp_client: Any) -> None:
    settings = from_env(
        {"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": private_key_pem(), "GITHUB_WEBHOOK_SECRET": SECRET}
    )
    client = await aiohttp_client(create_app(settings, router=Router()))
    assert (await client.get("/setup")).status == 404
    assert (await client.get("/setup/callback", params={"code": "x"})).status == 404


async def test_a_cross_site_callback_is_refused_and_registers_nothing(
    client: TestClient, sandbox: Sandbox, aiohttp_client: Any, tmp_path: Path
) -> None:
    """An attacker's page sends the browser to /setup/callback with the attacker's own code."""
    attacker_code = sandbox.register_manifest_code(load_manifest())
    _, state = await start(client)  # the person did open /setup, in their own browser
    conversions = len([r for r in sandbox.requests if "/app-manifests/" in r.url])

    forged = [
        {"code": attacker_code},  # no state at all
        {"code": attacker_code, "state": "guessed" * 6},  # a state this server never handed out
    ]
    for params in forged:
        response = await client.get("/setup/callback", params=params)
        assert response.status == 403, params
        assert "not started from this browser" in await response.text()
    # The state is right but the browser is not: another browser (no cookie) brings it back.
    other_browser = await aiohttp_client(client.server)
    response = await other_browser.get("/setup/callback", params={"code": attacker_code, "state": state})
    assert response.status == 403

    assert not (tmp_path / ".env").exists()
    assert len([r for r in sandbox.requests if "/app-manifests/" in r.url]) == conversions
    # The person's own registration still works: their state is valid, once.
    code = sandbox.register_manifest_code(load_manifest())
    assert (await client.get("/setup/callback", params={"code": code, "state": state})).status == 200
    assert (tmp_path / ".env").exists()
    assert len([r for r in sandbox.requests if "/app-manifests/" in r.url]) == conversions + 1


async def test_a_state_works_once_even_when_the_exchange_fails(client: TestClient, sandbox: Sandbox) -> None:
    _, state = await start(client)
    failed = await client.get("/setup/callback", params={"code": "0123abcd", "state": state})
    assert failed.status == 400  # GitHub did not know the code
    code = sandbox.register_manifest_code(load_manifest())
    replay = await client.get("/setup/callback", params={"code": code, "state": state})
    assert replay.status == 403 and "used already" in await replay.text()


async def test_the_state_cookie_is_http_only_lax_and_scoped_to_setup(client: TestClient) -> None:
    response = await client.get("/setup")
    cookie = response.cookies["incident_bot_setup_state"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/setup"
    assert int(cookie["max-age"]) == 3600 and not cookie["secure"]
    assert cookie.value == form_state(await response.text())
    behind_tls = await client.get("/setup", headers={"X-Forwarded-Proto": "https"})
    assert behind_tls.cookies["incident_bot_setup_state"]["secure"]
