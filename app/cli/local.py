"""The app and the sandbox GitHub together on loopback: for the demo and the tests.

People act through the sandbox (`world.user("alice")`); `settle()` waits until
every webhook was delivered and every handler has finished, including the
deliveries caused by the app's own changes, as on GitHub.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.core.clock import Clock
from app.github.client import GitHubApp, RetryPolicy
from app.sandbox import Sandbox
from app.service.notify import SendPolicy
from app.service.processor import Processor
from app.service.services import Services
from app.settings import NotifySettings, Settings
from app.web.server import PROCESSOR, SERVICES, create_app


@dataclass(frozen=True)
class Credentials:
    private_key: str
    public_key: str
    secret: str

    @classmethod
    def generate(cls) -> Credentials:
        """A fresh key and webhook secret: the demo needs no GitHub account."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        public = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        return cls(private, public, secrets.token_hex(20))


@dataclass
class LocalWorld:
    sandbox: Sandbox
    server: web.Application
    url: str
    clock: Clock

    @property
    def processor(self) -> Processor:
        return self.server[PROCESSOR]

    @property
    def services(self) -> Services:
        return self.server[SERVICES]

    @property
    def github(self) -> GitHubApp:
        return self.services.github

    def user(self, login: str) -> Any:
        return self.sandbox.user(login)

    async def settle(self, rounds: int = 100) -> None:
        """Until no delivery is in flight, no handler is running and no notification is
        being sent, twice in a row."""

        async def idle() -> None:
            await self.processor.wait_idle()
            await self.services.notifier.wait_idle()

        await settle_world(self.sandbox, idle, rounds)


async def settle_world(sandbox: Sandbox, idle: Callable[[], Awaitable[None]], rounds: int = 100) -> None:
    """Until the sandbox sends nothing new while the servers go idle (`idle`), twice in a row:
    a pass's writes make deliveries, whose passes may write again."""
    quiet = 0
    for _ in range(rounds):
        before = len(sandbox.deliveries)
        await sandbox.settle()
        await idle()
        await sandbox.settle()
        quiet = quiet + 1 if len(sandbox.deliveries) == before else 0
        if quiet >= 2:
            return
    raise RuntimeError("the world did not settle: deliveries keep coming")


@asynccontextmanager
async def local_world(
    seed: Any = None,
    *,
    credentials: Credentials,
    clock: Clock | None = None,
    policy: RetryPolicy | None = None,
    services: Callable[[GitHubApp, Clock], Services] | None = None,
    notify: NotifySettings | None = None,
    notify_policy: SendPolicy | None = None,
    claim_delay: float = 0.05,  # loopback: a racing replica's write lands within milliseconds
) -> AsyncIterator[LocalWorld]:
    clock = clock or Clock()
    sandbox = Sandbox(
        seed,
        app_id=1,
        app_slug="incident-bot",
        app_public_key_pem=credentials.public_key,
        webhook_secret=credentials.secret,
        clock=clock,
    )
    api_url = await sandbox.start()
    settings = Settings(
        app_id="1",
        private_key=credentials.private_key,
        webhook_secret=credentials.secret,
        api_url=api_url,
        host="127.0.0.1",
        port=0,
        grace_period=5.0,
        notify=notify or NotifySettings(),
    )
    make_services = services or (lambda github, clock: Services(github, now=clock))
    server = create_app(
        settings,
        policy=policy,
        services_factory=lambda github: make_services(github, clock),
        clock=lambda: clock().timestamp(),
        notify_policy=notify_policy,
        claim_delay=claim_delay,
    )
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    url = f"http://127.0.0.1:{port}"
    sandbox.webhook_url = f"{url}/webhook"
    try:
        yield LocalWorld(sandbox, server, url, clock)
    finally:
        await runner.cleanup()
        await sandbox.stop()
