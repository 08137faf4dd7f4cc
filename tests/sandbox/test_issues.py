"""Issues, comments, labels, assignees, events: happy paths and GitHub's error statuses."""

from __future__ import annotations

import aiohttp

from app.sandbox import Sandbox

from .conftest import Clock, call, install_token


async def test_create_issue_with_labels_and_assignees(sb: Sandbox) -> None:
    alice = sb.user("alice")
    status, issue = await alice.post(
        "/repos/acme/web/issues",
        {
            "title": "DB down",
            "body": "help",
            "labels": ["sev1", {"name": "bug"}],
            "assignees": ["bob", "carol"],
        },
    )
    assert status == 201
    assert issue["number"] == 1 and issue["id"] != 1
    assert [lb["name"] for lb in issue["labels"]] == ["sev1", "bug"]
    assert issue["labels"][0]["color"] == "ededed"  # created on the fly, default colour
    assert [a["login"] for a in issue["assignees"]] == ["bob", "carol"]
    assert issue["author_association"] == "MEMBER"
    assert issue["sub_issues_summary"] == {"total": 0, "completed": 0, "percent_completed": 0}
    assert sb.issue("acme/web", 1)["title"] == "DB down"


async def test_labels_dropped_without_push(sb: Sandbox) -> None:
    status, issue = await sb.user("erin").post(
        "/repos/acme/web/issues", {"title": "t", "labels": ["bug"], "assignees": ["bob"]}
    )
    assert status == 201 and issue["labels"] == [] and issue["assignees"] == []
    assert issue["author_association"] == "COLLABORATOR"
    status, issue = await sb.user("mallory").post("/repos/acme/web/issues", {"title": "t"})
    assert status == 201 and issue["author_association"] == "NONE"


async def test_create_issue_validation(sb: Sandbox, http: aiohttp.ClientSession) -> None:
    alice = sb.user("alice")
    status, body = await alice.post("/repos/acme/web/issues", {"title": "t", "labels": [1]})
    assert status == 422 and body["message"].startswith("Invalid request")
    status, body = await alice.post("/repos/acme/web/issues", {"body": "no title"})
    assert status == 422
    status, body = await alice.post("/repos/acme/web/issues", {"title": "x" * 257})
    assert status == 422 and body["errors"][0]["field"] == "title"
    status, body = await alice.post("/repos/acme/web/issues", {"title": "t", "body": "x" * 65537})
    assert status == 422 and body["errors"][0]["field"] == "body"
    async with http.post(
        sb.base_url + "/repos/acme/web/issues",
        data=b"{not json",
        headers={"Authorization": "token user:alice"},
    ) as resp:
        assert resp.status == 400
        assert (await resp.json())["message"] == "Problems parsing JSON"
    status, body = await sb.user("alice").post("/repos/acme/nope/issues", {"title": "t"})
    assert status == 404 and body == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
        "status": "404",
    }
    status, _, _ = await call(http, sb, "POST", "/repos/acme/web/issues", None, {"title": "t"})
    assert status == 401


async def test_update_permissions_and_state(sb: Sandbox) -> None:
    _, issue = await sb.user("erin").post("/repos/acme/web/issues", {"title": "mine"})
    n = issue["number"]
    status, body = await sb.user("mallory").patch(f"/repos/acme/web/issues/{n}", {"state": "closed"})
    assert status == 403
    status, body = await sb.user("erin").patch(
        f"/repos/acme/web/issues/{n}", {"state": "closed", "labels": ["bug"]}
    )
    assert status == 200 and body["state"] == "closed"
    assert body["state_reason"] == "completed" and body["labels"] == []  # author, no push
    assert body["closed_by"]["login"] == "erin" and body["closed_at"]
    status, body = await sb.user("dave").patch(
        f"/repos/acme/web/issues/{n}", {"state": "open", "title": "renamed"}
    )
    assert status == 200 and body["state"] == "open" and body["state_reason"] == "reopened"
    status, _ = await sb.user("dave").patch(f"/repos/acme/web/issues/{n}", {"state": "shut"})
    assert status == 422
    status, events = await sb.user("dave").get(f"/repos/acme/web/issues/{n}/events")
    assert [e["event"] for e in events] == ["closed", "renamed", "reopened"]
    renamed = events[1]
    assert renamed["rename"] == {"from": "mine", "to": "renamed"}
    assert set(renamed) >= {
        "id",
        "node_id",
        "url",
        "actor",
        "event",
        "commit_id",
        "commit_url",
        "created_at",
        "performed_via_github_app",
    }


