"""Test builders: a default-like workflow, GitHub JSON, and a tiny fake GitHub.

``FakeIssue`` holds raw REST JSON the way GitHub would return it; ``apply`` performs
actions on it as GitHub would (label events, bot comments, assignees), so tests
can decide, apply, rebuild the Incident with ``Incident.from_github`` and decide again.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from app.core.actions import (
    Action,
    AddLabels,
    CloseIssue,
    EnsureLabels,
    OpenFollowup,
    RemoveLabel,
    ReopenIssue,
    Reply,
    SetAssignees,
    UpsertComment,
)
from app.core.incident import Incident, SubIssue
from app.core.markers import kind_of
from app.core.markers import tag as marker
from app.core.rules import CommentCreated, Context, Trigger
from app.core.rules.decide import decide, decide_plan, perform_order
from app.workflow.forms import FormFacts
from app.workflow.model import (
    FollowupPolicy,
    LabelSpec,
    LeadPolicy,
    Role,
    Rotation,
    SecurityPolicy,
    Severity,
    Status,
    Workflow,
)
from tests.common import T0

BOT = "incident-bot[bot]"
HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)

TRANSITIONS = {
    "stabilization-pending": ("stabilized",),
    "stabilized": ("under-investigation", "stabilization-pending"),
    "under-investigation": ("stabilization-pending", "resolved"),
    "resolved": ("stabilization-pending",),
}


def _severity(
    key: str, name: str, ack: dt.timedelta, every: dt.timedelta, steps: tuple[str, ...]
) -> Severity:
    return Severity(
        key=key,
        name=name,
        label=LabelSpec(f"severity: {key}", "d73a4a", f"Severity {key}: {name}"),
        qualifies=name,
        ack_within=ack,
        update_every=every,
        next_steps=steps,
        critical_followups=key in ("1", "2"),
    )


COMMS = ("Post a comms announcement that we are investigating", "Update the status page")


def _status(key: str, name: str, *, stabilized: bool = False, resolved: bool = False) -> Status:
    return Status(
        key=key,
        name=name,
        label=LabelSpec(f"status: {name.lower()}", "0e8a16"),
        next_steps=(f"Next for {name}",),
        stabilized=stabilized,
        resolved=resolved,
    )


def default_workflow(**changes: Any) -> Workflow:
    workflow = Workflow(
        name="default",
        description="test default",
        sources=("001",),
        incident_label=LabelSpec("incident", "b60205", "This issue is an incident"),
        severities=(
            _severity("1", "Critical", 15 * MINUTE, HOUR, COMMS),
            _severity("2", "Major", 30 * MINUTE, HOUR, COMMS),
            _severity("3", "Minor", 4 * HOUR, 24 * HOUR, ()),
        ),
        default_severity="2",
        statuses=(
            _status("stabilization-pending", "Stabilization pending"),
            _status("stabilized", "Stabilized", stabilized=True),
            _status("under-investigation", "Under investigation", stabilized=True),
            _status("resolved", "Resolved", resolved=True),
        ),
        initial_status="stabilization-pending",
        transitions=TRANSITIONS,
        reopen_status="stabilization-pending",
        resolve_on_close=True,
        next_steps=("Roll back first if a recent change caused it",),
        triage_questions=(
            "Who and how many are affected?",
            "Will it get worse if nobody acts?",
            "Which downstream dependencies are affected?",
        ),
        reporter_thanks="Thank you {reporter} for the report: the team is on it.",
        closeout_checklist=("Update every comms post", "Close public issues"),
        retro_checklist=("Blameless: systems, not people", "5 whys", "Action items"),
        roles=(
            Role("delivery-manager", "Delivery manager", aliases=("dm",)),
            Role("comms", "Comms"),
        ),
        lead=LeadPolicy(responders=("alice", "bob", "carol")),
        followups=FollowupPolicy(
            label=LabelSpec("follow-up", "c5def5"),
            critical_label=LabelSpec("critical", "b60205"),
        ),
        security=SecurityPolicy(
            label=LabelSpec("security", "000000"),
            next_steps=("Discuss in a private security advisory",),
        ),
    )
    return replace(workflow, **changes)


def wellcome_workflow() -> Workflow:
    """Wellcome Collection incident response process: only the delivery manager (or an admin) resolves."""
    base = default_workflow()
    roles = (
        Role("delivery-manager", "Delivery manager", required_to_resolve=True, aliases=("dm",)),
        Role("comms", "Comms"),
    )
    return replace(base, roles=roles)


def rotation_policy(
    members: tuple[str, ...] = ("alice", "bob", "carol"),
    *,
    period: str = "weekly",
    start: dt.date = dt.date(2026, 11, 2),
    timezone: str = "UTC",
    away: tuple[str, ...] = (),
    escalation: tuple[str, ...] = (),
) -> LeadPolicy:
    return LeadPolicy(
        rotation=Rotation(period=period, members=members, start=start, timezone=timezone),
        away=away,
        escalation=escalation,
    )


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeIssue:
    """An issue as GitHub's REST API shows it, changed by actions as GitHub would change it."""

    number: int = 7
    title: str = "Search is down"
    body: str = "Nothing loads."
    author: str = "reporter"
    association: str = "MEMBER"
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    state: str = "open"
    created_at: dt.datetime = T0
    comments: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    sub_issues: list[dict[str, Any]] = field(default_factory=list)
    now: dt.datetime = T0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    def __post_init__(self) -> None:
        for name in self.labels:  # opened with labels: GitHub records one event per label
            self.events.append(self._event("labeled", self.author, label={"name": name}))

    def _event(self, kind: str, actor: str, **extra: Any) -> dict[str, Any]:
        return {"event": kind, "actor": {"login": actor}, "created_at": iso(self.now), **extra}

    def issue_json(self) -> dict[str, Any]:
        return {
            "id": 90000 + self.number,
            "number": self.number,
            "title": self.title,
            "body": self.body,
            "user": {"login": self.author, "type": "User"},
            "author_association": self.association,
            "state": self.state,
            "labels": [{"name": n} for n in self.labels],
            "assignees": [{"login": a} for a in self.assignees],
            "created_at": iso(self.created_at),
            "html_url": f"https://github.com/acme/web/issues/{self.number}",
        }

    def incident(self) -> Incident:
        return Incident.from_github(
            self.issue_json(), self.comments, self.events, bot_login=BOT, sub_issues=self.sub_issues
        )

    # --- what people do ------------------------------------------------------------------

    def label(self, name: str, actor: str = "alice") -> None:
        if name not in self.labels:
            self.labels.append(name)
            self.events.append(self._event("labeled", actor, label={"name": name}))

    def unlabel(self, name: str, actor: str = "alice") -> None:
        if name in self.labels:
            self.labels.remove(name)
            self.events.append(self._event("unlabeled", actor, label={"name": name}))

    def comment(self, body: str, author: str = "alice", association: str = "MEMBER") -> int:
        comment_id = next(self._ids)
        self.comments.append(
            {
                "id": comment_id,
                "user": {"login": author, "type": "Bot" if author == BOT else "User"},
                "author_association": association,
                "body": body,
                "created_at": iso(self.now),
            }
        )
        return comment_id

    def set_state(self, state: str, actor: str) -> None:
        if self.state != state:
            self.state = state
            self.events.append(self._event("closed" if state == "closed" else "reopened", actor))

    def bot_comments(self, kind: str | None = None) -> list[str]:
        bodies = [c["body"] for c in self.comments if c["user"]["login"] == BOT]
        return [b for b in bodies if kind is None or marker(kind) in b]

    # --- what the executor does -----------------------------------------------------------

    def apply(self, actions: list[Action]) -> tuple[SubIssue, ...]:
        """Perform the actions as the writer would; the follow-ups opened, as GitHub numbers them."""
        before = len(self.sub_issues)
        for action in actions:
            self._apply_one(action)
        return tuple(SubIssue.from_github(s) for s in self.sub_issues[before:])

    def _apply_one(self, action: Action) -> None:
        match action:
            case EnsureLabels():
                pass
            case AddLabels(names=names):
                for name in names:
                    self.label(name, BOT)
            case RemoveLabel(name=name):
                self.unlabel(name, BOT)
            case SetAssignees(logins=logins):
                for login in logins:
                    if login not in self.assignees:
                        self.events.append(self._event("assigned", BOT, assignee={"login": login}))
                self.assignees = list(logins)
            case UpsertComment(kind=kind, body=body):
                existing = [
                    c for c in self.comments if c["user"]["login"] == BOT and kind_of(c["body"]) == kind
                ]
                if existing:
                    existing[0]["body"] = body
                else:
                    self.comment(body, BOT, "NONE")
            case Reply(kind=kind, body=body):
                if kind is None or not self.bot_comments(kind):
                    self.comment(body, BOT, "NONE")
            case OpenFollowup(title=title, body=body, labels=labels):
                number = 100 + len(self.sub_issues)
                self.sub_issues.append(
                    {
                        "number": number,
                        "title": title,
                        "state": "open",
                        "body": body,
                        "labels": [{"name": n} for n in labels],
                        "created_at": iso(self.now),
                    }
                )
            case CloseIssue():
                self.set_state("closed", BOT)
            case ReopenIssue():
                self.set_state("open", BOT)


