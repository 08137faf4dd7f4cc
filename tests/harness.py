"""The test world: app.local's sandbox + server, with the test keys and a fixed start time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.clock import Clock
from app.github.client import RetryPolicy
from app.local import Credentials, LocalWorld, local_world
from tests.common import FAST_RETRIES, T0
from tests.keys import SECRET, private_key_pem, public_key_pem


def credentials() -> Credentials:
    return Credentials(private_key_pem(), public_key_pem(), SECRET)


@asynccontextmanager
async def world(
    seed: Any = None, *, clock: Clock | None = None, policy: RetryPolicy = FAST_RETRIES
) -> AsyncIterator[LocalWorld]:
    async with local_world(
        seed, credentials=credentials(), clock=clock or Clock(T0), policy=policy
    ) as w:
        yield w
