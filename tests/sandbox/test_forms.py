"""Issue forms filed in the web UI (docs/sandbox.md, "Issue forms")."""

from __future__ import annotations

import pytest

from app.sandbox import FormError, Sandbox
from app.sandbox.errors import ApiError

from .conftest import Clock, Receiver

FORM = """\
name: Outage
description: Something is down.
title: "Outage: "
labels: [outage, triage-me, not-in-the-repo]
assignees: [carol, mallory]
body:
  - type: markdown
    attributes:
      value: Thanks for telling us.
  - type: textarea
    id: what
    attributes:
      label: What is broken?
    validations:
      required: true
  - type: input
    attributes:
      label: Since when?
  - type: dropdown
    id: severity
    attributes:
      label: Severity
      options: [Critical, Major, Minor]
  - type: dropdown
    id: regions
    attributes:
      label: Regions
      multiple: true
      options: [EU, US, Asia]
  - type: checkboxes
    id: security
    attributes:
      label: Security
      options:
        - label: This is a security problem
  - type: textarea
    id: logs
    attributes:
      label: Logs
      render: shell
"""


@pytest.fixture
async def with_form(sb: Sandbox) -> Sandbox:
    sb.add_file("acme/web", ".github/ISSUE_TEMPLATE/outage.yml", FORM)
    for name in ("outage", "Triage-Me"):
        status, _ = await sb.user("carol").post("/repos/acme/web/labels", {"name": name, "color": "b60205"})
        assert status == 201
    return sb


async def test_form_labels_are_applied_whoever_submits(with_form: Sandbox, receiver: Receiver) -> None:
    issue = with_form.submit_issue_form("acme/web", "mallory", "outage.yml", {"what": "Search is down"})
    assert issue["user"]["login"] == "mallory" and issue["author_association"] == "NONE"
    # Existing labels are applied (with the repository's spelling); a missing one is not.
    assert [lb["name"] for lb in issue["labels"]] == ["outage", "Triage-Me"]
    assert (await with_form.user("alice").get("/repos/acme/web/labels/not-in-the-repo"))[0] == 404
    await with_form.settle()
    assert receiver.actions()[:3] == ["issues.opened", "issues.labeled", "issues.labeled"]
    assert receiver.got[0].payload["sender"]["login"] == "mallory"


async def test_form_assignees_only_if_assignable(with_form: Sandbox) -> None:
    issue = with_form.submit_issue_form("acme/web", "mallory", "outage.yml", {"what": "down"})
    assert [a["login"] for a in issue["assignees"]] == ["carol"]  # mallory cannot be assigned


async def test_form_body_is_rendered_as_github_submits_it(with_form: Sandbox) -> None:
    issue = with_form.submit_issue_form(
        "acme/web",
        "erin",
        "outage.yml",
        {
            "what": "Search returns 500",
            "Since when?": "14:05 UTC",
            "regions": ["EU", "US"],
            "security": ["This is a security problem"],
            "logs": "boom",
        },
        title="Outage: search",
    )
    assert issue["title"] == "Outage: search"
    assert issue["body"] == (
        "### What is broken?\n\nSearch returns 500\n\n"
        "### Since when?\n\n14:05 UTC\n\n"
        "### Severity\n\nNone\n\n"
        "### Regions\n\nEU, US\n\n"
        "### Security\n\n- [X] This is a security problem\n\n"
        "### Logs\n\n```shell\nboom\n```"
    )
    issue = with_form.submit_issue_form("acme/web", "erin", "outage.yml", {"what": "x", "severity": "Major"})
    assert issue["title"] == "Outage: "  # the template's title, as the page prefills it
    assert "### Since when?\n\n_No response_" in issue["body"]
    assert "### Severity\n\nMajor" in issue["body"]
    assert "- [ ] This is a security problem" in issue["body"]


async def test_form_required_fields_only_in_public_repositories(with_form: Sandbox) -> None:
    with pytest.raises(FormError, match="required"):
        with_form.submit_issue_form("acme/web", "erin", "outage.yml", {})
    with pytest.raises(FormError, match="no option"):
        with_form.submit_issue_form("acme/web", "erin", "outage.yml", {"what": "x", "severity": "Meh"})
    with_form.state.repos["acme/web"].private = True
    issue = with_form.submit_issue_form("acme/web", "erin", "outage.yml", {})
    assert "### What is broken?\n\n_No response_" in issue["body"]
    with pytest.raises(ApiError):  # a stranger cannot see a private repository
        with_form.submit_issue_form("acme/web", "mallory", "outage.yml", {})


async def test_form_submissions_count_as_content_creation(with_form: Sandbox, clock: Clock) -> None:
    with_form.content_limits.enable(per_minute=2)
    for _ in range(2):
        with_form.submit_issue_form("acme/web", "erin", "outage.yml", {"what": "x"})
    with pytest.raises(ApiError) as refused:
        with_form.submit_issue_form("acme/web", "erin", "outage.yml", {"what": "x"})
    assert refused.value.status == 403 and "secondary rate limit" in refused.value.message
    clock.advance(minutes=1)
    assert with_form.submit_issue_form("acme/web", "erin", "outage.yml", {"what": "x"})["number"] == 3