def context(now: dt.datetime = T0, **changes: Any) -> Context:
    return replace(Context(now=now, bot_login=BOT), **changes)


def run(issue: FakeIssue, trigger: Trigger, workflow: Workflow, ctx: Context | None = None) -> list[Action]:
    """Decide on the issue as it is, then apply the actions to it; returns the actions."""
    plan = decide_plan(trigger, issue.incident(), workflow, ctx or context(issue.now))
    if plan is None:
        return []
    # As the pipeline does: the summary is rendered once the follow-ups have numbers.
    first, rest = perform_order(plan.finish(workflow))
    opened = issue.apply(first)
    rest = plan.after_writes(workflow, rest, opened=opened)
    issue.apply(rest)
    return [*first, *rest]


def say(
    issue: FakeIssue,
    body: str,
    author: str = "alice",
    role: str = "write",
    workflow: Workflow | None = None,
    association: str = "MEMBER",
) -> tuple[CommentCreated, list[Action]]:
    """A person comments; the bot decides and acts. Returns the trigger and the actions."""
    comment_id = issue.comment(body, author, association)
    trigger = CommentCreated(comment_id=comment_id, author=author, body=body, role_name=role)
    return trigger, run(issue, trigger, workflow or default_workflow())


def form(
    severity: str | None = None,
    security: bool = False,
    status: str | None = None,
    workflow: Workflow | None = None,
) -> FormFacts:
    """The issue form's answers, as app.workflow.forms would map them onto the workflow."""
    workflow = workflow or default_workflow()
    return FormFacts(
        severity=workflow.severity(severity) if severity else None,
        security=security,
        status=workflow.status(status) if status else None,
        production=False,
    )


