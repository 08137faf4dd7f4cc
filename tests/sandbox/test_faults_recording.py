"""Fault injection, the request record, and the no-app-import rule."""

from __future__ import annotations

import ast
import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

import app.sandbox
from app.sandbox import Sandbox, conforms

from .conftest import Clock, call


async def test_injected_status_does_not_run_handler(sb: Sandbox) -> None:
    sb.faults.add(method="POST", path=r"/issues$", status=502, times=1)
    status, _body = await sb.user("alice").post("/repos/acme/web/issues", {"title": "x"})
    assert status == 502
    assert sb.state.repo("acme", "web").issues == {}  # type: ignore[union-attr]
    await sb.settle()
    assert sb.deliveries == []
    status, _ = await sb.user("alice").post("/repos/acme/web/issues", {"title": "x"})
    assert status == 201
    assert [r.faulted for r in sb.requests] == [True, False]


async def test_rate_limit_helpers(sb: Sandbox, http: aiohttp.ClientSession, clock: Clock) -> None:
    sb.faults.secondary_rate_limit(retry_after=3)
    status, body, h = await call(http, sb, "GET", "/repos/acme/web", "user:alice")
    assert status == 403 and h["retry-after"] == "3"
    assert "secondary rate limit" in body["message"]
    sb.faults.primary_rate_limit(reset_in=2)
    status, body, h = await call(http, sb, "GET", "/repos/acme/web", "user:alice")
    assert status == 403 and h["x-ratelimit-remaining"] == "0"
    assert int(h["x-ratelimit-reset"]) == int(clock().timestamp()) + 2
    assert (await call(http, sb, "GET", "/repos/acme/web", "user:alice"))[0] == 200


async def test_probability_delay_reset(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    rule = sb.faults.add(path="/repos/acme/web$", probability=0.5, times=None, seed=7)
    statuses = [(await call(http, sb, "GET", "/repos/acme/web", "user:alice"))[0] for _ in range(20)]
    assert 0 < statuses.count(503) < 20 and rule.hits == statuses.count(503)
    sb.faults.clear()
    sb.faults.add(path="/repos/acme/web$", delay=0.5, status=500)
    with pytest.raises(asyncio.TimeoutError):
        async with http.get(sb.base_url + "/repos/acme/web", timeout=aiohttp.ClientTimeout(total=0.1)):
            pass
    sb.faults.clear()
    # times=None: aiohttp silently retries once on a dropped keep-alive connection.
    sb.faults.add(path="/repos/acme/web$", reset=True, times=None)
    with pytest.raises(aiohttp.ClientError):
        await call(http, sb, "GET", "/repos/acme/web", "user:alice")


async def test_record_file(tmp_path: Path, clock: Clock) -> None:
    record = tmp_path / "requests.jsonl"
    sandbox = Sandbox(clock=clock, record_path=record)
    await sandbox.start()
    try:
        await sandbox.user("alice").post("/repos/acme/web/issues", {"title": "t"})
        await sandbox.user("alice").get("/repos/acme/web/issues?state=all")
    finally:
        await sandbox.stop()
    lines = [json.loads(x) for x in record.read_text().splitlines()]
    assert [(x["method"], x["path"], x["status"], x["actor"]) for x in lines] == [
        ("POST", "/repos/acme/web/issues", 201, "alice"),
        ("GET", "/repos/acme/web/issues", 200, "alice"),
    ]
    assert lines[0]["body"] == {"title": "t"} and lines[1]["query"] == {"state": "all"}
    assert "user:alice" not in record.read_text()  # credentials are never written
    for r in sandbox.requests:
        assert conforms(r.method, r.url, r.body) is None


def test_conforms() -> None:
    assert conforms("POST", "/repos/a/b/issues", {"title": "t", "labels": ["x"]}) is None
    assert conforms("POST", "/repos/a/b/issues", {"title": "t", "labels": [1]})
    assert conforms("POST", "/repos/a/b/issues", {"title": "t", "label": ["x"]})
    assert conforms("POST", "/repos/a/b/issues", None)
    assert conforms("GET", "/repos/a/b/issues?state=open&per_page=5", None) is None
    assert conforms("GET", "/repos/a/b/issues?status=open", None)
    assert conforms("PUT", "/repos/a/b/issues/1/labels", {"labels": []}) is None
    assert conforms("POST", "/repos/a/b/issues/1/labels", ["x"]) is None
    assert conforms("GET", "/repos/a/b/contents/.github/x.yml?ref=main", None) is None
    assert conforms("POST", "/repos/a/b/pulls", {"title": "t"})


def test_sandbox_never_imports_the_app() -> None:
    root = Path(app.sandbox.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        package = ".".join(("app", *path.relative_to(root.parent).with_suffix("").parts))
        depth_base = package.split(".")
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = depth_base[: len(depth_base) - node.level]
                    names = [".".join([*base, node.module] if node.module else base)]
                else:
                    names = [node.module or ""]
            for name in names:
                if (name == "app" or name.startswith("app.")) and not (
                    name == "app.sandbox" or name.startswith("app.sandbox.")
                ):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []
