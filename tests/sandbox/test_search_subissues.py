"""Search qualifiers and sub-issues (ids, limits, webhooks)."""

from __future__ import annotations

from urllib.parse import quote

from app.sandbox import Sandbox

from .conftest import Clock, Receiver


async def _seed(sb: Sandbox, clock: Clock) -> None:
    alice = sb.user("alice")
    await alice.post("/repos/acme/web/issues", {"title": "Database outage", "labels": ["incident", "sev 1"]})
    clock.advance(days=1)
    await alice.post(
        "/repos/acme/web/issues",
        {"title": "Login slow", "body": "database", "labels": ["incident"], "assignees": ["bob"]},
    )
    clock.advance(days=1)
    await sb.user("erin").post("/repos/acme/.github/issues", {"title": "config question"})
    await alice.patch("/repos/acme/web/issues/1", {"state": "closed"})


async def test_search_qualifiers(sb: Sandbox, clock: Clock) -> None:
    await _seed(sb, clock)

    async def numbers(q: str, extra: str = "") -> list[str]:
        status, body = await sb.user("alice").get(f"/search/issues?q={quote(q)}{extra}")
        assert status == 200, body
        assert body["total_count"] == len(body["items"]) and body["incomplete_results"] is False
        return [i["title"] for i in body["items"]]

    assert await numbers("repo:acme/web is:issue", "&sort=created&order=asc") == [
        "Database outage",
        "Login slow",
    ]
    assert await numbers("repo:acme/web is:open") == ["Login slow"]
    assert await numbers("repo:acme/web state:closed") == ["Database outage"]
    assert await numbers('repo:acme/web label:"sev 1"') == ["Database outage"]
    assert await numbers('repo:acme/web label:incident -label:"sev 1"') == ["Login slow"]
    assert await numbers('repo:acme/web label:incident label:"sev 1"') == ["Database outage"]
    assert await numbers("org:acme assignee:bob") == ["Login slow"]
    assert await numbers("user:acme author:erin") == ["config question"]
    assert await numbers("org:acme database in:title") == ["Database outage"]
    assert await numbers("org:acme database", "&sort=created&order=asc") == ["Database outage", "Login slow"]
    assert await numbers("org:acme created:>=2025-03-02") == ["config question", "Login slow"]
    assert await numbers("org:acme created:<2025-03-02") == ["Database outage"]
    assert await numbers("org:acme created:2025-03-01..2025-03-02", "&sort=created") == [
        "Login slow",
        "Database outage",
    ]
    assert await numbers("org:acme closed:>2025-03-01") == ["Database outage"]
    assert await numbers("org:acme updated:>=2025-03-03T12:00:00Z") == ["config question", "Database outage"]
    assert await numbers("is:pr org:acme") == []
    status, body = await sb.user("alice").get("/search/issues?q=repo:acme/web&per_page=1")
    assert body["total_count"] == 2 and len(body["items"]) == 1
    assert body["items"][0]["score"] == 1.0
    status, body = await sb.user("alice").get("/search/issues")
    assert status == 422


async def test_sub_issues(sb: Sandbox, receiver: Receiver) -> None:
    alice = sb.user("alice")
    _, parent = await alice.post("/repos/acme/web/issues", {"title": "parent"})
    _, child = await alice.post("/repos/acme/web/issues", {"title": "child"})
    await sb.settle()
    receiver.got.clear()
    # The number is not the id: GitHub answers 404 when given the number.
    status, _ = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": child["number"]})
    assert status == 404
    status, body = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": "x"})
    assert status == 422
    status, body = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": child["id"]})
    assert status == 201 and body["sub_issues_summary"]["total"] == 1
    status, body = await alice.get("/repos/acme/web/issues/2/parent")
    assert status == 200 and body["number"] == 1
    assert (await alice.get("/repos/acme/web/issues/1/parent"))[0] == 404
    _, subs = await alice.get("/repos/acme/web/issues/1/sub_issues")
    assert [s["number"] for s in subs] == [2]
    await alice.patch("/repos/acme/web/issues/2", {"state": "closed"})
    _, p = await alice.get("/repos/acme/web/issues/1")
    assert p["sub_issues_summary"] == {"total": 1, "completed": 1, "percent_completed": 100}
    # Cycles and second parents are refused.
    status, _ = await alice.post("/repos/acme/web/issues/2/sub_issues", {"sub_issue_id": parent["id"]})
    assert status == 422
    _, _other = await alice.post("/repos/acme/web/issues", {"title": "other"})
    status, _ = await alice.post("/repos/acme/web/issues/3/sub_issues", {"sub_issue_id": child["id"]})
    assert status == 422
    status, _ = await alice.post(
        "/repos/acme/web/issues/3/sub_issues", {"sub_issue_id": child["id"], "replace_parent": True}
    )
    assert status == 201
    status, body = await alice.delete("/repos/acme/web/issues/3/sub_issue", {"sub_issue_id": child["id"]})
    assert status == 200 and body["sub_issues_summary"]["total"] == 0
    assert (await sb.user("erin").post("/repos/acme/web/issues/3/sub_issues", {"sub_issue_id": child["id"]}))[
        0
    ] == 403
    await sb.settle()
    subs_hooks = [a for a in receiver.actions() if a.startswith("sub_issues")]
    assert subs_hooks == [
        "sub_issues.sub_issue_added",
        "sub_issues.parent_issue_added",
        "sub_issues.sub_issue_removed",
        "sub_issues.parent_issue_removed",
        "sub_issues.sub_issue_added",
        "sub_issues.parent_issue_added",
        "sub_issues.sub_issue_removed",
        "sub_issues.parent_issue_removed",
    ]
    added = next(r.payload for r in receiver.got if r.action == "sub_issue_added")
    assert added["parent_issue_id"] == parent["id"] and added["sub_issue_id"] == child["id"]
    _, events = await alice.get("/repos/acme/web/issues/1/events")
    assert [e["event"] for e in events] == ["sub_issue_added", "sub_issue_removed"]