async def test_list_issues_filters(sb: Sandbox, clock: Clock) -> None:
    alice = sb.user("alice")
    await alice.post("/repos/acme/web/issues", {"title": "a", "labels": ["bug", "sev1"]})
    clock.advance(minutes=1)
    await alice.post("/repos/acme/web/issues", {"title": "b", "labels": ["bug"], "assignees": ["carol"]})
    clock.advance(minutes=1)
    await sb.user("bob").post("/repos/acme/web/issues", {"title": "c"})
    await alice.patch("/repos/acme/web/issues/3", {"state": "closed"})

    async def titles(query: str) -> list[str]:
        status, body = await alice.get("/repos/acme/web/issues" + query)
        assert status == 200
        return [i["title"] for i in body]

    assert await titles("") == ["b", "a"]
    assert await titles("?state=all") == ["c", "b", "a"]
    assert await titles("?state=all&direction=asc") == ["a", "b", "c"]
    assert await titles("?labels=bug,sev1") == ["a"]
    assert await titles("?assignee=carol") == ["b"]
    assert await titles("?assignee=none") == ["a"]
    assert await titles("?state=all&creator=bob") == ["c"]
    assert await titles("?state=all&since=2025-03-01T12:01:00Z") == ["c", "b"]


async def test_deleted_issue_is_gone(sb: Sandbox) -> None:
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "x"})
    sb.delete_issue("acme/web", 1, by="alice")
    status, body = await sb.user("alice").get("/repos/acme/web/issues/1")
    assert status == 410 and body["status"] == "410"
    status, _ = await sb.user("alice").get("/repos/acme/web/issues/99")
    assert status == 404


async def test_comments(sb: Sandbox, http: aiohttp.ClientSession, private_pem: bytes, clock: Clock) -> None:
    await sb.user("alice").post("/repos/acme/web/issues", {"title": "x"})
    status, c = await sb.user("erin").post("/repos/acme/web/issues/1/comments", {"body": "hi"})
    assert status == 201 and c["author_association"] == "COLLABORATOR"
    assert c["issue_url"].endswith("/repos/acme/web/issues/1")
    assert c["performed_via_github_app"] is None
    token = await install_token(http, sb, private_pem, clock)
    status, bot, _ = await call(
        http, sb, "POST", "/repos/acme/web/issues/1/comments", token, {"body": "bot here"}
    )
    assert status == 201 and bot["user"]["login"] == "incident-bot[bot]"
    assert bot["user"]["type"] == "Bot" and bot["performed_via_github_app"]["slug"] == "incident-bot"
    assert [x["body"] for x in sb.comments("acme/web", 1)] == ["hi", "bot here"]
    cid = c["id"]
    status, _ = await sb.user("mallory").patch(f"/repos/acme/web/issues/comments/{cid}", {"body": "pwned"})
    assert status == 403
    status, _ = await sb.user("dave").delete(f"/repos/acme/web/issues/comments/{cid}")
    assert status == 403  # triage may not delete others' comments
    status, body = await sb.user("erin").patch(f"/repos/acme/web/issues/comments/{cid}", {"body": "edited"})
    assert status == 200 and body["body"] == "edited"
    status, _ = await sb.user("erin").post("/repos/acme/web/issues/1/comments", {"body": ""})
    assert status == 422
    status, _ = await sb.user("carol").delete(f"/repos/acme/web/issues/comments/{cid}")
    assert status == 204
    status, _ = await sb.user("carol").get(f"/repos/acme/web/issues/comments/{cid}")
    assert status == 404
    status, body = await sb.user("carol").get("/repos/acme/web/issues/1")
    assert body["comments"] == 1
    bid = bot["id"]
    status, r = await sb.user("erin").post(
        f"/repos/acme/web/issues/comments/{bid}/reactions", {"content": "+1"}
    )
    assert status == 201 and r["content"] == "+1"
    status, _ = await sb.user("erin").post(
        f"/repos/acme/web/issues/comments/{bid}/reactions", {"content": "+1"}
    )
    assert status == 200
    status, _ = await sb.user("erin").post(
        f"/repos/acme/web/issues/comments/{bid}/reactions", {"content": "thumbsup"}
    )
    assert status == 422
    _, got = await sb.user("erin").get(f"/repos/acme/web/issues/comments/{bid}")
    assert got["reactions"]["+1"] == 1 and got["reactions"]["total_count"] == 1


