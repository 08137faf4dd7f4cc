"""A security incident's title and body never leave it: not in bot comments, follow-ups or logs."""

from __future__ import annotations

import logging

import pytest

from app.cli.local import LocalWorld
from tests.followups.helpers import REPO, declare, investigate, kind, set_state, sub_issue_numbers
from tests.harness import bot_comments, comment, world

MARKER = "zq7-Marker-e41f"  # unique: found only where the issue's own text was copied


def _everything_the_bot_wrote(w: LocalWorld, number: int) -> list[str]:
    texts = [c["body"] for c in bot_comments(w, REPO, number)]
    for followup in sub_issue_numbers(w, number):
        issue = w.sandbox.issue(REPO, followup)
        texts += [issue["title"], issue["body"] or ""]
        texts += [c["body"] for c in bot_comments(w, REPO, followup)]
    return texts


def _app_log_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every log line of the app (the sandbox stands for GitHub: its logs are not the app's)."""
    records = [r for r in caplog.records if not r.name.startswith("app.sandbox")]
    return [f"{r.getMessage()} {r.exc_text or ''}" for r in records]


async def test_no_bot_text_follow_up_or_log_line_carries_the_issue_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with world() as w:
        number = await declare(
            w,
            severity="1",
            title=f"Leaked token {MARKER}",
            body=f"The token {MARKER}-body is in the public build log.",
            extra_labels=["security"],
        )
        await comment(w, "alice", number, "/ack\n/update contained, rotating")
        await comment(w, "alice", number, "/followup")  # no title: the bot picks a neutral one
        await comment(w, "bob", number, "/followup critical Rotate the deploy keys")
        await investigate(w, number)
        await set_state(w, "carol", number, "closed")  # the gate: a critical follow-up is open
        await comment(w, "bob", number, "/resolve --force\n/retro")
        await comment(w, "mallory", number, "/severity 1")  # a refusal names the command only
        written = _everything_the_bot_wrote(w, number)
        logs = _app_log_lines(caplog)
        assert len(kind(w, number, "retro")) == 1 and len(sub_issue_numbers(w, number)) == 2
        assert written and logs
        assert [t for t in written if MARKER in t] == []
        assert [line for line in logs if MARKER in line] == []


async def test_security_followups_have_neutral_titles_unless_given_and_point_to_the_advisory() -> None:
    async with world() as w:
        number = await declare(w, title=f"Leaked token {MARKER}", extra_labels=["security"])
        await comment(w, "alice", number, "/followup")
        await comment(w, "alice", number, "/followup Rotate the deploy keys")
        neutral, given = sub_issue_numbers(w, number)
        assert w.sandbox.issue(REPO, neutral)["title"] == f"Follow-up of Security incident #{number}"
        assert w.sandbox.issue(REPO, given)["title"] == "Rotate the deploy keys"
        assert "private security advisory" in w.sandbox.issue(REPO, neutral)["body"]
        summary = kind(w, number, "summary")[0]
        assert "security/advisories/new" in summary and "Do not write details" in summary
        assert f"- [ ] #{neutral} · `critical` (open)" in summary  # numbers only, no titles
