"""An outsider files the incident form (issue 13): recorded at once, thanked, called for.

GitHub applies the form's `incident` label whoever submits it, but will not assign
someone without access: the sandbox answers that assignment with 422, as GitHub does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli.local import LocalWorld
from app.core import ledger as codec
from tests.harness import assignees, bot_comments, comment, labels, world

REPO = "acme/web"
FORM = (Path(__file__).parents[2] / ".github" / "ISSUE_TEMPLATE" / "incident.yml").read_text()
ANSWERS = {
    "summary": "Checkout shows a blank page",
    "affected": "Everyone buying",
    "worse": "Yes",
    "downstream": "Payments",
    "severity": "1 - Critical: all users, all functionality",
}


async def file_form(w: LocalWorld, login: str, answers: dict[str, Any] | None = None) -> int:
    """The repository has the form and its labels (GitHub applies only labels that exist)."""
    w.sandbox.add_file(REPO, ".github/ISSUE_TEMPLATE/incident.yml", FORM)
    for name in ("incident", "severity: 1"):
        status, _ = await w.user("alice").post(
            f"/repos/{REPO}/labels", json={"name": name, "color": "d73a4a"}
        )
        assert status in (201, 422)
    issue = w.sandbox.submit_issue_form(
        REPO, login, "incident.yml", answers or ANSWERS, title="Checkout down"
    )
    await w.settle()
    return int(issue["number"])


def summary(w: LocalWorld, number: int) -> str:
    (body,) = [
        c["body"] for c in bot_comments(w, REPO, number) if c["body"].startswith("<!-- incident-bot:summary")
    ]
    return body


async def test_an_outsiders_form_is_recorded_thanked_and_has_no_lead_yet() -> None:
    async with world() as w:
        number = await file_form(w, "mallory")
        assert {"incident", "severity: 1"} <= labels(w, REPO, number)
        assert assignees(w, REPO, number) == []
        body = summary(w, number)
        assert "**No lead yet.**" in body and "/lead @me" in body
        assert "#### Next steps" in body
        thanks = [c["body"] for c in bot_comments(w, REPO, number) if "incident-bot:thanks" in c["body"]]
        assert len(thanks) == 1 and "@mallory" in thanks[0]
        # Nothing the bot sent was refused: it never asked GitHub to assign mallory.
        refused = [r for r in w.sandbox.requests if r.status == 422 and r.actor.startswith("installation:")]
        assert refused == []


async def test_github_refuses_to_assign_an_outsider() -> None:
    """The sandbox's side of the defect: the assignment the bot used to send is a 422."""
    async with world() as w:
        number = await file_form(w, "mallory")
        status, answer = await w.user("alice").patch(
            f"/repos/{REPO}/issues/{number}", json={"assignees": ["mallory"]}
        )
        assert status == 422 and answer["errors"][0]["field"] == "assignees"


async def test_a_refused_assignment_costs_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    """If GitHub refuses the lead anyway (its answer changed since the check), the rest is done
    and the summary says what could not be."""
    async with world() as w:

        async def yes(*_: object) -> bool:
            return True

        monkeypatch.setattr(w.services, "assignable", yes)
        number = await file_form(w, "mallory")
        body = summary(w, number)
        assert "could not assign @mallory: not assignable in this repository" in body
        assert "**No lead yet.**" in body
        assert any("incident-bot:thanks" in c["body"] for c in bot_comments(w, REPO, number))
        # Later passes do not ask again, and the summary keeps saying it, once.
        await comment(w, "mallory", number, "still down")
        await comment(w, "alice", number, "/severity 2")
        visible = summary(w, number).rsplit("\n", 1)[0]
        assert visible.count("could not assign @mallory") == 1
        refused = [r for r in w.sandbox.requests if r.status == 422 and r.actor.startswith("installation:")]
        assert len(refused) == 1


async def test_lead_to_someone_unassignable_is_refused_and_the_lead_stays() -> None:
    async with world() as w:
        status, issue = await w.user("alice").post(
            f"/repos/{REPO}/issues", json={"title": "Down", "labels": ["incident"]}
        )
        assert status == 201
        number = int(issue["number"])
        await w.settle()
        before = assignees(w, REPO, number)
        assert before
        for target in ("@everyone", "@ghost-user", "@mallory"):
            await comment(w, "bob", number, f"/lead {target}")
            assert assignees(w, REPO, number) == before
        replies = [c["body"] for c in bot_comments(w, REPO, number) if "cannot be assigned" in c["body"]]
        assert len(replies) == 3
        assert not any("you now lead" in c["body"] for c in bot_comments(w, REPO, number))


async def test_an_outsiders_report_is_unconfirmed_until_a_triager_acts() -> None:
    async with world() as w:
        number = await file_form(w, "mallory")
        assert "**Unconfirmed report.**" in summary(w, number)
        assert not codec.decode(summary(w, number)).confirmed
        await comment(w, "erin", number, "/ack")  # read access: not enough, refused
        assert "**Unconfirmed report.**" in summary(w, number)
        await comment(w, "dave", number, "/ack")  # triage
        assert "**Unconfirmed report.**" not in summary(w, number)
        assert codec.decode(summary(w, number)).confirmed_by == "dave"


async def test_a_triagers_label_change_confirms_a_report() -> None:
    async with world() as w:
        number = await file_form(w, "mallory")
        status, _ = await w.user("dave").post(
            f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["severity: 2"]}
        )
        assert status == 200
        await w.settle()
        assert codec.decode(summary(w, number)).confirmed_by == "dave"


async def test_a_members_declaration_is_confirmed_from_the_start() -> None:
    async with world() as w:
        fields = {"title": "Down", "labels": ["incident"]}
        status, issue = await w.user("carol").post(f"/repos/{REPO}/issues", json=fields)
        assert status == 201
        await w.settle()
        body = summary(w, int(issue["number"]))
        assert "Unconfirmed" not in body and codec.decode(body).confirmed


async def test_help_works_on_any_issue() -> None:
    async with world() as w:
        status, issue = await w.user("mallory").post(f"/repos/{REPO}/issues", json={"title": "A question"})
        assert status == 201
        await w.settle()
        for who in ("mallory", "carol"):
            await comment(w, who, int(issue["number"]), "/help")
        replies = [c["body"] for c in bot_comments(w, REPO, int(issue["number"]))]
        assert len(replies) == 2 and all("`/severity N`" in r and "not an incident" not in r for r in replies)
        assert "incident" not in labels(w, REPO, int(issue["number"]))
