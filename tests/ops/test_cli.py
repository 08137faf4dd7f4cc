"""`python -m app serve` with no settings starts in setup mode; partial settings stop it."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from app.cli.main import main
from app.settings import ALIASES, CREDENTIALS

WITHOUT_CREDENTIALS = {k: v for k, v in os.environ.items() if k not in {*CREDENTIALS, *ALIASES.values()}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_no_settings_at_all_serves_registration(tmp_path: Path) -> None:
    port = free_port()
    stderr = tmp_path / "stderr"
    with stderr.open("wb") as err:
        server = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port),
            cwd=tmp_path, env={**WITHOUT_CREDENTIALS, "LOG_FORMAT": "json"}, stderr=err,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            for _ in range(200):
                try:
                    async with http.get(f"{base}/healthz") as health:
                        assert health.status == 200
                        break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError(stderr.read_text())
            async with http.get(f"{base}/setup") as page:
                assert page.status == 200 and "Register on GitHub" in await page.text()
            async with http.post(f"{base}/webhook", data=b"{}") as hook:
                assert hook.status == 503
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), 10)
    first = json.loads(stderr.read_text().splitlines()[0])
    assert first["message"] == (
        "not configured: none of GITHUB_APP_ID, GITHUB_PRIVATE_KEY, GITHUB_PRIVATE_KEY_PATH, "
        "GITHUB_WEBHOOK_SECRET (or Probot's APP_ID, PRIVATE_KEY, PRIVATE_KEY_PATH, WEBHOOK_SECRET) "
        f"is set in the environment or in {tmp_path / '.env'}; "
        f"open http://127.0.0.1:{port}/setup to register the GitHub App"
    )
    assert not (tmp_path / ".env").exists()


@pytest.mark.parametrize(
    ("env", "dotenv", "says"),
    [
        ({"GITHUB_APP_ID": "12"}, "", "GITHUB_PRIVATE_KEY is not set"),
        ({}, "GITHUB_WEBHOOK_SECRET=s\n", "GITHUB_APP_ID is not set"),
        ({}, "GITHUB_APP_ID=12 x\n", "GITHUB_APP_ID must be a number"),
        ({}, "not a line\n", ".env line 1: expected KEY=VALUE"),
        ({"LOG_FORMAT": "xml"}, "", "LOG_FORMAT must be json or text"),
        ({"PUBLIC_URL": "bot.example.com"}, "", "PUBLIC_URL must be an http(s) URL"),
    ],
)
def test_partial_or_bad_settings_stop_with_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    env: dict[str, str],
    dotenv: str,
    says: str,
) -> None:
    for name in (*CREDENTIALS, *ALIASES.values(), "LOG_FORMAT", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if dotenv:
        (tmp_path / ".env").write_text(dotenv)
    monkeypatch.chdir(tmp_path)
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("incident-bot: ") and says in err