async def test_sub_issue_is_named_by_id_not_number(sb: Sandbox) -> None:
    alice = sb.user("alice")
    await alice.post("/repos/acme/web/issues", {"title": "parent"})
    _, child = await alice.post("/repos/acme/web/issues", {"title": "child"})
    status, body = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": child["number"]})
    assert status == 404 and body["message"] == "Not Found"
    status, _ = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": str(child["id"])})
    assert status == 422  # the schema says integer
    status, body = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": child["id"]})
    assert status == 201 and body["number"] == 1 and body["sub_issues_summary"]["total"] == 1


async def test_one_parent_each(sb: Sandbox) -> None:
    alice = sb.user("alice")
    for title in ("first parent", "second parent", "child"):
        await alice.post("/repos/acme/web/issues", {"title": title})
    child = sb.issue("acme/web", 3)["id"]
    assert (await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": child}))[0] == 201
    status, body = await alice.post("/repos/acme/web/issues/2/sub_issues", {"sub_issue_id": child})
    assert status == 422 and body["message"] == "Validation Failed"
    assert sb.issue("acme/web", 3)["parent_issue_url"].endswith("/issues/1")
    # replace_parent moves it instead.
    body = {"sub_issue_id": child, "replace_parent": True}
    assert (await alice.post("/repos/acme/web/issues/2/sub_issues", body))[0] == 201
    assert sb.issue("acme/web", 3)["parent_issue_url"].endswith("/issues/2")
    assert sb.issue("acme/web", 1)["sub_issues_summary"]["total"] == 0


async def test_at_most_8_levels_of_sub_issues(sb: Sandbox) -> None:
    alice = sb.user("alice")
    ids = []
    for n in range(9):
        _, issue = await alice.post("/repos/acme/web/issues", {"title": f"level {n}"})
        ids.append(issue["id"])
    # A chain of 8 levels is the maximum: issue 1 > 2 > ... > 8.
    for n in range(1, 8):
        status, _ = await alice.post(f"/repos/acme/web/issues/{n}/sub_issues", {"sub_issue_id": ids[n]})
        assert status == 201
    status, body = await alice.post("/repos/acme/web/issues/8/sub_issues", {"sub_issue_id": ids[8]})
    assert status == 422 and body["message"] == "Validation Failed"
    # Hanging a two-level tree (10 > 11) under level 7 would make 9 levels as well.
    _, top = await alice.post("/repos/acme/web/issues", {"title": "top"})
    _, below = await alice.post("/repos/acme/web/issues", {"title": "below"})
    assert (await alice.post("/repos/acme/web/issues/10/sub_issues", {"sub_issue_id": below["id"]}))[0] == 201
    assert (await alice.post("/repos/acme/web/issues/7/sub_issues", {"sub_issue_id": top["id"]}))[0] == 422
    assert (await alice.post("/repos/acme/web/issues/6/sub_issues", {"sub_issue_id": top["id"]}))[0] == 201


async def test_at_most_100_sub_issues_per_parent(sb: Sandbox) -> None:
    alice = sb.user("alice")
    await alice.post("/repos/acme/web/issues", {"title": "parent"})
    for _ in range(101):
        await alice.post("/repos/acme/web/issues", {"title": "child"})
    for number in range(2, 102):
        child = sb.issue("acme/web", number)["id"]
        status, _ = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": child})
        assert status == 201
    last = sb.issue("acme/web", 102)["id"]
    status, body = await alice.post("/repos/acme/web/issues/1/sub_issues", {"sub_issue_id": last})
    assert status == 422 and body["message"] == "Validation Failed"
