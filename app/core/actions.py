"""What the rules ask the executor to do to an incident issue, as plain data.

The rules return a list of these; the executor performs them in order against
GitHub and skips what is already so. Bot comments carry a hidden marker
(``app.core.markers``) so they can be found and edited instead of posted again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.core import markers
from app.workflow.model import LabelSpec


def _require_marker(kind: str | None, body: str) -> None:
    # The writer finds comments by the marker on their first line (app.core.markers); a
    # body without it there would be posted again forever.
    if kind is not None and markers.kind_of(body) != kind:
        raise ValueError(f"comment body must start with {markers.tag(kind)!r}")


@dataclass(frozen=True)
class EnsureLabels:
    """Create those of these labels the repository does not have yet (colour, description)."""

    labels: tuple[LabelSpec, ...]


@dataclass(frozen=True)
class AddLabels:
    """Add these labels to the issue (they exist: an EnsureLabels came first)."""

    names: tuple[str, ...]


@dataclass(frozen=True)
class RemoveLabel:
    """Remove this label from the issue; already absent is fine."""

    name: str


@dataclass(frozen=True)
class SetAssignees:
    """Make these logins the issue's assignees (replacing the others)."""

    logins: tuple[str, ...]


@dataclass(frozen=True)
class UpsertComment:
    """Edit the bot comment containing markers.tag(kind) if its body differs, else create it."""

    kind: str
    body: str

    def __post_init__(self) -> None:
        _require_marker(self.kind, self.body)


@dataclass(frozen=True)
class Reply:
    """Post a new comment; with a kind, only if no bot comment with markers.tag(kind) exists."""

    body: str
    kind: str | None = None

    def __post_init__(self) -> None:
        _require_marker(self.kind, self.body)


@dataclass(frozen=True)
class OpenFollowup:
    """Open an issue (title, body, labels) and link it as a sub-issue of the incident.

    Skipped when a sub-issue of the incident already contains markers.tag(kind) in its body.
    """

    kind: str
    title: str
    body: str
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        _require_marker(self.kind, self.body)


@dataclass(frozen=True)
class LinkSubIssue:
    """Link an existing issue (a hand-made follow-up) as a sub-issue of the incident.

    GitHub's sub-issues API takes the issue's id, not its number
    (https://docs.github.com/en/rest/issues/sub-issues#add-sub-issue).
    """

    sub_issue_id: int
    number: int


@dataclass(frozen=True)
class CloseIssue:
    """Close the issue with this state_reason ("completed" or "not_planned")."""

    reason: str = "completed"


@dataclass(frozen=True)
class ReopenIssue:
    """Reopen the issue."""


@dataclass(frozen=True)
class Notify:
    """Tell people outside GitHub about one change of the incident (app.core.notifications).

    Not performed by the GitHub writer: the pipeline hands these to the notifier once the
    pass's writes (which record them in the ledger) are done. Everything a channel may
    send is here; for a security incident the issue's words are not (`title` is the
    neutral name and the state fields are empty).
    """

    seq: int  # this incident's notification number: with the issue, its id
    event: str  # one of app.workflow.model.NOTIFY_EVENTS
    at: dt.datetime
    repository: str  # "owner/repo"
    number: int
    url: str  # the issue's page
    security: bool
    title: str  # the issue's title, or "Security incident #N in OWNER/REPO"
    text: str  # one line saying what happened, for people (chat, the page's summary)
    page_severity: str  # PagerDuty's critical / error / warning / info
    page: str | None = None  # PagerDuty event_action: trigger, acknowledge or resolve
    chat: bool = False
    webhook: bool = False
    severity: tuple[str, str] | None = None  # (key, name)
    status: tuple[str, str] | None = None  # (key, name)
    lead: str | None = None
    change: Mapping[str, object] = field(default_factory=dict)  # what changed, per event

    @property
    def event_id(self) -> str:
        """Stable across redeliveries and replicas: receivers dedupe on it."""
        return f"{self.repository}#{self.number}/{self.seq}"


Action = (
    EnsureLabels
    | AddLabels
    | RemoveLabel
    | SetAssignees
    | UpsertComment
    | Reply
    | OpenFollowup
    | LinkSubIssue
    | CloseIssue
    | ReopenIssue
    | Notify
)
