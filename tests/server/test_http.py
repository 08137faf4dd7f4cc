"""The webhook endpoint over HTTP, with a recording router (no GitHub needed)."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from aiohttp.test_utils import TestClient
from gidgethub import sansio
from gidgethub.routing import Router

from app.settings import from_env
from app.web.server import PROCESSOR, create_app
from tests.keys import SECRET, private_key_pem


def settings() -> Any:
    return from_env(
        {
            "GITHUB_APP_ID": "1",
            "GITHUB_PRIVATE_KEY": private_key_pem(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": "http://127.0.0.1:9",
        }
    )


@pytest.fixture
async def seen_and_client(aiohttp_client: Any) -> tuple[list[str], TestClient]:
    seen: list[str] = []
    router = Router()

    @router.register("issues")
    async def record(event: sansio.Event, *args: Any) -> None:
        seen.append(event.delivery_id)

    client = await aiohttp_client(create_app(settings(), router=router))
    return seen, client


def signed(
    payload: Any, *, event: str = "issues", delivery: str = "d-1", secret: str = SECRET
) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "User-Agent": "GitHub-Hookshot/abc1234",
    }


PAYLOAD = {
    "action": "opened",
    "installation": {"id": 1},
    "repository": {"full_name": "acme/web"},
    "issue": {"number": 1, "labels": [{"name": "incident"}]},  # an incident's event: it matters
}


async def test_signed_delivery_is_accepted_and_processed(seen_and_client: Any) -> None:
    seen, client = seen_and_client
    body, headers = signed(PAYLOAD)
    response = await client.post("/webhook", data=body, headers=headers)
    assert response.status == 202
    await client.app[PROCESSOR].wait_idle()
    assert seen == ["d-1"]


async def test_redelivered_id_is_acknowledged_not_processed(seen_and_client: Any) -> None:
    seen, client = seen_and_client
    body, headers = signed(PAYLOAD)
    assert (await client.post("/webhook", data=body, headers=headers)).status == 202
    assert (await client.post("/webhook", data=body, headers=headers)).status == 200
    await client.app[PROCESSOR].wait_idle()
    assert seen == ["d-1"]


async def test_badly_signed_delivery_is_401_and_runs_nothing(seen_and_client: Any) -> None:
    seen, client = seen_and_client
    body, headers = signed(PAYLOAD, secret="not the secret")
    response = await client.post("/webhook", data=body, headers=headers)
    assert response.status == 401
    assert "Signature" in (await response.json())["message"]
    del headers["X-Hub-Signature-256"]
    assert (await client.post("/webhook", data=body, headers=headers)).status == 401
    await client.app[PROCESSOR].wait_idle()
    assert seen == []


async def test_ping_is_200(seen_and_client: Any) -> None:
    _, client = seen_and_client
    body, headers = signed({"zen": "Keep it logically awesome.", "hook_id": 1}, event="ping")
    assert (await client.post("/webhook", data=body, headers=headers)).status == 200


async def test_malformed_json_is_400_and_wrong_type_415(seen_and_client: Any) -> None:
    _, client = seen_and_client
    body, headers = signed(PAYLOAD)
    bad = b"{oops"
    headers["X-Hub-Signature-256"] = "sha256=" + hmac.new(SECRET.encode(), bad, hashlib.sha256).hexdigest()
    assert (await client.post("/webhook", data=bad, headers=headers)).status == 400
    body, headers = signed(PAYLOAD)
    headers["Content-Type"] = "text/plain"
    assert (await client.post("/webhook", data=body, headers=headers)).status == 415


async def test_body_over_25_mb_is_413(seen_and_client: Any) -> None:
    _, client = seen_and_client
    body = b"x" * (25 * 1024 * 1024 + 1)
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "issues",
        "X-GitHub-Delivery": "big",
        "X-Hub-Signature-256": "sha256=0",
    }
    assert (await client.post("/webhook", data=body, headers=headers)).status == 413


async def test_unknown_event_is_accepted_and_ignored(seen_and_client: Any) -> None:
    seen, client = seen_and_client
    body, headers = signed({"action": "created", "installation": {"id": 1}}, event="star")
    assert (await client.post("/webhook", data=body, headers=headers)).status == 202
    await client.app[PROCESSOR].wait_idle()
    assert seen == []


async def test_healthz(seen_and_client: Any) -> None:
    _, client = seen_and_client
    response = await client.get("/healthz")
    assert response.status == 200
    assert (await response.json())["status"] == "ok"