async def test_repo_labels(sb: Sandbox) -> None:
    carol, dave = sb.user("carol"), sb.user("dave")
    status, lb = await carol.post(
        "/repos/acme/web/labels", {"name": "Incident", "color": "B60205", "description": "d"}
    )
    assert status == 201 and lb["color"] == "b60205" and lb["default"] is False
    status, body = await carol.post("/repos/acme/web/labels", {"name": "incident"})
    assert status == 422 and body["errors"][0]["code"] == "already_exists"
    assert (await carol.post("/repos/acme/web/labels", {"name": "x", "color": "#fff"}))[0] == 422
    assert (await carol.post("/repos/acme/web/labels", {"name": "x" * 51}))[0] == 422
    assert (await carol.post("/repos/acme/web/labels", {"name": "y", "description": "d" * 101}))[0] == 422
    assert (await dave.post("/repos/acme/web/labels", {"name": "z"}))[0] == 403
    status, got = await dave.get("/repos/acme/web/labels/INCIDENT")
    assert status == 200 and got["name"] == "Incident"
    status, got = await carol.patch(
        "/repos/acme/web/labels/incident", {"new_name": "sev 1", "color": "000000"}
    )
    assert status == 200 and got["name"] == "sev 1"
    assert (await dave.get("/repos/acme/web/labels/sev%201"))[0] == 200
    assert (await carol.delete("/repos/acme/web/labels/sev%201"))[0] == 204
    assert (await dave.get("/repos/acme/web/labels/sev%201"))[0] == 404


async def test_issue_labels_and_assignees(sb: Sandbox) -> None:
    dave = sb.user("dave")
    await sb.user("erin").post("/repos/acme/web/issues", {"title": "x"})
    status, labels = await dave.post("/repos/acme/web/issues/1/labels", {"labels": ["a", "b"]})
    assert status == 200 and [x["name"] for x in labels] == ["a", "b"]
    status, labels = await dave.post("/repos/acme/web/issues/1/labels", ["c"])
    assert [x["name"] for x in labels] == ["a", "b", "c"]
    status, labels = await dave.put("/repos/acme/web/issues/1/labels", {"labels": ["b", "d"]})
    assert [x["name"] for x in labels] == ["b", "d"]
    status, body = await dave.delete("/repos/acme/web/issues/1/labels/zzz")
    assert status == 404 and body["message"] == "Label does not exist"
    status, labels = await dave.delete("/repos/acme/web/issues/1/labels/B")
    assert status == 200 and [x["name"] for x in labels] == ["d"]
    assert (await sb.user("erin").post("/repos/acme/web/issues/1/labels", ["x"]))[0] == 403
    assert (await dave.delete("/repos/acme/web/issues/1/labels"))[0] == 204
    assert (await dave.get("/repos/acme/web/issues/1/labels"))[1] == []
    carol = sb.user("carol")
    status, issue = await carol.post("/repos/acme/web/issues/1/assignees", {"assignees": ["bob"]})
    assert status == 201 and [a["login"] for a in issue["assignees"]] == ["bob"]
    status, issue = await carol.delete("/repos/acme/web/issues/1/assignees", {"assignees": ["bob"]})
    assert status == 200 and issue["assignees"] == []
    _, events = await dave.get("/repos/acme/web/issues/1/events")
    kinds = [e["event"] for e in events]
    assert kinds[:3] == ["labeled", "labeled", "labeled"]
    assert kinds[-2:] == ["assigned", "unassigned"]
    assert events[0]["label"] == {"name": "a", "color": "ededed"}
    assert events[-1]["assignee"]["login"] == "bob" and events[-1]["assigner"]["login"] == "carol"
