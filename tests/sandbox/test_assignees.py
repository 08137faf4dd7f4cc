"""Who can be assigned, and what GitHub answers when someone who cannot be is named.

The default world: acme/web is public; alice (admin), bob (maintain), carol (write) and
dave (triage) are acme members; erin has read as an outside collaborator; mallory has no
access. See docs/sandbox.md, "Assignees".
"""

from __future__ import annotations

from typing import Any

from app.sandbox import Sandbox

from .conftest import Receiver

ISSUES = "/repos/acme/web/issues"


def refused(login: str, field: str = "assignees", also: tuple[str, ...] = ()) -> dict[str, Any]:
    names = ", ".join((login, *also))
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": "Issue",
                "code": "invalid",
                "field": field,
                "value": login,
                "message": f"{field} {names} cannot be assigned to this issue",
            }
        ],
        "documentation_url": "https://docs.github.com/rest/issues/issues#create-an-issue",
        "status": "422",
    }


async def test_who_can_be_assigned(sb: Sandbox) -> None:
    """Write access, or organisation membership with read access; read alone is not enough."""
    sb.state.orgs["acme"].members.add("frank")
    sb.set_permission("acme/web", "frank", "read")
    sb.set_permission("acme/web", "gina", "write")  # an outside collaborator with write
    answers = {}
    for login in ("alice", "bob", "carol", "dave", "frank", "gina", "erin", "mallory", "incident-bot[bot]"):
        answers[login] = (await sb.user("alice").get(f"/repos/acme/web/assignees/{login}"))[0]
    assert answers == {
        "alice": 204,
        "bob": 204,
        "carol": 204,
        "dave": 204,  # org member, triage includes read
        "frank": 204,  # org member with read
        "gina": 204,  # write, not a member
        "erin": 404,  # read as an outside collaborator
        "mallory": 404,  # public read only
        "incident-bot[bot]": 404,  # not a user
    }


async def test_check_assignee_answers_204_or_404(sb: Sandbox) -> None:
    status, body = await sb.user("mallory").get("/repos/acme/web/assignees/carol")
    assert (status, body) == (204, None)
    status, body = await sb.user("mallory").get("/repos/acme/web/assignees/mallory")
    assert status == 404 and body["message"] == "Not Found"
    status, _ = await sb.user("alice").get("/repos/acme/web/assignees/nobody-has-this-login")
    assert status == 404


async def test_commenter_can_be_assigned_on_that_issue_only(sb: Sandbox) -> None:
    alice = sb.user("alice")
    await alice.post(ISSUES, {"title": "one"})
    await alice.post(ISSUES, {"title": "two"})
    assert (await sb.user("mallory").post(f"{ISSUES}/1/comments", {"body": "me too"}))[0] == 201
    status, issue = await alice.patch(f"{ISSUES}/1", {"assignees": ["mallory"]})
    assert status == 200 and [a["login"] for a in issue["assignees"]] == ["mallory"]
    status, body = await alice.patch(f"{ISSUES}/2", {"assignees": ["mallory"]})
    assert status == 422 and body["errors"][0]["value"] == "mallory"
    # The repository-wide check knows nothing of one issue's commenters.
    assert (await alice.get("/repos/acme/web/assignees/mallory"))[0] == 404


async def test_create_with_unassignable_login_is_refused_whole(sb: Sandbox, receiver: Receiver) -> None:
    status, body = await sb.user("alice").post(
        ISSUES, {"title": "t", "labels": ["brand-new"], "assignees": ["bob", "erin", "mallory"]}
    )
    assert status == 422
    assert body == refused("erin", also=("mallory",))
    # Nothing was created: no issue, no label, no webhook.
    assert (await sb.user("alice").get(f"{ISSUES}/1"))[0] == 404
    assert (await sb.user("alice").get("/repos/acme/web/labels/brand-new"))[0] == 404
    await sb.settle()
    assert receiver.got == []


async def test_create_with_the_singular_assignee_field(sb: Sandbox) -> None:
    status, body = await sb.user("alice").post(ISSUES, {"title": "t", "assignee": "mallory"})
    assert status == 422 and body == refused("mallory", field="assignee")
    status, issue = await sb.user("alice").post(ISSUES, {"title": "t", "assignee": "carol"})
    assert status == 201 and issue["assignee"]["login"] == "carol"


async def test_update_with_unassignable_login_is_refused_whole(sb: Sandbox, receiver: Receiver) -> None:
    alice = sb.user("alice")
    await alice.post(ISSUES, {"title": "before", "assignees": ["bob"]})
    await sb.settle()
    receiver.got.clear()
    status, body = await alice.patch(
        f"{ISSUES}/1", {"title": "after", "state": "closed", "assignees": ["erin"]}
    )
    assert status == 422
    assert body == {
        **refused("erin"),
        "documentation_url": "https://docs.github.com/rest/issues/issues#update-an-issue",
    }
    _, issue = await alice.get(f"{ISSUES}/1")
    assert issue["title"] == "before" and issue["state"] == "open"
    assert [a["login"] for a in issue["assignees"]] == ["bob"]
    await sb.settle()
    assert receiver.got == []


async def test_add_assignees_leaves_out_unassignable(sb: Sandbox) -> None:
    await sb.user("alice").post(ISSUES, {"title": "t"})
    status, issue = await sb.user("carol").post(
        f"{ISSUES}/1/assignees", {"assignees": ["mallory", "bob", "erin", "no-such-person"]}
    )
    assert status == 201 and [a["login"] for a in issue["assignees"]] == ["bob"]


async def test_at_most_ten_assignees(sb: Sandbox) -> None:
    people = [f"member{n}" for n in range(11)]
    for login in people:
        sb.set_permission("acme/web", login, "write")
    alice = sb.user("alice")
    status, body = await alice.post(ISSUES, {"title": "t", "assignees": people})
    assert status == 422 and body["errors"][0]["field"] == "assignees"
    status, issue = await alice.post(ISSUES, {"title": "t", "assignees": people[:10]})
    assert status == 201 and len(issue["assignees"]) == 10
    status, body = await alice.patch(f"{ISSUES}/1", {"assignees": people})
    assert status == 422
    # The add endpoint "Adds up to 10 assignees": past the tenth, people are left out.
    status, issue = await alice.post(f"{ISSUES}/1/assignees", {"assignees": [people[10]]})
    assert status == 201 and len(issue["assignees"]) == 10
    assert people[10] not in [a["login"] for a in issue["assignees"]]


async def test_labels_and_assignees_dropped_without_push(sb: Sandbox) -> None:
    """Below push access, labels and assignees are dropped before anything is checked: even
    an unassignable login or an impossible label name passes unnoticed."""
    for login in ("dave", "erin", "mallory"):
        status, issue = await sb.user(login).post(
            ISSUES, {"title": "t", "labels": ["bug", "x" * 60], "assignees": ["mallory", "bob"]}
        )
        assert status == 201, login
        assert issue["labels"] == [] and issue["assignees"] == [], login
    number = issue["number"]
    # The author may edit their own issue; label and assignee changes are dropped.
    status, issue = await sb.user("mallory").patch(
        f"{ISSUES}/{number}", {"title": "edited", "labels": ["bug"], "assignees": ["erin"]}
    )
    assert status == 200 and issue["title"] == "edited"
    assert issue["labels"] == [] and issue["assignees"] == []
    # Adding assignees takes push access too ("Assignees are silently ignored otherwise").
    status, issue = await sb.user("dave").post(f"{ISSUES}/{number}/assignees", {"assignees": ["bob"]})
    assert status == 201 and issue["assignees"] == []
