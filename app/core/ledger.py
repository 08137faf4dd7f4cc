"""The incident's memory of what labels, assignees and events cannot tell.

Accepted /ack, /update, /role and /lead commands, who declared it, reminders
already sent and command comments already processed live in a hidden JSON
block, the last line of the summary comment: ``<!-- incident-bot:ledger {...} -->``.
GitHub stays the only store; any replica reads the ledger back from the issue.
Only that last line is read: the same text anywhere else is people's words.

What is stored is bounded whatever people do: at most ``ENTRIES_MAX`` of each
kind of entry (the newest; how many updates were folded is counted), and the
encoded block fits ``ENCODED_MAX`` characters, the oldest update texts blanked
first, so the summary that carries it always fits GitHub's comment limit.

The block must never end the HTML comment early, whatever people typed, so
``-``, ``<`` and ``>`` are written as JSON ``\\u`` escapes. Times are epoch
seconds (small, and no dashes). A missing or corrupt block reads as an empty
ledger: an incident with a forgotten history beats a bot that crashes.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, replace
from typing import Any

LEDGER_OPEN = "<!-- incident-bot:ledger "
LEDGER_CLOSE = " -->"
UPDATE_TEXT_MAX = 1000  # one /update is a status line, not an essay
PROCESSED_MAX = 500  # comment ids remembered; older redeliveries are not a realistic threat
ENTRIES_MAX = 200  # acks, updates, roles, hand-offs, escalations: the newest of each
SENT_MAX = 200  # reminder keys: the newest
NOTES_MAX = 5  # refusals shown on the summary
ENCODED_MAX = 24_000  # characters of the block: a third of a comment, the rest is the summary


def _epoch(at: dt.datetime) -> int:
    return int(at.timestamp())


def _from_epoch(value: Any) -> dt.datetime:
    if not isinstance(value, int):
        raise ValueError("time must be an int")
    return dt.datetime.fromtimestamp(value, dt.UTC)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a string")
    return value


def _int(value: Any) -> int:
    if not isinstance(value, int):
        raise ValueError("expected an int")
    return value


@dataclass(frozen=True)
class Ack:
    """Someone said "I'm on it" (Sourcegraph incidents)."""

    by: str
    at: dt.datetime
    comment_id: int


@dataclass(frozen=True)
class Update:
    """A progress update posted with /update (Openverse incident response runbook: hourly for severity 1 and
    2)."""

    by: str
    at: dt.datetime
    text: str
    comment_id: int


@dataclass(frozen=True)
class RoleAssignment:
    """`/role NAME @login`: the latest assignment of a role wins."""

    role: str  # Role.key
    login: str
    by: str
    at: dt.datetime
    comment_id: int


@dataclass(frozen=True)
class Handoff:
    """`/lead @login`: an explicit hand-off of the lead role (Wellcome Collection incident response
    process)."""

    from_login: str | None
    to_login: str
    by: str
    at: dt.datetime
    comment_id: int


@dataclass(frozen=True)
class Escalation:
    """The sweep pinged `to` because `lead` had not acknowledged in time."""

    to: str
    lead: str | None
    at: dt.datetime


NOTIFIED_MAX = 50  # recorded notifications kept: far more than one incident's changes between reads


@dataclass(frozen=True)
class Recorded:
    """A notification recorded as due, and which process recorded it (app.core.notifications)."""

    seq: int  # 1, 2, ... per incident: with the issue, the notification's id
    event: str
    by: str  # the recording process's id: when replicas race, the one whose ledger stayed sends


@dataclass(frozen=True)
class Notified:
    """What was last told outside GitHub about the incident, and the notifications recorded.

    The state is what the next change is measured against (severity 2 then 1 is a
    severity change); `page` is where the PagerDuty alert stands.
    """

    severity: str | None = None  # Severity.key
    status: str | None = None  # Status.key
    lead: str | None = None
    acknowledged: bool = False  # the current lead is on it
    escalated_at: dt.datetime | None = None  # the newest escalation already announced
    retrospective: bool = False
    page: str = ""  # "" (never paged), "triggered", "acknowledged", "resolved"
    count: int = 0  # notifications recorded so far: the next one is count + 1
    recorded: tuple[Recorded, ...] = ()  # the latest NOTIFIED_MAX


@dataclass(frozen=True)
class Ledger:
    declared_by: str | None = None
    declared_at: dt.datetime | None = None
    acks: tuple[Ack, ...] = ()
    updates: tuple[Update, ...] = ()
    roles: tuple[RoleAssignment, ...] = ()
    handoffs: tuple[Handoff, ...] = ()
    sent: tuple[str, ...] = ()  # keys of reminders/escalations already posted
    escalations: tuple[Escalation, ...] = ()  # who was pinged, when: the timeline shows them
    processed: tuple[int, ...] = field(default=())  # command comment ids already handled
    folded_updates: int = 0  # older updates no longer kept (ENTRIES_MAX)
    # What GitHub refused to do, one line each (the summary shows them), and the logins it
    # refused to assign, so no later pass asks again: the newest NOTES_MAX of each.
    refused: tuple[str, ...] = ()
    unassignable: tuple[str, ...] = ()
    # Declared by someone below triage (the form, an integration's label): recorded at once,
    # and a report until someone with triage or above acts on it (confirmed_by).
    unconfirmed: bool = False
    confirmed_by: str | None = None
    # None: never tracked (a ledger written before notifications, or with none configured).
    notified: Notified | None = None

    @property
    def confirmed(self) -> bool:
        return not self.unconfirmed or self.confirmed_by is not None

    def confirm(self, by: str) -> Ledger:
        return self if self.confirmed else replace(self, confirmed_by=by)

    def with_refusals(self, notes: tuple[str, ...], logins: tuple[str, ...]) -> Ledger:
        kept = tuple(n for n in self.refused if n not in notes)
        known = tuple(x for x in self.unassignable if x.lower() not in {y.lower() for y in logins})
        return replace(
            self,
            refused=(*kept, *notes)[-NOTES_MAX:],
            unassignable=(*known, *(x.lower() for x in logins))[-NOTES_MAX * 4 :],
        )

    def has_processed(self, comment_id: int) -> bool:
        return comment_id in self.processed

    def mark_processed(self, comment_id: int) -> Ledger:
        if comment_id in self.processed:
            return self
        return replace(self, processed=(*self.processed, comment_id)[-PROCESSED_MAX:])

    def role_holder(self, role_key: str) -> str | None:
        holders = [r.login for r in self.roles if r.role == role_key]
        return holders[-1] if holders else None

    def current_roles(self) -> dict[str, str]:
        """Role key -> login, latest assignment wins, in first-assigned order."""
        holders: dict[str, str] = {}
        for assignment in self.roles:
            holders[assignment.role] = assignment.login
        return holders

    def with_update(self, update: Update) -> Ledger:
        bounded = replace(update, text=bound_text(update.text))
        return replace(self, updates=(*self.updates, bounded))

    def bounded(self) -> Ledger:
        """At most ENTRIES_MAX of each kind (the newest), SENT_MAX keys, PROCESSED_MAX ids."""
        dropped = max(len(self.updates) - ENTRIES_MAX, 0)
        return replace(
            self,
            acks=self.acks[-ENTRIES_MAX:],
            updates=self.updates[-ENTRIES_MAX:],
            roles=self.roles[-ENTRIES_MAX:],
            handoffs=self.handoffs[-ENTRIES_MAX:],
            escalations=self.escalations[-ENTRIES_MAX:],
            sent=self.sent[-SENT_MAX:],
            processed=self.processed[-PROCESSED_MAX:],
            folded_updates=self.folded_updates + dropped,
            refused=tuple(bound_text(n) for n in self.refused[-NOTES_MAX:]),
            unassignable=self.unassignable[-NOTES_MAX * 4 :],
        )

    def without_update_texts(self, count: int) -> Ledger:
        """The ledger with the texts of its `count` oldest updates blanked (they stay as entries)."""
        updates = tuple(replace(u, text="") if i < count else u for i, u in enumerate(self.updates))
        return replace(self, updates=updates)


def bound_text(text: str) -> str:
    text = text.strip()
    if len(text) <= UPDATE_TEXT_MAX:
        return text
    return text[: UPDATE_TEXT_MAX - 1] + "…"


# --- encoding -------------------------------------------------------------------------------


def _to_json(ledger: Ledger) -> dict[str, Any]:
    data: dict[str, Any] = {"v": 1}
    if ledger.declared_by is not None:
        data["db"] = ledger.declared_by
    if ledger.declared_at is not None:
        data["da"] = _epoch(ledger.declared_at)
    data["ack"] = [[a.by, _epoch(a.at), a.comment_id] for a in ledger.acks]
    data["upd"] = [[u.by, _epoch(u.at), u.text, u.comment_id] for u in ledger.updates]
    data["rol"] = [[r.role, r.login, r.by, _epoch(r.at), r.comment_id] for r in ledger.roles]
    data["hand"] = [[h.from_login, h.to_login, h.by, _epoch(h.at), h.comment_id] for h in ledger.handoffs]
    data["sent"] = list(ledger.sent)
    if ledger.escalations:
        data["esc"] = [[e.to, e.lead, _epoch(e.at)] for e in ledger.escalations]
    data["done"] = list(ledger.processed)
    if ledger.folded_updates:
        data["fold"] = ledger.folded_updates
    if ledger.unconfirmed:
        data["unc"] = 1
    if ledger.confirmed_by is not None:
        data["cby"] = ledger.confirmed_by
    if ledger.refused:
        data["ref"] = list(ledger.refused)
    if ledger.unassignable:
        data["noasg"] = list(ledger.unassignable)
    if ledger.notified is not None:
        data["ntf"] = _notified_json(ledger.notified)
    return data


def _notified_json(notified: Notified) -> dict[str, Any]:
    n = notified
    escalated = None if n.escalated_at is None else _epoch(n.escalated_at)
    state = [n.severity, n.status, n.lead, int(n.acknowledged), escalated, int(n.retrospective), n.page]
    return {"s": state, "n": n.count, "ev": [[r.seq, r.event, r.by] for r in n.recorded]}


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _notified_from_json(data: Any) -> Notified | None:
    """Read apart from the rest: a damaged block starts notifications afresh (nothing is re-sent
    for the past, see app.core.notifications), it does not cost the incident its history."""
    if data is None:
        return None
    try:
        severity, status, lead, acknowledged, escalated, retro, page = data["s"]
        return Notified(
            severity=_optional_text(severity),
            status=_optional_text(status),
            lead=_optional_text(lead),
            acknowledged=bool(_int(acknowledged)),
            escalated_at=None if escalated is None else _from_epoch(escalated),
            retrospective=bool(_int(retro)),
            page=_text(page),
            count=_int(data["n"]),
            recorded=tuple(Recorded(_int(q), _text(e), _text(b)) for q, e, b in data.get("ev", []))[
                -NOTIFIED_MAX:
            ],
        )
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def _from_json(data: Any) -> Ledger:
    if not isinstance(data, dict):
        raise ValueError("ledger must be an object")
    declared_by = data.get("db")
    declared_at = data.get("da")
    return Ledger(
        declared_by=_text(declared_by) if declared_by is not None else None,
        declared_at=_from_epoch(declared_at) if declared_at is not None else None,
        acks=tuple(Ack(_text(b), _from_epoch(t), _int(c)) for b, t, c in data.get("ack", [])),
        updates=tuple(
            Update(_text(b), _from_epoch(t), _text(x), _int(c)) for b, t, x, c in data.get("upd", [])
        ),
        roles=tuple(
            RoleAssignment(_text(r), _text(lg), _text(b), _from_epoch(t), _int(c))
            for r, lg, b, t, c in data.get("rol", [])
        ),
        handoffs=tuple(
            Handoff(None if f is None else _text(f), _text(to), _text(b), _from_epoch(t), _int(c))
            for f, to, b, t, c in data.get("hand", [])
        ),
        sent=tuple(_text(s) for s in data.get("sent", [])),
        escalations=tuple(
            Escalation(_text(to), None if lead is None else _text(lead), _from_epoch(t))
            for to, lead, t in data.get("esc", [])
        ),
        processed=tuple(_int(c) for c in data.get("done", [])),
        folded_updates=_int(data.get("fold", 0)),
        refused=tuple(_text(n) for n in data.get("ref", [])),
        unconfirmed=bool(data.get("unc")),
        confirmed_by=_text(data["cby"]) if data.get("cby") is not None else None,
        unassignable=tuple(_text(n) for n in data.get("noasg", [])),
        notified=_notified_from_json(data.get("ntf")),
    ).bounded()


def _block(ledger: Ledger) -> str:
    text = json.dumps(_to_json(ledger), ensure_ascii=True, separators=(",", ":"))
    # No negative numbers are stored, so every '-' is inside a string and may be escaped.
    for char, escape in (("-", "\\u002d"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(char, escape)
    return f"{LEDGER_OPEN}{text}{LEDGER_CLOSE}"


def encode(ledger: Ledger) -> str:
    """The hidden block, one line, safe inside an HTML comment and at most ENCODED_MAX long.

    When the update texts make it too long, the oldest are blanked: the fewest that
    make it fit, found by bisection (a few encodings, not one per update).
    """
    ledger = ledger.bounded()
    block = _block(ledger)
    if len(block) <= ENCODED_MAX:
        return block
    low, high = 1, len(ledger.updates)  # blanking all texts always fits: entries are bounded
    while low < high:
        middle = (low + high) // 2
        if len(_block(ledger.without_update_texts(middle))) <= ENCODED_MAX:
            high = middle
        else:
            low = middle + 1
    return _block(ledger.without_update_texts(low))


def decode(comment_body: str | None) -> Ledger:
    """The ledger on the last line of a summary comment; an empty ledger when absent or unreadable."""
    if not comment_body:
        return Ledger()
    last = comment_body.rstrip("\r\n").rsplit("\n", 1)[-1].rstrip("\r")
    if not (last.startswith(LEDGER_OPEN) and last.endswith(LEDGER_CLOSE)) or len(last) > 2 * ENCODED_MAX:
        return Ledger()
    try:
        return _from_json(json.loads(last[len(LEDGER_OPEN) : -len(LEDGER_CLOSE)]))
    except (ValueError, TypeError, OverflowError, OSError, RecursionError):
        return Ledger()
