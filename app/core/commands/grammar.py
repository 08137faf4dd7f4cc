"""Commands in a comment: `/word ...` as the first word of a line.

Forgiving about case, aliases (`/sev 1`), spelling (`/status stabilised`) and
`@` (`/lead alice`); strict about meaning: an unknown or malformed command is
a ``ParseError`` that says what was wrong and shows the valid form. Lines in
fenced code blocks and `>` quotes are someone else's words and are ignored.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from app.workflow.model import Workflow

USAGE = {
    "incident": ("/incident", "declare this issue an incident (anyone may report one)"),
    "severity": ("/severity N", "set the severity, e.g. `/severity 1`"),
    "status": ("/status NAME", "move to a status, e.g. `/status stabilized`"),
    "ack": ("/ack", "the lead acknowledges: I'm on it"),
    "lead": ("/lead @login", "hand the lead over to @login"),
    "role": ("/role NAME @login", "give a role to @login, e.g. `/role comms @bob`"),
    "update": ("/update TEXT", "post a progress update to the timeline"),
    "followup": ("/followup [critical] TITLE", "open a linked follow-up issue (`critical`: it stabilizes)"),
    "resolve": (
        "/resolve [--force]",
        "mark the incident resolved (`--force`: despite open critical follow-ups)",
    ),
    "retro": ("/retro", "post (or refresh) the retrospective checklist"),
    "help": ("/help", "list these commands"),
}
ALIASES = {
    "sev": "severity",
    "declare": "incident",
    "acknowledge": "ack",
    "follow-up": "followup",
    "retrospective": "retro",
    "resolved": "resolve",
}
CRITICAL_WORDS = frozenset({"critical", "--critical"})
FORCE_WORDS = frozenset({"--force", "force", "-f"})
_COMMAND_LINE = re.compile(r"^/([A-Za-z][A-Za-z_-]*)(?=\s|$)\s*(.*)$")
_LOGIN = re.compile(r"^@?([A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?)$")
_FENCE = re.compile(r"^(```|~~~)")


@dataclass(frozen=True)
class Command:
    verb: str  # a key of USAGE
    value: str = ""  # severity key, status key, role key, update text or follow-up title
    login: str = ""  # for /lead and /role, without '@'
    flags: frozenset[str] = frozenset()  # "critical" for /followup, "force" for /resolve


@dataclass(frozen=True)
class ParseError:
    line: str  # the line as written
    reason: str
    usage: str  # the valid form(s)


@dataclass(frozen=True)
class Parsed:
    commands: tuple[Command, ...] = ()
    errors: tuple[ParseError, ...] = ()
    skipped: int = 0  # command lines past COMMANDS_MAX: not read, refused in the reply


# Commands one comment may carry. A comment of 4,300 `/update` lines is not a report, it
# is a way to make one delivery do unbounded work; past this, the lines are refused.
COMMANDS_MAX = 20


def usage(verb: str) -> str:
    return USAGE[verb][0]


def _command_lines(body: str) -> list[tuple[str, str, str]]:
    """(line, word, rest) for each command line; continuation lines join /update's text.

    Linear in the comment's length whatever it holds: continuation lines are collected
    and joined once (joining them one by one was quadratic on a 65 KB comment).
    """
    found: list[tuple[str, str, list[str]]] = []
    in_fence = False
    for raw in body.splitlines():
        line = raw.strip()
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence or line.startswith(">"):
            continue
        match = _COMMAND_LINE.match(line)
        if match:
            found.append((line, match.group(1), [match.group(2).strip()]))
        elif found and line and _canonical(found[-1][1]) == "update":
            found[-1][2].append(line)  # a multi-line update: the text goes on until the next command
    return [(line, word, "\n".join(parts).strip()) for line, word, parts in found]


def verbs(body: str) -> frozenset[str]:
    """The commands a comment carries, by canonical name (aliases resolved), valid or not."""
    return frozenset(v for _, word, _ in _command_lines(body) if (v := _canonical(word)) is not None)


def has_command_line(body: str) -> bool:
    """Whether any line of the comment is written as a command (even a mistyped one)."""
    return bool(_command_lines(body))


def _canonical(word: str) -> str | None:
    word = word.lower()
    if word in USAGE:
        return word
    return ALIASES.get(word)


def parse(body: str, workflow: Workflow, *, author: str = "") -> Parsed:
    """Every command in the comment body, or why a line is not a valid command."""
    commands: list[Command] = []
    errors: list[ParseError] = []
    lines = _command_lines(body)
    for line, word, rest in lines[:COMMANDS_MAX]:
        result = _parse_one(line, word, rest, workflow, author)
        if isinstance(result, ParseError):
            errors.append(result)
        else:
            commands.append(result)
    return Parsed(tuple(commands), tuple(errors), max(len(lines) - COMMANDS_MAX, 0))


def _parse_one(line: str, word: str, rest: str, workflow: Workflow, author: str) -> Command | ParseError:
    verb = _canonical(word)
    if verb is None:
        return _unknown(line, word)
    match verb:
        case "severity":
            return _severity(line, rest, workflow)
        case "status":
            return _status(line, rest, workflow)
        case "lead":
            return _lead(line, rest, author)
        case "role":
            return _role(line, rest, workflow, author)
        case "update":
            if not rest:
                return ParseError(line, "/update needs some text", usage(verb))
            return Command(verb, rest)
        case "followup":
            return _followup(rest)
        case "resolve":
            return _resolve(rest)
        case _:
            return Command(verb)


def _followup(rest: str) -> Command:
    """`/followup [critical] [TITLE]`: no title means the bot picks a neutral one."""
    first, _, title = rest.partition(" ")
    if first.lower() in CRITICAL_WORDS:
        return Command("followup", title.strip(), flags=frozenset({"critical"}))
    return Command("followup", rest)


def _resolve(rest: str) -> Command:
    # Other text after /resolve ("/resolve rolled back") is a remark, not an error.
    forced = rest.split(" ", 1)[0].lower() in FORCE_WORDS
    return Command("resolve", flags=frozenset({"force"}) if forced else frozenset())


def _unknown(line: str, word: str) -> ParseError:
    candidates = [*USAGE, *ALIASES]
    close = difflib.get_close_matches(word.lower(), candidates, n=1, cutoff=0.6)
    hint = f" Did you mean /{_canonical(close[0])}?" if close else ""
    return ParseError(line, f"/{word} is not a command.{hint}", help_usages())


def help_usages() -> str:
    return ", ".join(f"`{form}`" for form, _ in USAGE.values())


def _severity(line: str, rest: str, workflow: Workflow) -> Command | ParseError:
    severity = workflow.severity(rest) if rest else None
    if severity is None:
        keys = ", ".join(s.key for s in workflow.severities)
        why = f"unknown severity {rest!r}" if rest else "/severity needs a level"
        return ParseError(line, f"{why}; the levels are {keys}", usage("severity"))
    return Command("severity", severity.key)


def _status(line: str, rest: str, workflow: Workflow) -> Command | ParseError:
    status = workflow.status(rest) if rest else None
    if status is None:
        names = ", ".join(s.name.lower() for s in workflow.statuses)
        why = f"unknown status {rest!r}" if rest else "/status needs a status"
        return ParseError(line, f"{why}; the statuses are {names}", usage("status"))
    return Command("status", status.key)


def _login(text: str, author: str) -> str | None:
    if text.lower() in ("me", "@me") and author:
        return author
    match = _LOGIN.match(text)
    return match.group(1) if match else None


def _lead(line: str, rest: str, author: str) -> Command | ParseError:
    login = _login(rest, author) if rest and " " not in rest else None
    if login is None:
        return ParseError(line, "/lead needs one GitHub login", usage("lead"))
    return Command("lead", login=login)


def _role(line: str, rest: str, workflow: Workflow, author: str) -> Command | ParseError:
    # The role's name may have spaces ("delivery manager"): the login is the last word.
    words = rest.split()
    login = _login(words[-1], author) if len(words) >= 2 else None
    role = workflow.role(" ".join(words[:-1])) if login else None
    if login is None or role is None:
        names = ", ".join(r.key for r in workflow.roles) or "(this workflow names no roles)"
        why = "/role needs a role and a login" if login is None else f"unknown role {' '.join(words[:-1])!r}"
        return ParseError(line, f"{why}; the roles are {names}", usage("role"))
    return Command("role", role.key, login)
