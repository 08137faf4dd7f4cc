"""One request to a channel, retried with bounded back-off.

Retried: 429 (after its Retry-After, capped), 5xx, a broken connection and a timeout, as
PagerDuty's "Response Codes & Retry Logic" asks and as Slack's rate limits answer.
Not retried: any other answer (400 is a bad event, 403/404/410 a revoked or deleted
webhook): sending it again would get the same. What a failure says never contains
the URL or the key: a status, or the kind of network error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from app.service.notify.channels import Request

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class SendPolicy:
    attempts: int = 5  # the first try and four retries
    base_delay: float = 1.0  # then 2, 4, 8 s
    max_delay: float = 30.0  # no single wait is longer (a long Retry-After included)
    timeout: float = 10.0  # per request


@dataclass(frozen=True)
class Outcome:
    sent: bool
    attempts: int
    reason: str = ""  # why it failed: "HTTP 400", "connection failed (ClientConnectorError)"


def _retry_after(raw: str | None) -> float | None:
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own back-off


async def send(
    session: aiohttp.ClientSession,
    url: str,
    request: Request,
    policy: SendPolicy,
    sleep: Sleep = asyncio.sleep,
) -> Outcome:
    reason = ""
    for attempt in range(1, policy.attempts + 1):
        wait = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
        try:
            async with session.post(
                url,
                data=request.body,
                headers=request.headers,
                timeout=aiohttp.ClientTimeout(total=policy.timeout),
                allow_redirects=False,
            ) as answer:
                await answer.read()
                if 200 <= answer.status < 300:
                    return Outcome(True, attempt)
                reason = f"HTTP {answer.status}"
                if answer.status != 429 and answer.status < 500:
                    return Outcome(False, attempt, reason)
                if answer.status == 429:
                    asked = _retry_after(answer.headers.get("Retry-After"))
                    wait = min(policy.max_delay, asked) if asked is not None else wait
        except TimeoutError:
            reason = "timed out"
        except aiohttp.ClientError as exc:
            reason = f"connection failed ({type(exc).__name__})"  # str(exc) names the host
        if attempt < policy.attempts:
            await sleep(wait)
    return Outcome(False, policy.attempts, reason)
