"""The incident as it is now, read from its issue: labels, assignees, comments, events.

Nothing here is remembered between deliveries: every replica rebuilds the same
``Incident`` from the same GitHub JSON, which is what makes handlers restartable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from app.core import ledger as ledger_codec
from app.core import markers
from app.core.ledger import Ledger
from app.workflow.model import Severity, Status, Workflow

COLLABORATOR_ASSOCIATIONS = frozenset({"OWNER", "MEMBER", "COLLABORATOR"})
SUMMARY = markers.SUMMARY
T = TypeVar("T")


def parse_time(value: Any) -> dt.datetime:
    """GitHub's ISO 8601 timestamp ("2024-05-01T12:00:00Z") as an aware UTC datetime."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC)
    if not isinstance(value, str) or not value:
        return dt.datetime.fromtimestamp(0, dt.UTC)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def _login(user: Any) -> str:
    return str(user.get("login", "")) if isinstance(user, Mapping) else ""


@dataclass(frozen=True)
class Comment:
    id: int
    author: str
    author_is_bot: bool
    author_association: str
    body: str
    created_at: dt.datetime

    @classmethod
    def from_github(cls, data: Mapping[str, Any]) -> Comment:
        user = data.get("user") or {}
        return cls(
            id=int(data["id"]),
            author=_login(user),
            author_is_bot=user.get("type") == "Bot",
            author_association=str(data.get("author_association") or "NONE"),
            body=str(data.get("body") or ""),
            created_at=parse_time(data.get("created_at")),
        )


@dataclass(frozen=True)
class IssueEvent:
    """One entry of the issue's event history that the process cares about."""

    kind: str  # "labeled" | "unlabeled" | "assigned" | "unassigned" | "closed" | "reopened"
    actor: str
    at: dt.datetime
    label: str | None = None
    assignee: str | None = None

    @classmethod
    def from_github(cls, data: Mapping[str, Any]) -> IssueEvent:
        label = data.get("label")
        assignee = data.get("assignee")
        return cls(
            kind=str(data.get("event", "")),
            actor=_login(data.get("actor")),
            at=parse_time(data.get("created_at")),
            label=str(label["name"]) if isinstance(label, Mapping) else None,
            assignee=_login(assignee) if isinstance(assignee, Mapping) else None,
        )


@dataclass(frozen=True)
class SubIssue:
    """A follow-up linked to the incident as a sub-issue."""

    number: int
    title: str
    state: str  # "open" | "closed"
    labels: tuple[str, ...]
    body: str
    created_at: dt.datetime
    html_url: str = ""
    updated_at: dt.datetime | None = None  # last touched: a stale follow-up gets a reminder
    closed_at: dt.datetime | None = None  # for the timeline
    id: int = 0  # GitHub's id of the issue: what the sub-issues API takes

    @classmethod
    def from_github(cls, data: Mapping[str, Any]) -> SubIssue:
        created = parse_time(data.get("created_at"))
        closed = data.get("closed_at")
        return cls(
            number=int(data.get("number", 0)),
            title=str(data.get("title") or ""),
            state=str(data.get("state") or "open"),
            labels=_label_names(data.get("labels") or ()),
            body=str(data.get("body") or ""),
            created_at=created,
            html_url=str(data.get("html_url") or ""),
            updated_at=parse_time(data["updated_at"]) if data.get("updated_at") else created,
            closed_at=parse_time(closed) if closed else None,
            id=int(data.get("id") or 0),
        )

    def has_label(self, name: str) -> bool:
        return name.lower() in (label.lower() for label in self.labels)


def _label_names(labels: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(x["name"]) if isinstance(x, Mapping) else str(x) for x in labels)


