"""The content-creation secondary rate limit (docs/sandbox.md, "Secondary rate limits")."""

from __future__ import annotations

import aiohttp

from app.sandbox import Sandbox

from .conftest import Clock, call, install_token

COMMENTS = "/repos/acme/web/issues/1/comments"
BLOCKED = {
    "message": "You have exceeded a secondary rate limit and have been temporarily blocked from "
    "content creation. Please retry your request again later.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits",
    "status": "403",
}


async def _comment(sb: Sandbox, login: str = "alice") -> tuple[int, object]:
    return await sb.user(login).post(COMMENTS, {"body": "c"})


async def test_off_by_default(sb: Sandbox) -> None:
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "t"})
    statuses = {(await _comment(sb))[0] for _ in range(90)}
    assert statuses == {201}


async def test_80_content_creating_requests_a_minute(
    sb: Sandbox, http: aiohttp.ClientSession, clock: Clock
) -> None:
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "t"})
    sb.content_limits.enable()
    clock.advance(seconds=1)  # the issue above was created before the limit was on
    for _ in range(80):
        assert (await _comment(sb))[0] == 201
    clock.advance(seconds=20)
    status, body, headers = await call(http, sb, "POST", COMMENTS, "user:alice", {"body": "81st"})
    assert (status, body) == (403, BLOCKED)
    # Free again when the first of the 80 leaves the minute, 40 s from now.
    assert headers["retry-after"] == "40"
    assert int(headers["x-ratelimit-remaining"]) > 0  # not the primary limit
    assert len(sb.comments("acme/web", 1)) == 80
    clock.advance(seconds=40)
    assert (await _comment(sb))[0] == 201


async def test_500_content_creating_requests_an_hour(
    sb: Sandbox, http: aiohttp.ClientSession, clock: Clock
) -> None:
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "t"})
    sb.content_limits.enable()
    clock.advance(seconds=1)
    for n in range(500):
        if n and n % 50 == 0:
            clock.advance(minutes=1)  # well under 80 a minute
        assert (await _comment(sb))[0] == 201
    status, body, headers = await call(http, sb, "POST", COMMENTS, "user:alice", {"body": "501st"})
    assert (status, body) == (403, BLOCKED)
    assert headers["retry-after"] == str(3600 - 9 * 60)
    clock.advance(minutes=51)
    assert (await _comment(sb))[0] == 201


async def test_only_content_creating_operations_count(sb: Sandbox, clock: Clock) -> None:
    """Create an issue, create a comment, add a sub-issue: the operations whose own docs say
    "Creating content too quickly using this endpoint may result in secondary rate limiting"."""
    alice = sb.user("alice")
    sb.content_limits.enable(per_minute=3)
    assert (await alice.post("/repos/acme/web/issues", {"title": "parent"}))[0] == 201
    _, child = await alice.post("/repos/acme/web/issues", {"title": "child"})
    assert (await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": child["id"]}))[0] == 201
    assert (await alice.post("/repos/acme/web/issues", {"title": "fourth"}))[0] == 403
    assert (await _comment(sb))[0] == 403
    # Editing, labelling and reading are not content creation; others are not blocked.
    assert (await alice.patch("/repos/acme/web/issues/1", {"title": "renamed"}))[0] == 200
    assert (await alice.post("/repos/acme/web/issues/1/labels", ["bug"]))[0] == 200
    assert (await alice.get("/repos/acme/web/issues/1"))[0] == 200
    assert (await _comment(sb, "bob"))[0] == 201


async def test_refused_requests_do_not_count(sb: Sandbox) -> None:
    alice = sb.user("alice")
    sb.content_limits.enable(per_minute=2)
    for _ in range(5):
        assert (await alice.post("/repos/acme/web/issues", {"title": "x" * 300}))[0] == 422
    assert (await alice.post("/repos/acme/web/issues", {"title": "t"}))[0] == 201
    assert (await _comment(sb))[0] == 201


async def test_limit_can_answer_429_and_without_retry_after(
    sb: Sandbox, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock
) -> None:
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "t"})
    sb.content_limits.enable(per_minute=1, status=429, retry_after=False)
    token = await install_token(http, sb, private_pem, clock)
    assert (await call(http, sb, "POST", COMMENTS, token, {"body": "a"}))[0] == 201
    status, body, headers = await call(http, sb, "POST", COMMENTS, token, {"body": "b"})
    assert status == 429 and body["status"] == "429" and "retry-after" not in headers
    sb.content_limits.disable()
    assert (await call(http, sb, "POST", COMMENTS, token, {"body": "c"}))[0] == 201
