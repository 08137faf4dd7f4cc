"""Declaring an incident, three ways, through the sandbox: the same result each time."""

from __future__ import annotations

import pytest

from tests.harness import (
    assert_requests_conform,
    assignees,
    bot_comments,
    comment,
    labels,
    open_issue,
    world,
)

REPO = "acme/web"
FORM = """### What is broken?

Checkout fails for everyone.

### Who and how many are affected?

All users.

### Severity

1 - Critical: all users

### Security

- [ ] This is a security incident (do not write details here)
"""
DECLARED = {"incident", "severity: 1", "status: stabilization pending"}


def summary_of(w, number: int) -> str:  # type: ignore[no-untyped-def]
    found = [c["body"] for c in bot_comments(w, REPO, number) if "incident-bot:summary" in c["body"]]
    assert len(found) == 1, f"expected one summary comment, found {len(found)}"
    return found[0]


async def test_declared_with_the_issue_form() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", body=FORM, labels=["incident"])
        assert labels(w, REPO, number) == DECLARED
        assert assignees(w, REPO, number) == ["alice"]
        summary = summary_of(w, number)
        assert "Severity 1" in summary and "Stabilization pending" in summary
        assert "- [ ]" in summary  # next steps as a checklist
        assert_requests_conform(w)


async def test_declared_by_labelling_later() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", body=FORM)
        assert bot_comments(w, REPO, number) == []  # not an incident yet: the bot stays quiet
        status, _ = await w.user("alice").post(
            f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["incident"]}
        )
        assert status == 200
        await w.settle()
        assert labels(w, REPO, number) == DECLARED
        assert assignees(w, REPO, number) == ["alice"]
        assert "Severity 1" in summary_of(w, number)


async def test_declared_with_the_incident_command() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", body=FORM)
        await comment(w, "alice", number, "/incident")
        assert labels(w, REPO, number) == DECLARED
        assert assignees(w, REPO, number) == ["alice"]
        assert "Severity 1" in summary_of(w, number)
        assert_requests_conform(w)


async def test_without_a_form_the_default_severity_applies() -> None:
    async with world() as w:
        number = await open_issue(w, "bob", title="Slow pages", labels=["incident"])
        assert labels(w, REPO, number) == {"incident", "severity: 2", "status: stabilization pending"}


async def test_a_strangers_report_waits_for_a_collaborator_and_is_thanked() -> None:
    async with world() as w:
        number = await open_issue(w, "mallory", title="Site is broken for me")
        await comment(w, "mallory", number, "/incident")
        assert "incident" not in labels(w, REPO, number)
        replies = bot_comments(w, REPO, number)
        assert len(replies) == 1 and "`/incident`" in replies[0]["body"]
        await comment(w, "dave", number, "/incident")  # a triager confirms
        assert "incident" in labels(w, REPO, number)
        thanks = [c for c in bot_comments(w, REPO, number) if "incident-bot:thanks" in c["body"]]
        assert len(thanks) == 1 and "@mallory" in thanks[0]["body"]


async def test_labels_are_created_with_colour_and_description() -> None:
    async with world() as w:
        await open_issue(w, "alice", title="Down", labels=["incident"])
        status, repo_labels = await w.user("alice").get(f"/repos/{REPO}/labels?per_page=100")
        assert status == 200
        by_name = {label["name"]: label for label in repo_labels}
        assert by_name["severity: 1"]["color"] != "ededed"  # ours, not GitHub's default
        assert by_name["status: stabilized"]["description"]


async def test_a_redelivered_declaration_changes_nothing() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Down", body=FORM, labels=["incident"])
        before = (labels(w, REPO, number), w.sandbox.comments(REPO, number))
        writes_before = _writes(w)
        for delivery in list(w.sandbox.deliveries):
            await w.sandbox.redeliver(delivery.id)
        await w.settle()
        assert (labels(w, REPO, number), w.sandbox.comments(REPO, number)) == before
        assert _writes(w) == writes_before


@pytest.mark.parametrize("who", ["erin", "mallory"])
async def test_people_without_triage_change_nothing(who: str) -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Down", labels=["incident"])
        await comment(w, who, number, "/severity 1")
        assert "severity: 2" in labels(w, REPO, number)
        replies = [c for c in bot_comments(w, REPO, number) if f"@{who}" in c["body"]]
        assert len(replies) == 1
        assert "triage" in replies[0]["body"].lower()


def _writes(w) -> int:  # type: ignore[no-untyped-def]
    from tests.harness import app_requests

    return sum(1 for r in app_requests(w) if r.method != "GET")
