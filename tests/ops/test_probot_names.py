"""A Probot app's settings work as they are: its names, its .env, and a line saying where we listen."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from app.sandbox import Sandbox
from app.settings import (
    ALIASES,
    CREDENTIALS,
    SettingsError,
    environment,
    from_env,
    looked_for,
    unconfigured,
)
from tests.keys import SECRET, private_key_pem, public_key_pem

PROBOT = {"APP_ID": "7", "PRIVATE_KEY": private_key_pem(), "WEBHOOK_SECRET": SECRET}
SETTING_NAMES = (*CREDENTIALS, *ALIASES.values(), "GITHUB_API_URL", "PORT", "LOG_FORMAT")


def probot_dotenv() -> str:
    """What Probot's setup writes: the PEM quoted, over several lines."""
    return f'WEBHOOK_PROXY_URL=https://smee.io/abc\nAPP_ID=7\nPRIVATE_KEY="{private_key_pem()}"\nWEBHOOK_SECRET={SECRET}\n'


def test_probot_names_are_read() -> None:
    settings = from_env(PROBOT)
    assert (settings.app_id, settings.webhook_secret) == ("7", SECRET)
    assert settings.private_key == private_key_pem()


def test_the_github_name_wins_when_both_are_set(tmp_path: Path) -> None:
    both = {**PROBOT, "GITHUB_APP_ID": "8", "GITHUB_WEBHOOK_SECRET": "the other secret"}
    settings = from_env(both)
    assert (settings.app_id, settings.webhook_secret) == ("8", "the other secret")
    # An empty GITHUB_ name counts as not set.
    assert from_env({**PROBOT, "GITHUB_APP_ID": " "}).app_id == "7"
    # The key itself wins over a path to it, whatever the names.
    pem = tmp_path / "other.pem"
    pem.write_text("not used")
    assert from_env({**PROBOT, "GITHUB_PRIVATE_KEY_PATH": str(pem)}).private_key == private_key_pem()


def test_private_key_path_and_a_base64_key(tmp_path: Path) -> None:
    pem = tmp_path / "app.pem"
    pem.write_text(private_key_pem())
    by_path = {"APP_ID": "7", "WEBHOOK_SECRET": SECRET, "PRIVATE_KEY_PATH": str(pem)}
    assert from_env(by_path).private_key == private_key_pem()
    encoded = base64.b64encode(private_key_pem().encode()).decode()
    assert from_env({**PROBOT, "PRIVATE_KEY": encoded}).private_key == private_key_pem()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({**PROBOT, "APP_ID": "seven"}, "APP_ID must be a number"),
        ({"WEBHOOK_SECRET": SECRET}, "GITHUB_APP_ID is not set (nor Probot's APP_ID)"),
        (
            {"APP_ID": "7", "WEBHOOK_SECRET": SECRET},
            "GITHUB_PRIVATE_KEY is not set (nor Probot's PRIVATE_KEY)",
        ),
        ({**PROBOT, "PRIVATE_KEY": "junk"}, "PRIVATE_KEY is not a PEM RSA private key"),
        ({**PROBOT, "PRIVATE_KEY": "", "PRIVATE_KEY_PATH": "/nowhere.pem"}, "PRIVATE_KEY_PATH: cannot read"),
        ({**PROBOT, "WEBHOOK_SECRET": ""}, "GITHUB_WEBHOOK_SECRET is not set (nor Probot's WEBHOOK_SECRET)"),
    ],
)
def test_errors_name_the_setting_as_it_was_written(env: dict[str, str], says: str) -> None:
    with pytest.raises(SettingsError) as caught:
        from_env(env)
    assert says in str(caught.value) and "\n" not in str(caught.value)
    assert SECRET not in str(caught.value)


def test_any_probot_name_means_configured() -> None:
    assert unconfigured({})
    for name in ALIASES.values():
        assert not unconfigured({name: "x"}), name
    assert looked_for() == (
        "GITHUB_APP_ID, GITHUB_PRIVATE_KEY, GITHUB_PRIVATE_KEY_PATH, GITHUB_WEBHOOK_SECRET "
        "(or Probot's APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH, WEBHOOK_SECRET)"
    )


def test_probots_dotenv_with_a_quoted_multi_line_key_loads(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(probot_dotenv())
    values = environment({}, path)
    assert values["PRIVATE_KEY"] == private_key_pem()  # newlines kept, quotes gone
    assert from_env(values).app_id == "7"


async def read_until(stream: asyncio.StreamReader, pattern: str, seen: list[str]) -> re.Match[str]:
    while True:
        raw = await asyncio.wait_for(stream.readline(), 20)
        if not raw:
            raise AssertionError("the server stopped:\n" + "".join(seen))
        seen.append(raw.decode())
        found = re.search(pattern, json.loads(raw)["message"])
        if found:
            return found


async def test_serve_with_a_probot_dotenv_says_where_it_listens_and_handles_deliveries(
    tmp_path: Path,
) -> None:
    (tmp_path / ".env").write_text(probot_dotenv())
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    async with Sandbox(app_id=7, app_public_key_pem=public_key_pem(), webhook_secret=SECRET) as sandbox:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", "0",
            cwd=tmp_path, stderr=asyncio.subprocess.PIPE,
            env={**env, "GITHUB_API_URL": sandbox.base_url, "LOG_FORMAT": "json"},
        )  # fmt: skip
        assert server.stderr is not None
        seen: list[str] = []
        try:
            found = await read_until(server.stderr, r"^listening on http://127\.0\.0\.1:(\d+) ", seen)
            port = int(found.group(1))
            assert found.string == (
                f"listening on http://127.0.0.1:{port} "
                f"(app id 7, GitHub API {sandbox.base_url}, webhook POST /webhook)"
            )
            async with (
                aiohttp.ClientSession() as http,
                http.get(f"http://127.0.0.1:{port}/healthz") as health,
            ):
                assert health.status == 200
            # The key and the secret from Probot's names work: a delivery is verified and handled.
            sandbox.webhook_url = f"http://127.0.0.1:{port}/webhook"
            status, _ = await sandbox.user("alice").post(
                "/repos/acme/web/issues", json={"title": "Down", "labels": ["incident"]}
            )
            assert status == 201
            await sandbox.settle()
            for _ in range(400):
                if any("incident-bot:summary" in c["body"] for c in sandbox.comments("acme/web", 1)):
                    break
                await asyncio.sleep(0.05)
        finally:
            server.send_signal(signal.SIGTERM)
            rest = await asyncio.wait_for(server.stderr.read(), 30)
            await asyncio.wait_for(server.wait(), 30)
        output = "".join(seen) + rest.decode()
        assert any("incident-bot:summary" in c["body"] for c in sandbox.comments("acme/web", 1)), output
        assert SECRET not in output and private_key_pem().splitlines()[1] not in output
