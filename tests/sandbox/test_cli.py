"""The CLI starts, prints one line without secrets, and serves."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp

from app.sandbox.cli import parse_args


async def test_cli_serves(tmp_path: Path, public_pem: bytes) -> None:
    key = tmp_path / "key.pem"
    key.write_bytes(public_pem)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.sandbox.cli",
        "--port",
        "0",
        "--app-key-path",
        str(key),
        "--webhook-secret",
        "hush-hush",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        assert "user:alice" in line and "hush-hush" not in line and "KEY" not in line
        base = line.split("listening on ")[1].split()[0]
        async with (
            aiohttp.ClientSession() as session,
            session.get(base + "/repos/acme/web", headers={"Authorization": "token user:alice"}) as r,
        ):
            assert r.status == 200
    finally:
        proc.terminate()
        await proc.wait()


def test_cli_content_limits_flag() -> None:
    assert parse_args(["--content-limits"]).content_limits is True
    assert parse_args([]).content_limits is False
