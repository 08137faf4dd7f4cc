"""The incident process as data: what a workflow file says, as frozen objects.

A workflow (``workflows/*.yml``) is loaded and validated into a ``Workflow``.
Rules read it; nothing here talks to GitHub. Durations are ``timedelta``;
label names are what appears on GitHub.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field


def normalise(text: str) -> str:
    """Fold a name for forgiving matching: case, spaces, dashes, underscores, British spelling."""
    folded = "".join(ch for ch in text.lower() if ch.isalnum())
    return folded.replace("stabilis", "stabiliz")


@dataclass(frozen=True)
class LabelSpec:
    name: str
    color: str  # six hex digits, no '#'
    description: str = ""


@dataclass(frozen=True)
class Severity:
    key: str  # "1", "2", "3": what `/severity N` names
    name: str  # "Critical"
    label: LabelSpec
    qualifies: str  # what makes an incident this severe (Openverse incident policy)
    ack_within: dt.timedelta  # the lead must acknowledge within this
    update_every: dt.timedelta  # the lead posts an update at least this often
    next_steps: tuple[str, ...] = ()  # checklist items shown while at this severity
    # Follow-ups that stabilize it get `critical` (Openverse incident policy)
    critical_followups: bool = False
    aliases: tuple[str, ...] = ()  # "sev1", "critical", ...

    def matches(self, text: str) -> bool:
        wanted = normalise(text)
        names = (self.key, self.name, self.label.name, f"sev{self.key}", f"severity{self.key}")
        return any(normalise(n) == wanted for n in (*names, *self.aliases))


@dataclass(frozen=True)
class Status:
    key: str  # "stabilization-pending"
    name: str  # "Stabilization pending"
    label: LabelSpec
    next_steps: tuple[str, ...] = ()
    stabilized: bool = False  # service no longer disrupted (ends the critical window)
    resolved: bool = False  # the terminal status: close-out and retro follow
    aliases: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        wanted = normalise(text)
        return any(normalise(n) == wanted for n in (self.key, self.name, self.label.name, *self.aliases))


@dataclass(frozen=True)
class Role:
    key: str  # "delivery-manager": what `/role NAME` names
    name: str  # "Delivery manager"
    description: str = ""
    required_to_declare: bool = False  # only this role (or admins) may confirm an incident
    # Only this role (or admins) may resolve (Wellcome Collection incident response process)
    required_to_resolve: bool = False
    aliases: tuple[str, ...] = ()
    # Logins told (mentioned) when an incident is declared, so whoever holds this role
    # hears of it even when nobody assigned them (Wellcome Collection incident response process: "ensure that
    # the delivery
    # manager is informed").
    notify: tuple[str, ...] = ()

    def matches(self, text: str) -> bool:
        wanted = normalise(text)
        return any(normalise(n) == wanted for n in (self.key, self.name, *self.aliases))


@dataclass(frozen=True)
class Rotation:
    """Who is on duty: members take turns per period from `start` (Openverse incident policy MSR runner)."""

    period: str  # "weekly" | "daily"
    members: tuple[str, ...]  # logins, in turn order
    start: dt.date  # the first member's first day on duty
    timezone: str = "UTC"  # IANA name; the day boundary is midnight there
    team: str | None = None  # "org/team-slug": members read from GitHub instead


@dataclass(frozen=True)
class LeadPolicy:
    rotation: Rotation | None = None
    responders: tuple[str, ...] = ()  # equity fallback pool when no rotation
    away: tuple[str, ...] = ()  # skipped by the rotation and the equity rule
    equity_window: dt.timedelta = dt.timedelta(days=90)  # look-back for "led fewest"
    escalation: tuple[str, ...] = ()  # pinged, in order, when the lead does not acknowledge
    ack_by_any_comment: bool = False  # any comment from the lead counts as /ack
    assign_declarer_last: bool = True  # else: leave unassigned and ask for a lead


@dataclass(frozen=True)
class FollowupPolicy:
    label: LabelSpec
    critical_label: LabelSpec
    block_close_on_open_critical: bool = False  # reopen an incident closed with critical follow-ups open
    # Node.js Release Worker incident flow step 6: open a discussion follow-up on resolve
    discussion_on_resolve: bool = False
    discussion_title: str = "Discussion: preventing a repeat of incident #{number}"
    body_intro: str = ""  # why follow-ups exist, in the follow-up's body


@dataclass(frozen=True)
class SecurityPolicy:
    label: LabelSpec
    # Private channel advice (Node.js Release Worker incident flow; Wellcome Collection
    # incident response process).
    next_steps: tuple[str, ...] = ()
    neutral_title: str = "Security incident #{number}"  # what public bot text calls it


@dataclass(frozen=True)
class FormFields:
    """Headings of the issue form (`### Heading`) that the app reads, by what they mean."""

    severity: str = "Severity"
    security: str = "Security"  # a checkboxes field; any ticked box means a security incident
    status: str = "Status"
    affected: str = "Who and how many are affected?"
    summary: str = "What is broken?"
    # Wellcome Collection incident response process triage question
    worse: str = "Will it get worse if nobody acts?"
    # Wellcome Collection incident response process triage question
    downstream: str = "Which downstream dependencies are affected?"
    links: str = "Links"
    # a checkboxes field of the bug-report form; any ticked box means "breaking production"
    production: str = "Production impact"
    # Headings the app does not read but must recognise, so that the section before them
    # does not swallow them (the shipped bug report's other fields).
    other: tuple[str, ...] = ("Steps to reproduce", "What did you expect?")


@dataclass(frozen=True)
class Reminders:
    retro_after: dt.timedelta = dt.timedelta(days=2)  # retro checklist untouched after resolve
    followup_stale_after: dt.timedelta = dt.timedelta(days=7)
    stabilized_stale_after: dt.timedelta = dt.timedelta(days=7)  # stabilized, never resolved


# The changes of an incident that can be sent outside GitHub (app.core.notifications), in the
# order one pass announces them.
NOTIFY_EVENTS: tuple[str, ...] = (
    "declared",
    "lead_changed",
    "acknowledged",
    "severity_changed",
    "escalated",
    "status_changed",
    "resolved",
    "retrospective",
)
CHAT_DEFAULT: tuple[str, ...] = ("declared", "severity_changed", "escalated", "resolved", "retrospective")


@dataclass(frozen=True)
class NotificationPolicy:
    """Which changes reach which channel outside GitHub. Where they go (the PagerDuty routing
    key, the chat and webhook URLs) is the server's own settings: never a repository file.

    A top-level key of its own, `notifications`, because `roles[].notify` already means
    "GitHub logins mentioned when an incident is declared".
    """

    page: tuple[str, ...] = ()  # severity keys that page (PagerDuty): declared, escalated, ...
    chat: tuple[str, ...] = CHAT_DEFAULT  # events posted to the chat webhook
    webhook: tuple[str, ...] = NOTIFY_EVENTS  # events sent to the generic signed webhook


@dataclass(frozen=True)
class Workflow:
    name: str
    description: str
    sources: tuple[str, ...]  # the published runbooks the rules come from
    incident_label: LabelSpec
    severities: tuple[Severity, ...]
    default_severity: str  # a Severity.key
    statuses: tuple[Status, ...]
    initial_status: str  # a Status.key
    transitions: Mapping[str, tuple[str, ...]]  # Status.key -> allowed next Status.keys
    reopen_status: str  # where reopening the issue puts it (destabilized)
    resolve_on_close: bool  # closing the issue moves it to the resolved status
    next_steps: tuple[str, ...]  # always shown (rollback first, ...)
    triage_questions: tuple[str, ...]  # Wellcome Collection incident response process
    # to a reporter who is not a collaborator; "" = none (Sourcegraph incidents and Openverse incident
    # response runbook)
    reporter_thanks: str
    closeout_checklist: tuple[str, ...]
    retro_checklist: tuple[str, ...]
    roles: tuple[Role, ...]
    lead: LeadPolicy
    followups: FollowupPolicy
    security: SecurityPolicy
    form: FormFields = field(default_factory=FormFields)
    reminders: Reminders = field(default_factory=Reminders)
    notifications: NotificationPolicy = field(default_factory=NotificationPolicy)

    def severity(self, text: str) -> Severity | None:
        return next((s for s in self.severities if s.matches(text)), None)

    def status(self, text: str) -> Status | None:
        return next((s for s in self.statuses if s.matches(text)), None)

    def role(self, text: str) -> Role | None:
        return next((r for r in self.roles if r.matches(text)), None)

    def severity_for_label(self, label: str) -> Severity | None:
        return next((s for s in self.severities if s.label.name.lower() == label.lower()), None)

    def status_for_label(self, label: str) -> Status | None:
        return next((s for s in self.statuses if s.label.name.lower() == label.lower()), None)

    def severity_by_key(self, key: str) -> Severity:
        return next(s for s in self.severities if s.key == key)

    def status_by_key(self, key: str) -> Status:
        return next(s for s in self.statuses if s.key == key)

    def allowed_next(self, status_key: str) -> tuple[Status, ...]:
        return tuple(self.status_by_key(k) for k in self.transitions.get(status_key, ()))

    @property
    def resolved_status(self) -> Status:
        return next(s for s in self.statuses if s.resolved)

    def all_labels(self) -> tuple[LabelSpec, ...]:
        """Every label the app may put on an issue, to create when missing."""
        return (
            self.incident_label,
            *(s.label for s in self.severities),
            *(s.label for s in self.statuses),
            self.followups.label,
            self.followups.critical_label,
            self.security.label,
        )
