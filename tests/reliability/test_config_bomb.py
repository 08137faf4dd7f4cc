"""A hostile `.github/incidents.yml`, through the server: bounded before it is expanded.

Anyone who can push to a repository (or to the organisation's `.github`) writes the
config the bot reads on every event. A few hundred bytes of nested YAML aliases
expand to millions of values; before the bound, the 304-byte file below held the
event loop for about 5 s and 570 MB while it was converted, and every other
delivery (another repository's, GitHub's pings) waited. Now it is one config-error
notice, as for any broken file, and the server keeps answering.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid

import aiohttp

from app.cli.local import LocalWorld
from app.workflow.yamltree import MAX_BYTES, MAX_NODES
from tests.harness import bot_comments, labels, world
from tests.keys import SECRET
from tests.reliability.support import FORM, REPO


def alias_bomb(levels: int = 7, width: int = 7) -> str:
    """`a0` is `width` values and each level repeats the one before `width` times: width**levels."""
    lines = [f"a0: &a0 [{', '.join(['x'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    lines.append(f"lead: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def merge_bomb(levels: int = 24) -> str:
    """The same with merge keys: each level merges the one before twice."""
    lines = ["m0: &m0 {x: 1}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{<<: [*m{i - 1}, *m{i - 1}], k{i}: 1}}")
    return "\n".join(lines) + "\n"


async def ping(session: aiohttp.ClientSession, url: str) -> float:
    """One signed ping, as GitHub sends when a hook is created; seconds until answered."""
    body = json.dumps({"zen": "Keep it logically awesome.", "hook_id": 1}).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/044aadd",
        "X-GitHub-Event": "ping",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }
    start = time.perf_counter()
    async with session.post(f"{url}/webhook", data=body, headers=headers) as response:
        assert response.status < 300, response.status
    return time.perf_counter() - start


async def declare_while_pinging(w: LocalWorld) -> tuple[int, list[float]]:
    """Open an incident and ping back to back until every delivery it caused is handled.

    Server, sandbox and pings share one event loop, so whatever holds the loop while
    the config is read shows up as the latency of the ping in flight.
    """
    status, issue = await w.user("alice").post(
        f"/repos/{REPO}/issues", json={"title": "Checkout down", "body": FORM, "labels": ["incident"]}
    )
    assert status == 201
    settled = asyncio.create_task(w.settle())
    latencies: list[float] = []
    async with aiohttp.ClientSession() as session:
        while not settled.done() and len(latencies) < 2000:
            latencies.append(await ping(session, w.url))
    await settled
    return int(issue["number"]), latencies


async def test_an_alias_bomb_is_one_config_notice_and_pings_are_answered_meanwhile() -> None:
    async with world() as w:
        w.sandbox.add_file(REPO, ".github/incidents.yml", alias_bomb())
        number, latencies = await declare_while_pinging(w)
        assert latencies and max(latencies) < 1.0, f"slowest ping {max(latencies):.2f}s"
        notices = [c["body"] for c in bot_comments(w, REPO, number) if ".github/incidents.yml" in c["body"]]
        assert len(notices) == 1, notices
        assert f"at most {MAX_NODES:,} values" in notices[0]
        assert "default workflow is used" in notices[0]
        # The default workflow ran: the form's severity, the initial status.
        assert {"incident", "severity: 2"} <= labels(w, REPO, number)


async def test_a_merge_key_bomb_and_an_oversized_file_are_refused_the_same_way() -> None:
    oversized = "description: >-\n" + "  words words words\n" * (MAX_BYTES // 19 + 1)
    for text, says in ((merge_bomb(), f"at most {MAX_NODES:,} values"), (oversized, "at most 64 KB")):
        async with world() as w:
            w.sandbox.add_file(REPO, ".github/incidents.yml", text)
            number, latencies = await declare_while_pinging(w)
            assert max(latencies) < 1.0, f"slowest ping {max(latencies):.2f}s"
            notices = [
                c["body"] for c in bot_comments(w, REPO, number) if ".github/incidents.yml" in c["body"]
            ]
            assert len(notices) == 1 and says in notices[0], notices
