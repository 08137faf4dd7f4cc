"""Injected latency (docs/sandbox.md, "Latency"): every request waits before its answer."""

from __future__ import annotations

import time

from app.sandbox import Sandbox


async def test_every_request_waits_the_latency_and_none_is_the_default(sb: Sandbox) -> None:
    assert sb.latency_ms == 0
    sb.latency_ms = 80
    started = time.monotonic()
    status, _ = await sb.user("alice").post("/repos/acme/web/issues", {"title": "t"})
    waited = time.monotonic() - started
    assert status == 201
    assert waited >= 0.08  # a lower bound only: the wait is a sleep before the answer
    sb.latency_ms = -5
    assert sb.latency_ms == 0
