"""Parsing commands out of comment bodies: forgiving in form, strict in meaning."""

from __future__ import annotations

import pytest

from app.core.commands.grammar import Command, parse
from tests.rules.factories import default_workflow

WF = default_workflow()
CRITICAL = frozenset({"critical"})
FORCE = frozenset({"force"})


def _commands(body: str, author: str = "alice") -> tuple[Command, ...]:
    parsed = parse(body, WF, author=author)
    assert parsed.errors == ()
    return parsed.commands


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/ack", Command("ack")),
        ("/ACK", Command("ack")),
        ("  /ack  ", Command("ack")),
        ("/severity 1", Command("severity", "1")),
        ("/sev 1", Command("severity", "1")),
        ("/severity sev1", Command("severity", "1")),
        ("/Severity critical", Command("severity", "1")),
        ("/status stabilised", Command("status", "stabilized")),
        ("/status under-investigation", Command("status", "under-investigation")),
        ("/status Under Investigation", Command("status", "under-investigation")),
        ("/status status: resolved", Command("status", "resolved")),
        ("/lead @bob", Command("lead", login="bob")),
        ("/lead bob", Command("lead", login="bob")),
        ("/lead me", Command("lead", login="alice")),
        ("/role comms @bob", Command("role", "comms", "bob")),
        ("/role delivery manager @bob", Command("role", "delivery-manager", "bob")),
        ("/role dm bob", Command("role", "delivery-manager", "bob")),
        ("/update rolled back v2", Command("update", "rolled back v2")),
        ("/followup Add an alert", Command("followup", "Add an alert")),
        ("/followup critical Fix the cache", Command("followup", "Fix the cache", flags=CRITICAL)),
        ("/followup --critical Fix it", Command("followup", "Fix it", flags=CRITICAL)),
        ("/followup Critical path review", Command("followup", "path review", flags=CRITICAL)),
        ("/followup", Command("followup")),
        ("/followup critical", Command("followup", flags=CRITICAL)),
        ("/resolve", Command("resolve")),
        ("/resolve --force", Command("resolve", flags=FORCE)),
        ("/resolve force", Command("resolve", flags=FORCE)),
        ("/resolve rolled back and quiet", Command("resolve")),
        ("/retro", Command("retro")),
        ("/help", Command("help")),
        ("/incident", Command("incident")),
    ],
)
def test_one_command(body: str, expected: Command) -> None:
    assert _commands(body) == (expected,)


def test_several_commands_in_one_comment_in_order() -> None:
    body = "On it.\n/ack\nsome words\n/severity 1\n/status stabilized"
    assert [c.verb for c in _commands(body)] == ["ack", "severity", "status"]


def test_an_update_runs_on_over_following_lines_until_the_next_command() -> None:
    body = "/update rolled back\nerror rate falling\n/ack"
    assert _commands(body) == (Command("update", "rolled back\nerror rate falling"), Command("ack"))


@pytest.mark.parametrize(
    "body",
    [
        "",
        "Just words, no commands.",
        "the fix is /ack in the middle of a line",
        "/usr/bin/env is missing",
        "> /severity 1\n> quoted from someone",
        "```\n/status resolved\n```",
        "~~~\n/ack\n~~~",
    ],
)
def test_no_commands(body: str) -> None:
    assert parse(body, WF) == parse("", WF)
    assert parse(body, WF).commands == ()


def test_a_code_block_ends_and_commands_after_it_count() -> None:
    assert [c.verb for c in _commands("```\n/resolve\n```\n/ack")] == ["ack"]


@pytest.mark.parametrize(
    ("body", "in_reason", "in_usage"),
    [
        ("/stauts stabilized", "Did you mean /status?", "/status NAME"),
        ("/severty 1", "Did you mean /severity?", "/severity N"),
        ("/frobnicate", "not a command", "/help"),
        ("/severity 7", "unknown severity '7'", "/severity N"),
        ("/severity", "needs a level", "/severity N"),
        ("/status fixed", "unknown status 'fixed'", "/status NAME"),
        ("/lead", "one GitHub login", "/lead @login"),
        ("/lead bob and carol", "one GitHub login", "/lead @login"),
        ("/role @bob", "needs a role and a login", "/role NAME @login"),
        ("/role janitor @bob", "unknown role 'janitor'", "/role NAME @login"),
        ("/update", "needs some text", "/update TEXT"),
    ],
)
def test_malformed_commands_say_why_and_show_the_valid_form(body: str, in_reason: str, in_usage: str) -> None:
    (error,) = parse(body, WF).errors
    assert in_reason in error.reason
    assert in_usage in error.usage
    assert error.line == body