def recorded(
    workflow: Workflow | None = None,
    status: str | None = None,
    severity: str | None = None,
    **issue_fields: Any,
) -> FakeIssue:
    """An incident the bot has already recorded, at this status/severity key, a minute ago."""
    from app.core.rules import Opened

    workflow = workflow or default_workflow()
    labels = [workflow.incident_label.name]
    if status is not None:
        labels.append(workflow.status_by_key(status).label.name)
    if severity is not None:
        labels.append(workflow.severity_by_key(severity).label.name)
    issue = FakeIssue(labels=labels, **issue_fields)
    run(issue, Opened(issue.author), workflow)
    issue.now += MINUTE
    return issue


def settled(issue: FakeIssue, trigger: Trigger, workflow: Workflow, ctx: Context | None = None) -> bool:
    """Deciding again on the same trigger, with nothing changed, asks for nothing."""
    return decide(trigger, issue.incident(), workflow, ctx or context(issue.now)) == []


def texts(actions: list[Action]) -> str:
    """Every piece of text the actions would write anywhere."""
    parts: list[str] = []
    for action in actions:
        match action:
            case UpsertComment(body=body) | Reply(body=body):
                parts.append(body)
            case OpenFollowup(title=title, body=body):
                parts += [title, body]
            case AddLabels(names=names):
                parts += names
            case RemoveLabel(name=name):
                parts.append(name)
            case EnsureLabels(labels=labels):
                parts += [f"{x.name} {x.description}" for x in labels]
            case _:
                pass
    return "\n".join(parts)
