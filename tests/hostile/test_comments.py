"""Hostile comments through the server and the sandbox (issue findings 1, 3 and 4).

Each attack is what an outsider or one triager can write; each test fails on a bot
that trusts a marker anywhere in a comment, or that builds a text past GitHub's limit.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp
import pytest

from app.cli.local import LocalWorld
from app.core import ledger as codec
from app.core.texts import fit
from app.core.texts.summary import AGE_MARK
from app.service.sweep import sweep
from tests.harness import bot_comments, comment, labels, open_issue, world

REPO = "acme/web"
FORGED_LEDGER = (
    codec.LEDGER_OPEN
    + json.dumps(
        {
            "v": 1,
            "db": "mallory",
            "da": 0,
            "ack": [["mallory", 0, 1]],
            "upd": [],
            "rol": [],
            "hand": [],
            "done": [],
        }
    )
    + codec.LEDGER_CLOSE
)
FORGED_LINE = f"/x <!-- incident-bot:summary --> {FORGED_LEDGER}"


def summaries(w: LocalWorld, number: int) -> list[str]:
    return [
        c["body"]
        for c in bot_comments(w, REPO, number)
        if c["body"].startswith("<!-- incident-bot:summary -->")
    ]


def no_forged_marker(body: str) -> bool:
    """Only the bot's own first line (and the summary's last) may hold a marker."""
    inner = body.split("\n")[1:]
    if body.startswith("<!-- incident-bot:summary -->"):
        inner = inner[:-1]
    inner = [line.replace(AGE_MARK, "") for line in inner]  # the bot's own, on its own line
    return not any("<!--" in line or "incident-bot:" in line for line in inner)


async def test_an_outsiders_quoted_markers_never_become_the_summary_or_its_ledger() -> None:
    async with world() as w:
        number = await open_issue(w, "mallory", title="Site down?", body="It does not load for me.")
        await comment(w, "mallory", number, f"/incident\n{FORGED_LINE}")
        for body in (c["body"] for c in bot_comments(w, REPO, number)):
            assert no_forged_marker(body), body
        await comment(w, "alice", number, "/incident")
        (summary,) = summaries(w, number)
        assert "by @alice" in summary and "mallory" not in summary.split("\n")[-1]
        ledger = codec.decode(summary)
        assert ledger.declared_by == "alice" and not ledger.acks
        assert "incident" in labels(w, REPO, number)


async def test_a_triagers_update_cannot_overwrite_the_ledger() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", body="x", labels=["incident"])
        await comment(w, "alice", number, "/ack")
        await comment(w, "dave", number, f"/update {FORGED_LEDGER}")
        (summary,) = summaries(w, number)
        ledger = codec.decode(summary)
        assert [a.by for a in ledger.acks] == ["alice"]  # the ack stayed
        assert ledger.declared_by == "alice"
        assert any(u.by == "dave" for u in ledger.updates)  # the update was kept, as text
        assert no_forged_marker(summary)


async def test_a_comment_of_thousands_of_updates_is_bounded_and_answered_once() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", body="x", labels=["incident"])
        flood = "\n".join(f"/update {i}" for i in range(4300))
        assert len(flood) < fit.COMMENT_LIMIT
        await comment(w, "dave", number, flood)
        (summary,) = summaries(w, number)
        assert len(summary) <= fit.COMMENT_LIMIT
        kept = codec.decode(summary).updates
        assert 0 < len(kept) <= 20  # at most 20 commands a comment
        replies = [c["body"] for c in bot_comments(w, REPO, number) if "reply-" in c["body"].split("\n")[0]]
        assert len(replies) == 1 and "did not apply the other 4280" in replies[0]


async def test_a_flood_of_mistyped_commands_gets_one_bounded_reply_and_the_sweep_goes_on() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", body="x", labels=["incident"])
        junk = "\n".join(f"/stauts <!-- incident-bot:summary --> {'`' * 3}{i}" + "z" * 40 for i in range(700))
        assert len(junk) < fit.COMMENT_LIMIT
        await comment(w, "mallory", number, junk)
        await comment(w, "dave", number, junk)
        for body in (c["body"] for c in bot_comments(w, REPO, number)):
            assert len(body) <= fit.COMMENT_LIMIT
            assert no_forged_marker(body), body[:300]
        failed = [r for r in w.sandbox.requests if r.status == 422 and r.actor.startswith("installation:")]
        assert failed == []  # nothing the bot wrote was refused
        report = await sweep(w.services)
        assert report.failed == 0 and report.incidents >= 1


async def test_an_incident_that_keeps_failing_is_reported_once_counted_and_blocks_no_other(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.service import sweep as sweep_module

    async with world() as w:
        broken = await open_issue(w, "alice", title="Broken", body="x", labels=["incident"])
        fine = await open_issue(w, "alice", title="Fine", body="x", labels=["incident"])
        real = sweep_module.sweep_incident

        async def failing(gh: Any, services: Any, ref: Any, *args: Any, **kwargs: Any) -> list[str]:
            if ref.number == broken:
                raise RuntimeError("GitHub refused it")
            return await real(gh, services, ref, *args, **kwargs)

        monkeypatch.setattr(sweep_module, "sweep_incident", failing)
        with caplog.at_level(logging.WARNING, logger="app.service.sweep"):
            reports = [await sweep(w.services) for _ in range(3)]
        assert [r.failed for r in reports] == [1, 1, 1] and all(r.incidents == 2 for r in reports)
        tracebacks = [r for r in caplog.records if r.exc_info]
        assert len(tracebacks) == 1  # reported whole once...
        assert sum("failed again" in r.getMessage() for r in caplog.records) == 2  # ...then counted
        async with aiohttp.ClientSession() as http:
            text = await (await http.get(f"{w.url}/metrics")).text()
        assert f'incident_bot_incident_failures_total{{incident="acme/web#{broken}"}} 3' in text
        assert f"acme/web#{fine}" not in text
