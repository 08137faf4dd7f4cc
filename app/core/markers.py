"""The bot's hidden markers: the one registry of comment kinds, and where a marker may stand.

Every comment (and follow-up issue) the bot writes starts with one line,
``<!-- incident-bot:KIND -->``, so it can be found and edited instead of posted
again. People can write that text too, so a marker is trusted only where the bot
puts it: the whole first line of a body, matched exactly. Anything else that
looks like one, anywhere else, is people's text and means nothing. On top of
that, every human text the bot repeats goes through ``neutralise`` first, so a
quoted command line cannot carry a marker into the bot's own comment.
"""

from __future__ import annotations

import re

PREFIX = "<!-- incident-bot:"
SUFFIX = " -->"
_KIND = re.compile(r"[a-z][a-z0-9-]*(?::[a-z0-9._-]+)*")

# --- the kinds -------------------------------------------------------------------------------
SUMMARY = "summary"  # the living summary (its ledger is its last line)
THANKS = "thanks"  # the reporter thanked once
REPORT = "report"  # an /incident from someone below triage, recorded as a report
CLOSEOUT = "closeout"  # the close-out checklist on resolve
CONFIG_ERROR = "config-error"  # the repository's settings could not be used
RETRO = "retro"  # the retrospective checklist
DISCUSSION = "discussion"  # the follow-up opened as a discussion board on resolve
UPDATE_REMINDER = "update-reminder"  # + ":<start>:<window>"


def reply(comment_id: int) -> str:
    """The reply to one command comment (refusals, help): one per comment, ever."""
    return f"reply-{comment_id}"


def handoff(comment_id: int) -> str:
    """The ping to a new lead, for the /lead comment that named them."""
    return f"handoff-{comment_id}"


def notify(role_key: str) -> str:
    """The one ping to the people a workflow role must inform of every incident."""
    return f"notify-{role_key}"


def escalation(login: str) -> str:
    return f"escalation:{login.lower()}"


def followup(comment_id: int) -> str:
    """The follow-up issue a /followup comment opened."""
    return f"followup-{comment_id}"


def is_followup(kind: str | None) -> bool:
    return kind is not None and (kind.startswith("followup-") or kind == DISCUSSION)


# --- where a marker stands -------------------------------------------------------------------


def tag(kind: str) -> str:
    """The marker line for this kind."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"not a comment kind: {kind!r}")
    return f"{PREFIX}{kind}{SUFFIX}"


def kind_of(body: str | None) -> str | None:
    """The kind a body's first line declares, or None: the only place a marker counts."""
    if not body or not body.startswith(PREFIX):
        return None
    first = body.split("\n", 1)[0].rstrip("\r")
    if not first.endswith(SUFFIX):
        return None
    kind = first[len(PREFIX) : -len(SUFFIX)]
    return kind if _KIND.fullmatch(kind) else None


def body(kind: str, text: str) -> str:
    """A marked body: the marker line, then the text."""
    return f"{tag(kind)}\n{text}"


# Zero-width space: invisible where GitHub renders it (text and code spans alike), but
# `<!--` and `-->` no longer open or close an HTML comment and the prefix no longer matches.
_ZWSP = "\u200b"
_PREFIX_WORD = re.compile(r"incident-bot:", re.IGNORECASE)


def neutralise(text: str) -> str:
    """People's text, safe to repeat: no HTML comment can open or close, no marker survives.

    Closers first, then openers: "<!-->" holds both, overlapping, and must lose both.
    """
    text = text.replace("-->", f"--{_ZWSP}>").replace("<!--", f"<{_ZWSP}!--")
    return _PREFIX_WORD.sub(lambda m: f"{m.group(0)[:-1]}{_ZWSP}:", text)
