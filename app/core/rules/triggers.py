"""What happened to the issue: the webhook (or the periodic sweep) that asks the rules to look."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.incident import SubIssue


@dataclass(frozen=True)
class Opened:
    """issues.opened"""

    actor: str


@dataclass(frozen=True)
class Labeled:
    """issues.labeled: `label` was added by `actor`."""

    label: str
    actor: str
    actor_role: str | None = None  # the actor's role_name when the handler looked it up


@dataclass(frozen=True)
class Unlabeled:
    """issues.unlabeled"""

    label: str
    actor: str


@dataclass(frozen=True)
class Closed:
    """issues.closed"""

    actor: str
    actor_role: str | None = None


@dataclass(frozen=True)
class Reopened:
    """issues.reopened"""

    actor: str


@dataclass(frozen=True)
class Edited:
    """issues.edited (the body may now say something else, e.g. the form's security box)."""

    actor: str


@dataclass(frozen=True)
class CommentCreated:
    """issue_comment.created: the only trigger that carries commands."""

    comment_id: int
    author: str
    body: str
    role_name: str  # the author's permission role_name: admin/maintain/write/triage/read/none


@dataclass(frozen=True)
class FollowupChanged:
    """A follow-up of this incident was opened, closed, reopened, linked or unlinked: look again.

    Sent by the handlers of the follow-up's own events (GitHub tells the parent
    nothing) and right after the bot opened one, whose number the summary lacked.
    """

    number: int  # the follow-up's issue number; 0 when not known
    actor: str = ""
    adopt: SubIssue | None = None  # a hand-made follow-up naming the incident, to link to it


@dataclass(frozen=True)
class Sweep:
    """A periodic reconcile: no event, just look and tidy up."""


Trigger = Opened | Labeled | Unlabeled | Closed | Reopened | Edited | CommentCreated | FollowupChanged | Sweep
