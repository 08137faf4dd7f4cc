"""Pagination, ETags, rate-limit headers, contents, teams, manifests."""

from __future__ import annotations

import base64
import re

import aiohttp
import jwt

from app.sandbox import Sandbox

from .conftest import Clock, call


async def test_pagination_link_header(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    for n in range(7):
        await sb.user("alice").post("/repos/acme/web/issues", {"title": f"i{n}"})
    base = sb.base_url + "/repos/acme/web/issues"
    status, body, h = await call(http, sb, "GET", "/repos/acme/web/issues?per_page=3", "user:alice")
    assert len(body) == 3
    assert h["Link"] == (f'<{base}?per_page=3&page=2>; rel="next", <{base}?per_page=3&page=3>; rel="last"')
    status, body, h = await call(http, sb, "GET", "/repos/acme/web/issues?per_page=3&page=2", "user:alice")
    assert h["Link"] == (
        f'<{base}?per_page=3&page=1>; rel="prev", '
        f'<{base}?per_page=3&page=3>; rel="next", '
        f'<{base}?per_page=3&page=3>; rel="last", '
        f'<{base}?per_page=3&page=1>; rel="first"'
    )
    status, body, h = await call(http, sb, "GET", "/repos/acme/web/issues?per_page=3&page=3", "user:alice")
    assert status == 200 and len(body) == 1 and 'rel="next"' not in h["Link"] and 'rel="first"' in h["Link"]
    _, body, h = await call(http, sb, "GET", "/repos/acme/web/issues", "user:alice")
    assert len(body) == 7 and "Link" not in h
    _status, body, h = await call(http, sb, "GET", "/repos/acme/web/issues?per_page=500", "user:alice")
    assert len(body) == 7  # capped at 100


async def test_etag_and_304(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "x"})
    _, _, h = await call(http, sb, "GET", "/repos/acme/web/issues/1", "user:alice")
    etag = h["ETag"]
    used = int(h["x-ratelimit-used"])
    async with http.get(
        sb.base_url + "/repos/acme/web/issues/1",
        headers={"Authorization": "token user:alice", "If-None-Match": etag},
    ) as resp:
        assert resp.status == 304 and await resp.read() == b""
        assert int(resp.headers["x-ratelimit-used"]) == used  # 304s are free
    await sb.user("alice").patch("/repos/acme/web/issues/1", {"title": "y"})
    status, _, h2 = await call(
        http, sb, "GET", "/repos/acme/web/issues/1", "user:alice", headers={"If-None-Match": etag}
    )
    assert status == 200 and h2["ETag"] != etag


async def test_common_headers(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    status, body, h = await call(http, sb, "GET", "/repos/acme/web", "user:alice")
    for name in (
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-used",
        "x-ratelimit-reset",
        "x-ratelimit-resource",
        "x-github-request-id",
        "x-github-api-version-selected",
    ):
        assert name in h, name
    assert h["x-ratelimit-limit"] == "5000" and h["x-ratelimit-resource"] == "core"
    assert h["x-github-api-version-selected"] == "2022-11-28"
    status, _, h = await call(http, sb, "GET", "/search/issues?q=org:acme", "user:alice")
    assert h["x-ratelimit-resource"] == "search" and h["x-ratelimit-limit"] == "30"
    status, body, h = await call(http, sb, "GET", "/rate_limit", "user:alice")
    assert status == 200 and body["resources"]["core"]["limit"] == 5000
    assert body["rate"] == body["resources"]["core"]
    status, body, h = await call(http, sb, "GET", "/nowhere", "user:alice")
    assert status == 404 and "x-github-request-id" in h
    status, body, _ = await call(http, sb, "DELETE", "/repos/acme/web", "user:alice")
    assert status == 404
    status, _, _ = await call(
        http, sb, "GET", "/repos/acme/web", "user:alice", headers={"X-GitHub-Api-Version": "1999-01-01"}
    )
    assert status == 400


async def test_contents(sb: Sandbox) -> None:
    text = "workflow: default\n" + "x" * 100 + "\n"
    sb.add_file("acme/web", ".github/incidents.yml", text)
    status, f = await sb.user("mallory").get("/repos/acme/web/contents/.github/incidents.yml")
    assert status == 200 and f["type"] == "file" and f["encoding"] == "base64"
    assert base64.b64decode(f["content"]).decode() == text
    assert all(len(line) <= 60 for line in f["content"].split("\n"))
    assert f["content"].endswith("\n") and f["size"] == len(text)
    assert f["name"] == "incidents.yml" and f["path"] == ".github/incidents.yml"
    assert re.fullmatch("[0-9a-f]{40}", f["sha"])
    sb.add_file("acme/web", ".github/incidents.yml", "changed\n")
    _, f2 = await sb.user("alice").get("/repos/acme/web/contents/.github/incidents.yml")
    assert f2["sha"] != f["sha"]
    assert (await sb.user("alice").get("/repos/acme/web/contents/missing.yml"))[0] == 404
    assert (await sb.user("alice").get("/repos/acme/web/contents/.github/incidents.yml?ref=other"))[0] == 404
    sb.add_file("acme/web", "x.yml", "on branch", branch="other")
    assert (await sb.user("alice").get("/repos/acme/web/contents/x.yml?ref=other"))[0] == 200


async def test_teams_and_permissions(sb: Sandbox) -> None:
    status, members = await sb.user("alice").get("/orgs/acme/teams/oncall/members")
    assert status == 200 and [m["login"] for m in members] == ["alice", "bob"]
    assert (await sb.user("mallory").get("/orgs/acme/teams/oncall/members"))[0] == 404
    assert (await sb.user("alice").get("/orgs/acme/teams/nope/members"))[0] == 404
    sb.set_permission("acme/web", "mallory", "triage")
    _, body = await sb.user("alice").get("/repos/acme/web/collaborators/mallory/permission")
    assert body["role_name"] == "triage" and body["permission"] == "read"
    sb.set_permission("acme/web", "mallory", "none")
    _, body = await sb.user("alice").get("/repos/acme/web/collaborators/mallory/permission")
    assert body["role_name"] == "read"  # public repository


async def test_manifest_conversion(sb: Sandbox, http: aiohttp.ClientSession, clock: Clock) -> None:
    code = sb.register_manifest_code(
        {
            "name": "My Bot",
            "url": "https://example.com",
            "hook_attributes": {"url": "http://127.0.0.1:9/hook"},
        }
    )
    status, body, _ = await call(http, sb, "POST", f"/app-manifests/{code}/conversions")
    assert status == 201
    for key in ("id", "slug", "pem", "webhook_secret", "client_id", "client_secret", "owner", "name"):
        assert key in body, key
    assert body["name"] == "My Bot" and "PRIVATE KEY" in body["pem"]
    now = int(clock().timestamp())
    token = jwt.encode(
        {"iat": now - 60, "exp": now + 500, "iss": str(body["id"])}, body["pem"], algorithm="RS256"
    )
    assert (await call(http, sb, "GET", "/app", token))[0] == 200
    assert sb.webhook_url == "http://127.0.0.1:9/hook"
    # A code works once.
    assert (await call(http, sb, "POST", f"/app-manifests/{code}/conversions"))[0] == 404
    late = sb.register_manifest_code({"name": "x", "url": "https://example.com"})
    clock.advance(hours=2)
    assert (await call(http, sb, "POST", f"/app-manifests/{late}/conversions"))[0] == 404