@dataclass(frozen=True)
class Incident:
    number: int
    title: str
    body: str
    author: str
    author_association: str
    state: str  # "open" | "closed"
    labels: tuple[str, ...]
    assignees: tuple[str, ...]
    created_at: dt.datetime
    repo_url: str  # "https://github.com/owner/repo": for advisory and issue links
    bot_login: str
    comments: tuple[Comment, ...] = ()
    events: tuple[IssueEvent, ...] = ()
    sub_issues: tuple[SubIssue, ...] = ()
    ledger: Ledger = field(default_factory=Ledger)

    @classmethod
    def from_github(
        cls,
        issue: Mapping[str, Any],
        comments: Sequence[Mapping[str, Any]],
        events: Sequence[Mapping[str, Any]],
        *,
        bot_login: str,
        sub_issues: Sequence[Mapping[str, Any]] = (),
    ) -> Incident:
        parsed_comments = tuple(Comment.from_github(c) for c in comments)
        html_url = str(issue.get("html_url") or "")
        incident = cls(
            number=int(issue.get("number", 0)),
            title=str(issue.get("title") or ""),
            body=str(issue.get("body") or ""),
            author=_login(issue.get("user")),
            author_association=str(issue.get("author_association") or "NONE"),
            state=str(issue.get("state") or "open"),
            labels=_label_names(issue.get("labels") or ()),
            assignees=tuple(_login(a) for a in issue.get("assignees") or ()),
            created_at=parse_time(issue.get("created_at")),
            repo_url=html_url.split("/issues/")[0],
            bot_login=bot_login,
            comments=parsed_comments,
            events=tuple(sorted((IssueEvent.from_github(e) for e in events), key=_event_time)),
            sub_issues=tuple(SubIssue.from_github(s) for s in sub_issues),
        )
        summary = incident.bot_comment(SUMMARY)
        return incident.with_ledger(ledger_codec.decode(summary.body if summary else None))

    def with_ledger(self, ledger: Ledger) -> Incident:
        return replace(self, ledger=ledger)

    # --- what it is -----------------------------------------------------------------------

    def has_label(self, name: str) -> bool:
        return name.lower() in (label.lower() for label in self.labels)

    def is_incident(self, workflow: Workflow) -> bool:
        return self.has_label(workflow.incident_label.name)

    def is_security(self, workflow: Workflow) -> bool:
        return self.has_label(workflow.security.label.name)

    def public_name(self, workflow: Workflow, *, in_sentence: bool = False) -> str:
        """How bot text names the incident: never by its title, and a security one by the
        workflow's neutral title (Wellcome Collection's incident process: security incidents
        are handled privately)."""
        if self.is_security(workflow):
            return workflow.security.neutral_title.replace("{number}", str(self.number))
        return f"{'incident' if in_sentence else 'Incident'} #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.state == "open"

    @property
    def reporter_is_collaborator(self) -> bool:
        return self.author_association in COLLABORATOR_ASSOCIATIONS

    def severities(self, workflow: Workflow) -> tuple[Severity, ...]:
        """Severity labels on the issue now (more than one only until the bot tidies up)."""
        found = (workflow.severity_for_label(label) for label in self.labels)
        return tuple(s for s in found if s is not None)

    def statuses(self, workflow: Workflow) -> tuple[Status, ...]:
        found = (workflow.status_for_label(label) for label in self.labels)
        return tuple(s for s in found if s is not None)

    def severity(self, workflow: Workflow) -> Severity | None:
        """The severity: the newest severity label when there are several."""
        return _newest(self.severities(workflow), self.events, lambda s: s.label.name)

    def status(self, workflow: Workflow) -> Status | None:
        return _newest(self.statuses(workflow), self.events, lambda s: s.label.name)

    def newest(self, labels: Sequence[str]) -> str | None:
        """Of these labels, the one added last according to the events."""
        return _newest(tuple(labels), self.events, lambda label: label)

    @property
    def lead(self) -> str | None:
        """The lead is the assignee (the first one, when people assigned several)."""
        return self.assignees[0] if self.assignees else None

    # --- the bot's own comments -----------------------------------------------------------

    def bot_comment(self, kind: str) -> Comment | None:
        """The bot's comment of this kind (its first line says so), the first one if there are several."""
        return next(
            (c for c in self.comments if c.author == self.bot_login and markers.kind_of(c.body) == kind), None
        )

    def has_bot_comment(self, kind: str) -> bool:
        return self.bot_comment(kind) is not None

    def comment(self, comment_id: int) -> Comment | None:
        return next((c for c in self.comments if c.id == comment_id), None)

    # --- history --------------------------------------------------------------------------

    def first_labeled(self, label: str) -> IssueEvent | None:
        return next((e for e in self.events if e.kind == "labeled" and _same(e.label, label)), None)


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.lower() == b.lower()


def _event_time(event: IssueEvent) -> dt.datetime:
    return event.at


def _newest(items: tuple[T, ...], events: tuple[IssueEvent, ...], label_of: Callable[[T], str]) -> T | None:
    """Of several labels of one kind, the one added last (GitHub lists labels alphabetically)."""
    if len(items) <= 1:
        return items[0] if items else None
    order = {e.label.lower(): i for i, e in enumerate(events) if e.kind == "labeled" and e.label}
    # A label with no event yet (events lag behind webhooks) is the newest of all.
    return max(items, key=lambda item: order.get(label_of(item).lower(), len(order) + 1))
