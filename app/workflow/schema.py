"""What a workflow file may say, checked by hand into the frozen model.

The schema is data (`WORKFLOW`): each key's type, whether it is required, its
default and a line of documentation. `build_workflow` walks a parsed document
against it, converts values (durations to timedelta, colours to lower-case hex),
constructs the model's dataclasses, then checks what a per-key walk cannot see:
references between keys (transitions, default severity), unique keys and labels,
exactly one resolved status. Every failure is a one-line `WorkflowError`.

No JSON Schema library: the checks we need (lines, durations, "did you mean",
cross references) are simpler to write than to bolt onto one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType
from typing import Any, Final

from app.workflow import model
from app.workflow.errors import UNSET, WorkflowError, WorkflowErrors
from app.workflow.yamltree import Doc, KeyPath, format_path

# --- the schema's vocabulary -------------------------------------------------------


@dataclass(frozen=True)
class Scalar:
    kind: str  # a key of _SCALARS


@dataclass(frozen=True)
class ListOf:
    item: Spec


@dataclass(frozen=True)
class MapOf:
    """A mapping whose keys the file chooses (status keys in `transitions`)."""

    value: Spec
    key_doc: str  # how docs name the key: "<status>"


@dataclass(frozen=True)
class Obj:
    cls: type[Any]  # the model dataclass this becomes
    fields: Mapping[str, Field]


Spec = Scalar | ListOf | MapOf | Obj

REQUIRED: Final = object()


@dataclass(frozen=True)
class Field:
    spec: Spec
    doc: str
    # REQUIRED; UNSET: the model's own default; anything else: the value when absent
    # (for Workflow fields the model leaves without default).
    default: object = UNSET


# --- scalar kinds ------------------------------------------------------------------

_DURATION = re.compile(r"(\d+)\s*([wdhms])")
_DURATION_WHOLE = re.compile(r"^\s*(?:\d+\s*[wdhms]\s*)+$")
_DURATION_UNITS: Final = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")
_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
# `org/team-slug`, or a bare `team-slug`: a team of the repository owner's organisation.
_TEAM = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]{0,38}/)?[A-Za-z0-9_.-]+$")
_COLOR = re.compile(r"^[0-9a-fA-F]{6}$")

# Checked by hand here because a bad value would otherwise fail later, at GitHub.
LABEL_NAME_MAX: Final = 50
LABEL_DESCRIPTION_MAX: Final = 100


class _Bad(Exception):
    """A scalar that does not fit: what was expected, and a hint."""

    def __init__(self, expected: str, hint: str = "") -> None:
        super().__init__(expected)
        self.expected = expected
        self.hint = hint


def _text(value: object, raw: str | None) -> str:
    # Free text may be written unquoted: `name: 404` or `title: yes` mean the text as written.
    if isinstance(value, str):
        return value
    if raw is not None and not isinstance(value, (list, tuple, Mapping)):
        return raw
    raise _Bad("text")


def _nonempty_text(value: object, raw: str | None) -> str:
    text = _text(value, raw).strip()
    if not text:
        raise _Bad("non-empty text")
    return text


def _key(value: object, raw: str | None) -> str:
    try:
        text = _text(value, raw).strip()
    except _Bad:
        raise _Bad("a key like 'stabilized' or '1'") from None
    if not _KEY.match(text):
        raise _Bad("a key like 'stabilized' or '1' (letters, digits, '-', '_', '.')")
    return text


def _bool(value: object, raw: str | None) -> bool:
    if isinstance(value, bool):
        return value
    raise _Bad("true or false")


def parse_duration(text: str) -> dt.timedelta | None:
    """'15m' -> 15 minutes; '1h30m' -> 90 minutes; None when not a duration."""
    if not _DURATION_WHOLE.match(text):
        return None
    parts: dict[str, int] = {}
    for amount, unit in _DURATION.findall(text):
        name = _DURATION_UNITS[unit]
        parts[name] = parts.get(name, 0) + int(amount)
    return dt.timedelta(**parts)


def _duration(value: object, raw: str | None) -> dt.timedelta:
    expected = "a duration like 15m, 1h or 2d"
    if not isinstance(value, str):
        raise _Bad(expected, "units are w, d, h, m, s" if isinstance(value, int) else "")
    parsed = parse_duration(value)
    if parsed is None:
        raise _Bad(expected)
    if parsed <= dt.timedelta(0):
        raise _Bad("a duration longer than zero, like 15m, 1h or 2d")
    return parsed


def _color(value: object, raw: str | None) -> str:
    text = raw if raw is not None and not isinstance(value, str) else value
    if isinstance(text, str):
        text = text.strip().removeprefix("#")
        if _COLOR.match(text):
            return text.lower()
    raise _Bad("a colour of 6 hex digits like 'd73a4a' (quoted)")


def _label_name(value: object, raw: str | None) -> str:
    text = _nonempty_text(value, raw)
    if len(text) > LABEL_NAME_MAX:
        raise _Bad(f"a label name of at most {LABEL_NAME_MAX} characters (GitHub's limit)")
    return text


def _label_description(value: object, raw: str | None) -> str:
    text = _text(value, raw).strip()
    if len(text) > LABEL_DESCRIPTION_MAX:
        raise _Bad(f"a description of at most {LABEL_DESCRIPTION_MAX} characters (GitHub's limit)")
    return text


def _login(value: object, raw: str | None) -> str:
    text = _text(value, raw).strip().removeprefix("@") if isinstance(value, str) else None
    if text is None or not _LOGIN.match(text):
        raise _Bad("a GitHub login like 'octocat'")
    return text


def _team(value: object, raw: str | None) -> str:
    if isinstance(value, str) and _TEAM.match(value.strip().removeprefix("@")):
        return value.strip().removeprefix("@")
    raise _Bad("a team like 'my-org/on-call' or 'on-call'")


def _date(value: object, raw: str | None) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Bad("a date like 2024-01-01")


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _timezone(value: object, raw: str | None) -> str:
    if not isinstance(value, str):
        raise _Bad("a time zone like 'Europe/London' or 'UTC'")
    known = _known_timezones()
    # Without a tz database (slim containers) any name would fail: accept it then.
    if value in known or value == "UTC" or not known:
        return value
    close = difflib.get_close_matches(value, sorted(known), n=1)
    raise _Bad(
        "an IANA time zone like 'Europe/London' or 'UTC'",
        f"did you mean {close[0]!r}?" if close else "",
    )


def _period(value: object, raw: str | None) -> str:
    if value in ("weekly", "daily"):
        return str(value)
    raise _Bad("'weekly' or 'daily'")


def _numbered_template(value: object, raw: str | None) -> str:
    text = _nonempty_text(value, raw)
    try:
        text.format(number=1)
    except (KeyError, IndexError, ValueError):
        raise _Bad("text whose only placeholder is {number}") from None
    return text


def _event(value: object, raw: str | None) -> str:
    names = ", ".join(model.NOTIFY_EVENTS)
    if isinstance(value, str) and value.strip() in model.NOTIFY_EVENTS:
        return value.strip()
    close = difflib.get_close_matches(str(value), model.NOTIFY_EVENTS, n=1) if isinstance(value, str) else []
    raise _Bad(f"an event, one of {names}", f"did you mean {close[0]!r}?" if close else "")


_SCALARS: Final[Mapping[str, tuple[Callable[[object, str | None], object], str]]] = {
    # kind: (converter, how docs name the type)
    "text": (_text, "text"),
    "name": (_nonempty_text, "text"),
    "key": (_key, "key"),
    "bool": (_bool, "boolean"),
    "duration": (_duration, "duration (`15m`, `1h`, `2d`, `1w`, `1h30m`)"),
    "color": (_color, "colour (6 hex digits, quoted)"),
    "label_name": (_label_name, f"text (≤ {LABEL_NAME_MAX} characters)"),
    "label_description": (_label_description, f"text (≤ {LABEL_DESCRIPTION_MAX} characters)"),
    "login": (_login, "GitHub login"),
    "team": (_team, "`org/team-slug` or `team-slug`"),
    "date": (_date, "date (`2024-01-01`)"),
    "timezone": (_timezone, "IANA time zone"),
    "period": (_period, "`weekly` or `daily`"),
    "numbered_template": (_numbered_template, "text with `{number}`"),
    "event": (_event, "event (`declared`, `acknowledged`, `severity_changed`, …)"),
}


# --- the workflow schema ------------------------------------------------------------

TEXTS = ListOf(Scalar("text"))
LOGINS = ListOf(Scalar("login"))

LABEL = Obj(
    model.LabelSpec,
    {
        "name": Field(Scalar("label_name"), "The label's name on GitHub.", REQUIRED),
        "color": Field(Scalar("color"), "Its colour, e.g. `'d73a4a'`.", REQUIRED),
        "description": Field(Scalar("label_description"), "Shown next to the label on GitHub."),
    },
)

SEVERITY = Obj(
    model.Severity,
    {
        "key": Field(Scalar("key"), "What `/severity KEY` names, e.g. `1`.", REQUIRED),
        "name": Field(Scalar("name"), "Its name, e.g. `Critical`.", REQUIRED),
        "label": Field(LABEL, "The label that marks this severity.", REQUIRED),
        "qualifies": Field(Scalar("text"), "What makes an incident this severe.", REQUIRED),
        "ack_within": Field(
            Scalar("duration"),
            "The lead must acknowledge (`/ack`) within this, else the bot escalates.",
            REQUIRED,
        ),
        "update_every": Field(
            Scalar("duration"),
            "The lead posts an `/update` at least this often, else the bot reminds them.",
            REQUIRED,
        ),
        "next_steps": Field(TEXTS, "Checklist items shown while at this severity."),
        "critical_followups": Field(
            Scalar("bool"),
            "Follow-ups opened before the incident is stabilized get the critical label.",
        ),
        "aliases": Field(TEXTS, "Other names accepted by `/severity` and the form."),
    },
)

STATUS = Obj(
    model.Status,
    {
        "key": Field(Scalar("key"), "What `/status KEY` names.", REQUIRED),
        "name": Field(Scalar("name"), "Its name, e.g. `Stabilization pending`.", REQUIRED),
        "label": Field(LABEL, "The label that marks this status.", REQUIRED),
        "next_steps": Field(TEXTS, "Checklist items shown while in this status."),
        "stabilized": Field(Scalar("bool"), "Service is no longer disrupted (ends the critical window)."),
        "resolved": Field(
            Scalar("bool"),
            "The terminal status: close-out and retrospective follow. Exactly one status.",
        ),
        "aliases": Field(TEXTS, "Other names accepted by `/status` and the form."),
    },
)

ROLE = Obj(
    model.Role,
    {
        "key": Field(Scalar("key"), "What `/role KEY @login` names.", REQUIRED),
        "name": Field(Scalar("name"), "Its name, e.g. `Delivery manager`.", REQUIRED),
        "description": Field(Scalar("text"), "What the role does, shown in `/help`."),
        "required_to_declare": Field(
            Scalar("bool"), "Only this role (or a repository admin) may confirm an incident."
        ),
        "required_to_resolve": Field(
            Scalar("bool"), "Only this role (or a repository admin) may resolve an incident."
        ),
        "aliases": Field(TEXTS, "Other names accepted by `/role`."),
        "notify": Field(LOGINS, "Logins mentioned when an incident is declared."),
    },
)

ROTATION = Obj(
    model.Rotation,
    {
        "period": Field(Scalar("period"), "How long each member is on duty.", REQUIRED),
        "members": Field(LOGINS, "Logins in turn order (may be empty when `team` is set).", default=()),
        "start": Field(Scalar("date"), "The first member's first day on duty.", REQUIRED),
        "timezone": Field(Scalar("timezone"), "Where the day starts at midnight."),
        "team": Field(
            Scalar("team"),
            "Read members from this GitHub team instead (a bare slug: the repository owner's organisation).",
        ),
    },
)

LEAD = Obj(
    model.LeadPolicy,
    {
        "rotation": Field(ROTATION, "Who is on duty; the first choice of lead. `null`: none."),
        "responders": Field(LOGINS, "Without a rotation: the pool from which whoever led fewest is picked."),
        "away": Field(LOGINS, "Skipped by the rotation and the equity rule."),
        "equity_window": Field(Scalar("duration"), 'How far back "led fewest incidents" looks.'),
        "escalation": Field(LOGINS, "Pinged in order when the lead does not acknowledge."),
        "ack_by_any_comment": Field(Scalar("bool"), "Any comment from the lead counts as `/ack`."),
        "assign_declarer_last": Field(
            Scalar("bool"),
            "When nobody else is found, the declarer leads (else: unassigned, asks for one).",
        ),
    },
)

FOLLOWUPS = Obj(
    model.FollowupPolicy,
    {
        "label": Field(LABEL, "Put on every issue opened with `/followup`.", REQUIRED),
        "critical_label": Field(LABEL, "Put on follow-ups that stabilize a critical incident.", REQUIRED),
        "block_close_on_open_critical": Field(
            Scalar("bool"), "Reopen an incident closed while critical follow-ups are open."
        ),
        "discussion_on_resolve": Field(
            Scalar("bool"), "Open a discussion follow-up when the incident is resolved."
        ),
        "discussion_title": Field(
            Scalar("numbered_template"), "Title of that issue; `{number}` is the incident's."
        ),
        "body_intro": Field(Scalar("text"), "First paragraph of every follow-up's body."),
    },
)

SECURITY = Obj(
    model.SecurityPolicy,
    {
        "label": Field(LABEL, "Marks a security incident.", REQUIRED),
        "next_steps": Field(TEXTS, "Shown on security incidents (the private channel)."),
        "neutral_title": Field(
            Scalar("numbered_template"), "What public bot text calls a security incident."
        ),
    },
)

FORM = Obj(
    model.FormFields,
    {
        "severity": Field(Scalar("name"), "Heading of the severity dropdown."),
        "security": Field(Scalar("name"), "Heading of the security checkbox."),
        "status": Field(Scalar("name"), "Heading of the status dropdown."),
        "affected": Field(Scalar("name"), 'Heading of "who and how many are affected".'),
        "summary": Field(Scalar("name"), 'Heading of "what is broken".'),
        "worse": Field(Scalar("name"), 'Heading of "will it get worse".'),
        "downstream": Field(Scalar("name"), 'Heading of "downstream dependencies".'),
        "links": Field(Scalar("name"), "Heading of the links field."),
        "production": Field(Scalar("name"), 'Heading of the bug report\'s "breaking production" checkbox.'),
        "other": Field(ListOf(Scalar("name")), "Other headings of your forms, so sections stay apart."),
    },
)

REMINDERS = Obj(
    model.Reminders,
    {
        "retro_after": Field(
            Scalar("duration"), "Remind when the retrospective is not held this long after."
        ),
        "followup_stale_after": Field(Scalar("duration"), "Remind on a follow-up untouched this long."),
        "stabilized_stale_after": Field(
            Scalar("duration"), "Remind on an incident stabilized this long but not resolved."
        ),
    },
)

NOTIFICATIONS = Obj(
    model.NotificationPolicy,
    {
        "page": Field(
            ListOf(Scalar("key")),
            "Severity keys that page on PagerDuty when declared or escalated (acknowledged and "
            "resolved follow).",
        ),
        "chat": Field(ListOf(Scalar("event")), "Events posted to the chat webhook (Slack, Mattermost)."),
        "webhook": Field(ListOf(Scalar("event")), "Events sent to the generic signed webhook."),
    },
)

WORKFLOW = Obj(
    model.Workflow,
    {
        "name": Field(Scalar("key"), "The workflow's name (a preset's file name).", REQUIRED),
        "description": Field(Scalar("text"), "One paragraph: whose process this is.", ""),
        "sources": Field(TEXTS, "The seed files its rules come from.", ()),
        "incident_label": Field(LABEL, "Marks an issue as an incident.", REQUIRED),
        "severities": Field(ListOf(SEVERITY), "The severity levels, most severe first.", REQUIRED),
        "default_severity": Field(
            Scalar("key"), "Severity key used when neither label nor form gives one.", REQUIRED
        ),
        "statuses": Field(ListOf(STATUS), "The statuses, in lifecycle order.", REQUIRED),
        "initial_status": Field(Scalar("key"), "Status key of a newly declared incident.", REQUIRED),
        "transitions": Field(
            MapOf(ListOf(Scalar("key")), "<status>"),
            "For each status key, the status keys it may move to; others are undone.",
            REQUIRED,
        ),
        "reopen_status": Field(Scalar("key"), "Status key that reopening the issue moves it to.", REQUIRED),
        "resolve_on_close": Field(Scalar("bool"), "Closing the issue moves it to the resolved status.", True),
        "next_steps": Field(TEXTS, "Checklist items always shown on the summary.", ()),
        "triage_questions": Field(TEXTS, "Questions shown on the summary to size the impact.", ()),
        "reporter_thanks": Field(
            Scalar("text"), "Said to a reporter who is not a collaborator; empty: nothing.", ""
        ),
        "closeout_checklist": Field(TEXTS, "Posted when the incident is resolved.", ()),
        "retro_checklist": Field(TEXTS, "The retrospective checklist, posted on resolve.", ()),
        "roles": Field(ListOf(ROLE), "Roles besides the lead, named by `/role`.", ()),
        "lead": Field(LEAD, "How the lead is chosen.", MappingProxyType({})),
        "followups": Field(FOLLOWUPS, "Follow-up issues.", REQUIRED),
        "security": Field(SECURITY, "Security incidents.", REQUIRED),
        "form": Field(FORM, "Headings of the issue forms the app reads."),
        "reminders": Field(REMINDERS, "Hygiene reminder periods."),
        "notifications": Field(
            NOTIFICATIONS, "What is sent outside GitHub (the server's settings say where to)."
        ),
    },
)

# Keys a repository's `.github/incidents.yml` may have besides workflow keys.
REPO_KEYS: Final[Mapping[str, tuple[str, str, str]]] = {
    # key: (type, default, meaning)
    "workflow": ("preset name", "`default`", "The preset to start from (`workflows/NAME.yml`)."),
    "status_page": ("boolean", "`false`", "Publish this repository's incidents on the status page."),
    "_extends": (
        "`repo`, `owner/repo` or `repo:path.yml`",
        "none",
        "Another config to merge under this one (Probot's convention).",
    ),
}


# --- walking a document against the schema ---------------------------------------------


class _Invalid:
    """A value that did not fit: its error is reported, and what contains it is invalid too."""


INVALID: Final = _Invalid()
MAX_ERRORS: Final = 100  # a file with more has one mistake repeated: the first hundred say it


@dataclass(frozen=True)
class _Walk:
    """One pass over a document that reports every error it finds, not just the first."""

    doc: Doc
    errors: list[WorkflowError] = dataclasses.field(default_factory=list)

    def fail(self, path: KeyPath, expected: str, *, got: object = UNSET, hint: str = "") -> WorkflowError:
        where = self.doc.locate(path)
        return WorkflowError(
            where.source, format_path(path), expected, where.line, column=where.column, got=got, hint=hint
        )

    def report(self, error: WorkflowError) -> _Invalid:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(error)
        return INVALID

    def check(self) -> None:
        """Raise what was reported, if anything: all of it, the first error first."""
        if self.errors:
            raise WorkflowErrors(self.errors)

    def raw(self, path: KeyPath) -> str | None:
        where = self.doc.locations.get(path)
        return where.raw if where else None

    def value(self, spec: Spec, data: object, path: KeyPath) -> object:
        if isinstance(spec, Scalar):
            return self.scalar(spec, data, path)
        if isinstance(spec, ListOf):
            if not isinstance(data, tuple):
                return self.report(self.fail(path, "a list", got=_shown(data)))
            items = tuple([self.value(spec.item, item, (*path, i)) for i, item in enumerate(data)])
            return INVALID if any(item is INVALID for item in items) else items
        if isinstance(spec, MapOf):
            if not isinstance(data, Mapping):
                return self.report(self.fail(path, "a mapping", got=_shown(data)))
            values = {k: self.value(spec.value, v, (*path, k)) for k, v in data.items()}
            return INVALID if any(v is INVALID for v in values.values()) else MappingProxyType(values)
        return self.obj(spec, data, path)

    def scalar(self, spec: Scalar, data: object, path: KeyPath) -> object:
        convert = _SCALARS[spec.kind][0]
        if isinstance(data, (tuple, Mapping)):
            return self.report(
                self.fail(path, f"a single value ({_SCALARS[spec.kind][1]})", got=_shown(data))
            )
        try:
            return convert(data, self.raw(path))
        except _Bad as bad:
            raw = self.raw(path)
            got = raw if raw is not None and not isinstance(data, str) else data
            return self.report(self.fail(path, bad.expected, got=got, hint=bad.hint))

    def obj(self, spec: Obj, data: object, path: KeyPath) -> object:
        if not isinstance(data, Mapping):
            return self.report(self.fail(path, "a mapping of keys", got=_shown(data)))
        invalid = False
        for key in data:
            if key not in spec.fields:
                self.report(self.unknown_key(path, key, spec.fields))
                invalid = True
        values: dict[str, object] = {}
        for name, fld in spec.fields.items():
            given = data.get(name)
            if given is None:  # absent, or written empty / `null`: the default
                if fld.default is REQUIRED and name in data:
                    self.report(self.fail((*path, name), f"a value ({_type_doc(fld.spec)})"))
                    invalid = True
                    continue
                if fld.default is REQUIRED:
                    self.report(self.fail(path, f"a '{name}' key ({_type_doc(fld.spec)})"))
                    invalid = True
                    continue
                if fld.default is UNSET:
                    continue  # the model's own default
                given = fld.default
            values[name] = self.value(fld.spec, given, (*path, name))
            invalid = invalid or values[name] is INVALID
        return INVALID if invalid else spec.cls(**values)

    def unknown_key(self, path: KeyPath, key: str, known: Mapping[str, Field]) -> WorkflowError:
        return unknown_key_error(self, (*path, key), key, list(known))


def unknown_key_error(walk: _Walk, path: KeyPath, key: str, known: list[str]) -> WorkflowError:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
    return walk.fail(path, "a known key", got=key, hint=hint)


def _shown(data: object) -> object:
    if isinstance(data, Mapping):
        return "a mapping"
    if isinstance(data, tuple):
        return "a list"
    return data


def _type_doc(spec: Spec) -> str:
    if isinstance(spec, Scalar):
        return _SCALARS[spec.kind][1]
    if isinstance(spec, ListOf):
        return f"list of {_type_doc(spec.item)}" if isinstance(spec.item, Scalar) else "list"
    return "mapping"


# --- checks across keys --------------------------------------------------------------


def _check_references(walk: _Walk, wf: model.Workflow) -> None:
    severity_keys = _unique_keys(walk, "severities", [s.key for s in wf.severities])
    status_keys = _unique_keys(walk, "statuses", [s.key for s in wf.statuses])
    _unique_keys(walk, "roles", [r.key for r in wf.roles])
    if not wf.severities:
        walk.report(walk.fail(("severities",), "at least one severity"))
    _must_name(walk, ("default_severity",), wf.default_severity, severity_keys, "severity")
    for key in ("initial_status", "reopen_status"):
        _must_name(walk, (key,), getattr(wf, key), status_keys, "status")
    resolved = [i for i, s in enumerate(wf.statuses) if s.resolved]
    if not resolved:
        walk.report(walk.fail(("statuses",), "exactly one status with 'resolved: true'", got="none"))
    for extra in resolved[1:]:
        walk.report(
            walk.fail(
                ("statuses", extra, "resolved"),
                "exactly one status with 'resolved: true'",
                hint=f"statuses[{resolved[0]}] is resolved already",
            )
        )
    for source, targets in wf.transitions.items():
        _must_name(walk, ("transitions", source), source, status_keys, "status")
        for i, target in enumerate(targets):
            _must_name(walk, ("transitions", source, i), target, status_keys, "status")
    for i, key in enumerate(wf.notifications.page):
        _must_name(walk, ("notifications", "page", i), key, severity_keys, "severity")
    rotation = wf.lead.rotation
    if rotation is not None and not rotation.members and not rotation.team:
        walk.report(walk.fail(("lead", "rotation", "members"), "at least one member, or a 'team'"))
    _unique_labels(walk, wf)


def _unique_keys(walk: _Walk, list_key: str, keys: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            walk.report(
                walk.fail(
                    (list_key, i, "key"),
                    "a key no other entry uses",
                    got=key,
                    hint=f"{list_key}[{seen[key]}] has it already",
                )
            )
            continue
        seen[key] = i
    return keys


def _must_name(walk: _Walk, path: KeyPath, key: str, known: list[str], what: str) -> None:
    if key in known:
        return
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else ""
    walk.report(walk.fail(path, f"a {what} key, one of {', '.join(known)}", got=key, hint=hint))


def _label_paths(wf: model.Workflow) -> Iterator[tuple[KeyPath, str]]:
    yield ("incident_label", "name"), wf.incident_label.name
    for i, sev in enumerate(wf.severities):
        yield ("severities", i, "label", "name"), sev.label.name
    for i, status in enumerate(wf.statuses):
        yield ("statuses", i, "label", "name"), status.label.name
    yield ("followups", "label", "name"), wf.followups.label.name
    yield ("followups", "critical_label", "name"), wf.followups.critical_label.name
    yield ("security", "label", "name"), wf.security.label.name


def _unique_labels(walk: _Walk, wf: model.Workflow) -> None:
    # One label meaning two things would make the bot fight itself.
    seen: dict[str, KeyPath] = {}
    for path, name in _label_paths(wf):
        folded = name.lower()
        if folded in seen:
            walk.report(
                walk.fail(
                    path,
                    "a label name used once",
                    got=name,
                    hint=f"{format_path(seen[folded])} uses it already",
                )
            )
            continue
        seen[folded] = path


# --- public API --------------------------------------------------------------------------


def build_workflow(doc: Doc) -> model.Workflow:
    """Validate a parsed workflow document and build the `Workflow`.

    Raises WorkflowErrors with every error found (the first first), so one run of
    check-config shows them all; whoever shows one line shows the first.
    """
    walk = _Walk(doc)
    workflow = walk.obj(WORKFLOW, doc.data, ())
    walk.check()  # references between keys mean something only once each key is valid
    assert isinstance(workflow, model.Workflow)
    _check_references(walk, workflow)
    walk.check()
    return workflow


def check_repo_keys(doc: Doc) -> None:
    """Reject top-level keys of a repository config that are neither repo nor workflow keys."""
    walk = _Walk(doc)
    if not isinstance(doc.data, Mapping):
        raise walk.fail((), "a mapping of keys at the top level", got=_shown(doc.data))
    known = [*REPO_KEYS, *WORKFLOW.fields]
    for key in doc.data:
        if key not in known:
            walk.report(unknown_key_error(walk, (key,), key, known))
    walk.check()


def repo_fail(
    doc: Doc, path: KeyPath, expected: str, *, got: object = UNSET, hint: str = ""
) -> WorkflowError:
    """A WorkflowError located in `doc` (for the repository-only keys, checked by config.py)."""
    return _Walk(doc).fail(path, expected, got=got, hint=hint)


def all_keys() -> list[str]:
    """Every key path the schema knows, as docs name them: `severities[].ack_within`."""
    return [path for path, _ in describe()]


def describe() -> list[tuple[str, Field]]:
    """(key path, field) for every key, depth first."""
    rows: list[tuple[str, Field]] = []
    _describe(WORKFLOW, "", rows)
    return rows


def type_doc(fld: Field) -> str:
    return _type_doc(fld.spec)


def _describe(spec: Obj, prefix: str, rows: list[tuple[str, Field]]) -> None:
    for name, fld in spec.fields.items():
        path = f"{prefix}{name}"
        rows.append((path, fld))
        inner = fld.spec
        if isinstance(inner, ListOf) and isinstance(inner.item, Obj):
            _describe(inner.item, f"{path}[].", rows)
        elif isinstance(inner, MapOf):
            rows.append((f"{path}.{inner.key_doc}", Field(inner.value, "Allowed next status keys.")))
        elif isinstance(inner, Obj):
            _describe(inner, f"{path}.", rows)


__all__ = [
    "REPO_KEYS",
    "WORKFLOW",
    "Field",
    "all_keys",
    "build_workflow",
    "check_repo_keys",
    "describe",
    "parse_duration",
    "repo_fail",
    "type_doc",
]
