"""Signed deliveries of any shape (findings 8 and 10): workers outlive them, /healthz tells the truth."""

from __future__ import annotations

import json
from urllib.parse import quote

import aiohttp

from app.cli.local import LocalWorld
from tests.harness import comment, labels, open_issue, world
from tests.reliability.test_input import headers_for, post_delivery

REPO = "acme/web"


async def test_deliveries_of_the_wrong_shape_kill_no_worker() -> None:
    async with world() as w:
        for n in range(8):  # twice the workers
            payload = {
                "action": "opened",
                "repository": "acme/web",
                "issue": {"number": n, "labels": [{"name": "incident"}]},  # relevant, so queued
                "installation": {"id": 100},
            }
            payload["sender"] = "mallory" if n % 2 else {"login": ["x"]}
            body = json.dumps(payload).encode()
            assert await post_delivery(w, body, headers_for("issues", body)) == 202
        await w.settle()
        assert w.processor.workers_alive == 4
        health = await _health(w)
        assert health == (200, {"status": "ok", "queue": 0, "workers": 4})
        # And real work still gets done.
        number = await open_issue(w, "alice", title="Checkout down", body="x", labels=["incident"])
        await comment(w, "alice", number, "/severity 1")
        assert "severity: 1" in labels(w, REPO, number)


async def test_healthz_says_when_workers_are_gone() -> None:
    async with world() as w:
        for task in w.processor._workers[:2]:
            task.cancel()
        await w.settle()
        status, health = await _health(w)
        assert status == 503 and health["status"] == "unhealthy"
        assert health["problems"] == ["2 of 4 workers stopped"]


async def test_deeply_nested_payloads_get_a_4xx_never_a_5xx() -> None:
    async with world() as w:
        for depth in (5_000, 100_000):
            nested = "[" * depth + "]" * depth
            form = f"payload={quote(nested)}".encode()
            headers = {**headers_for("issues", form), "Content-Type": "application/x-www-form-urlencoded"}
            assert await post_delivery(w, form, headers) == 400
            raw = ('{"a":' * depth + "1" + "}" * depth).encode()
            assert await post_delivery(w, raw, headers_for("issues", raw)) == 400
        status, _ = await _health(w)
        assert status == 200


async def _health(w: LocalWorld) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as session, session.get(f"{w.url}/healthz") as r:
        return r.status, await r.json()
