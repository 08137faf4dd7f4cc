"""SIGTERM with deliveries queued: the real server process finishes them before it exits."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from app.sandbox import Sandbox
from tests.keys import SECRET, private_key_pem, public_key_pem

INCIDENTS = 100


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_healthy(url: str, log: Path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
    raise AssertionError(f"the server did not come up: {log.read_text()[-2000:]}")


async def test_sigterm_drains_the_queue_and_loses_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with Sandbox(app_public_key_pem=public_key_pem(), webhook_secret=SECRET) as sandbox:
        alice = sandbox.user("alice")
        for n in range(INCIDENTS):  # webhook_url is None: deliveries are kept, not sent
            status, _ = await alice.post(
                "/repos/acme/web/issues", json={"title": f"outage {n}", "labels": ["incident"]}
            )
            assert status == 201
        opened = [d for d in sandbox.deliveries if (d.event, d.action) == ("issues", "opened")]
        assert len(opened) == INCIDENTS

        port = free_port()
        env = {
            **os.environ,
            "GITHUB_APP_ID": "1",
            "GITHUB_PRIVATE_KEY": private_key_pem(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": sandbox.base_url,
            "PORT": str(port),
        }
        log = (tmp_path / "server.log").open("wb")
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "app",
            "serve",
            "--host",
            "127.0.0.1",
            env=env,
            stdout=log,
            stderr=log,
        )
        try:
            await wait_healthy(f"http://127.0.0.1:{port}/healthz", tmp_path / "server.log")
            async with aiohttp.ClientSession() as session:
                for d in opened:
                    async with session.post(
                        f"http://127.0.0.1:{port}/webhook", data=d.body, headers=d.headers
                    ) as response:
                        assert response.status == 202
            server.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(server.wait(), 60) == 0
        finally:
            if server.returncode is None:
                server.kill()
            log.close()

        for n in range(1, INCIDENTS + 1):
            bodies = [c["body"] for c in sandbox.comments("acme/web", n)]
            assert any("incident-bot:summary" in b for b in bodies), f"incident #{n} lost"
        output = (tmp_path / "server.log").read_text()
        assert SECRET not in output and "PRIVATE KEY" not in output
