"""Length limits and the exact 422 bodies GitHub sends for them (docs/sandbox.md, "Limits")."""

from __future__ import annotations

from typing import Any

from app.sandbox import Sandbox

from .conftest import Receiver

ISSUES = "/repos/acme/web/issues"
COMMENT_DOCS = "https://docs.github.com/rest/issues/comments#create-an-issue-comment"


def failed(error: dict[str, Any], docs: str) -> dict[str, Any]:
    return {"message": "Validation Failed", "errors": [error], "documentation_url": docs, "status": "422"}


async def test_comment_body_over_65536_is_refused_with_githubs_message(sb: Sandbox) -> None:
    alice = sb.user("alice")
    await alice.post(ISSUES, {"title": "t"})
    status, _ = await alice.post(f"{ISSUES}/1/comments", {"body": "x" * 65536})
    assert status == 201
    status, body = await alice.post(f"{ISSUES}/1/comments", {"body": "é" * 65537})  # characters, not bytes
    assert status == 422
    assert body == failed(
        {
            "resource": "IssueComment",
            "code": "unprocessable",
            "field": "data",
            "message": "Body is too long (maximum is 65536 characters)",
        },
        COMMENT_DOCS,
    )
    assert len(sb.comments("acme/web", 1)) == 1


async def test_comment_edit_over_65536_is_refused(sb: Sandbox) -> None:
    alice = sb.user("alice")
    await alice.post(ISSUES, {"title": "t"})
    _, c = await alice.post(f"{ISSUES}/1/comments", {"body": "short"})
    status, body = await alice.patch(f"/repos/acme/web/issues/comments/{c['id']}", {"body": "x" * 65537})
    assert status == 422 and body["errors"][0]["message"] == "Body is too long (maximum is 65536 characters)"
    assert body["documentation_url"] == "https://docs.github.com/rest/issues/comments#update-an-issue-comment"
    assert sb.comments("acme/web", 1)[0]["body"] == "short"


async def test_issue_body_over_65536_is_refused(sb: Sandbox, receiver: Receiver) -> None:
    alice = sb.user("alice")
    status, body = await alice.post(ISSUES, {"title": "t", "body": "x" * 65537})
    assert status == 422
    assert body == failed(
        {
            "resource": "Issue",
            "code": "custom",
            "field": "body",
            "message": "body is too long (maximum is 65536 characters)",
        },
        "https://docs.github.com/rest/issues/issues#create-an-issue",
    )
    assert (await alice.post(ISSUES, {"title": "t", "body": "x" * 65536}))[0] == 201
    status, body = await alice.patch(f"{ISSUES}/1", {"body": "x" * 65537})
    assert status == 422 and body["errors"][0]["field"] == "body"


async def test_title_over_256_is_refused(sb: Sandbox) -> None:
    alice = sb.user("alice")
    status, body = await alice.post(ISSUES, {"title": "t" * 257})
    assert status == 422
    assert body["errors"] == [
        {
            "resource": "Issue",
            "code": "custom",
            "field": "title",
            "message": "title is too long (maximum is 256 characters)",
        }
    ]
    assert (await alice.post(ISSUES, {"title": "t" * 256}))[0] == 201
    status, body = await alice.patch(f"{ISSUES}/1", {"title": "u" * 257, "state": "closed"})
    assert status == 422
    _, issue = await alice.get(f"{ISSUES}/1")
    assert issue["title"] == "t" * 256 and issue["state"] == "open"


async def test_label_name_over_50_is_refused(sb: Sandbox) -> None:
    carol = sb.user("carol")
    status, body = await carol.post("/repos/acme/web/labels", {"name": "n" * 51, "color": "ffffff"})
    assert status == 422
    assert body == failed(
        {
            "resource": "Label",
            "code": "custom",
            "field": "name",
            "message": "name is too long (maximum is 50 characters)",
        },
        "https://docs.github.com/rest/issues/labels#create-a-label",
    )
    assert (await carol.post("/repos/acme/web/labels", {"name": "n" * 50}))[0] == 201
    status, body = await carol.patch("/repos/acme/web/labels/" + "n" * 50, {"new_name": "m" * 51})
    assert status == 422 and body["errors"][0]["message"] == "name is too long (maximum is 50 characters)"


async def test_label_name_over_50_through_an_issue_is_invalid(sb: Sandbox) -> None:
    """A label an issue names is created on the fly; a name too long to create is refused
    with the `invalid` code and the name as `value`, and nothing else changes."""
    alice = sb.user("alice")
    long_name = "l" * 51
    status, body = await alice.post(ISSUES, {"title": "t", "labels": ["ok", long_name]})
    assert status == 422
    assert body["errors"] == [{"resource": "Label", "code": "invalid", "field": "name", "value": long_name}]
    assert (await alice.get(f"{ISSUES}/1"))[0] == 404
    assert (await alice.get("/repos/acme/web/labels/ok"))[0] == 404
    await alice.post(ISSUES, {"title": "t", "labels": ["keep"]})
    status, body = await alice.post(f"{ISSUES}/1/labels", {"labels": ["new", long_name]})
    assert status == 422 and body["errors"][0]["value"] == long_name
    assert body["documentation_url"] == "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue"
    status, body = await alice.put(f"{ISSUES}/1/labels", {"labels": [long_name]})
    assert status == 422
    _, labels = await alice.get(f"{ISSUES}/1/labels")
    assert [lb["name"] for lb in labels] == ["keep"]


async def test_label_description_over_100_is_refused(sb: Sandbox) -> None:
    carol = sb.user("carol")
    status, body = await carol.post("/repos/acme/web/labels", {"name": "a", "description": "d" * 101})
    assert status == 422
    assert body["errors"] == [
        {
            "resource": "Label",
            "code": "custom",
            "field": "description",
            "message": "description is too long (maximum is 100 characters)",
        }
    ]
    assert (await carol.post("/repos/acme/web/labels", {"name": "a", "description": "d" * 100}))[0] == 201
    assert (await carol.patch("/repos/acme/web/labels/a", {"description": "d" * 101}))[0] == 422


async def test_at_most_100_labels_per_issue(sb: Sandbox) -> None:
    alice = sb.user("alice")
    await alice.post(ISSUES, {"title": "t", "labels": [f"l{n}" for n in range(100)]})
    status, body = await alice.post(f"{ISSUES}/1/labels", {"labels": ["one-more"]})
    assert status == 422 and body["errors"][0]["field"] == "labels"
    status, _ = await alice.post(ISSUES, {"title": "t", "labels": [f"m{n}" for n in range(101)]})
    assert status == 422
