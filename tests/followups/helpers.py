"""Shared steps for the follow-up tests: declare, move an incident along, read what the bot wrote."""

from __future__ import annotations

from typing import Any

from app.cli.local import LocalWorld
from tests.harness import bot_comments, comment, open_issue

REPO = "acme/web"


async def declare(w: LocalWorld, severity: str = "1", **fields: Any) -> int:
    labels = ["incident", f"severity: {severity}", *fields.pop("extra_labels", [])]
    fields.setdefault("title", "Checkout is down")
    fields.setdefault("body", "Nothing loads.")
    return await open_issue(w, "alice", labels=labels, **fields)


async def investigate(w: LocalWorld, number: int, by: str = "alice") -> None:
    """From stabilization pending to under investigation: one step short of resolved."""
    await comment(w, by, number, "/status stabilized")
    await comment(w, by, number, "/status under investigation")


def kind(w: LocalWorld, number: int, name: str) -> list[str]:
    """The bot's comments carrying this marker kind (by prefix), oldest first."""
    tag = f"<!-- incident-bot:{name}"
    return [c["body"] for c in bot_comments(w, REPO, number) if tag in c["body"]]


def summary(w: LocalWorld, number: int) -> str:
    (body,) = kind(w, number, "summary")
    return body


def sub_issue_numbers(w: LocalWorld, number: int) -> list[int]:
    repo = w.sandbox.state.repo("acme", "web")
    assert repo is not None
    parent = repo.issues[number]
    return [w.sandbox.state.issues[i].number for i in parent.sub_issue_ids]


async def set_state(w: LocalWorld, login: str, number: int, state: str) -> None:
    status, answer = await w.user(login).patch(f"/repos/{REPO}/issues/{number}", json={"state": state})
    assert status == 200, (status, answer)
    await w.settle()
