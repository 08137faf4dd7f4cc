"""A plan: the actions decided so far, and the incident as it will be once they are done.

Rules read the projected incident, so a later rule sees the earlier ones'
effects (a command that adds a label, then the summary that shows it). Plans
are values: each step returns a new plan, so a comment whose commands are
refused is simply dropped, with no partial effects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from app.core.actions import (
    Action,
    AddLabels,
    CloseIssue,
    EnsureLabels,
    LinkSubIssue,
    OpenFollowup,
    RemoveLabel,
    ReopenIssue,
    Reply,
    SetAssignees,
    UpsertComment,
)
from app.core.incident import SUMMARY, Incident, IssueEvent, SubIssue
from app.core.ledger import Ledger
from app.core.texts import retrospective, summary
from app.workflow.model import Workflow


@dataclass(frozen=True)
class Plan:
    before: Incident  # as GitHub has it now
    after: Incident  # as it will be
    now: dt.datetime
    actions: tuple[Action, ...] = ()

    @classmethod
    def start(cls, incident: Incident, now: dt.datetime) -> Plan:
        return cls(before=incident, after=incident, now=now)

    def _event(self, kind: str, label: str) -> IssueEvent:
        return IssueEvent(kind=kind, actor=self.after.bot_login, at=self.now, label=label)

    def _then(self, action: Action, after: Incident) -> Plan:
        return replace(self, actions=(*self.actions, action), after=after)

    def add_label(self, name: str) -> Plan:
        if self.after.has_label(name):
            return self
        after = replace(
            self.after,
            labels=(*self.after.labels, name),
            events=(*self.after.events, self._event("labeled", name)),
        )
        return self._then(AddLabels((name,)), after)

    def remove_label(self, name: str) -> Plan:
        if not self.after.has_label(name):
            return self
        after = replace(
            self.after,
            labels=tuple(x for x in self.after.labels if x.lower() != name.lower()),
            events=(*self.after.events, self._event("unlabeled", name)),
        )
        return self._then(RemoveLabel(name), after)

    def swap_label(self, new: str, old: tuple[str, ...]) -> Plan:
        """Add `new`, then remove the others: added first, so the timeline never sees a gap."""
        plan = self.add_label(new)
        for name in old:
            if name.lower() != new.lower():
                plan = plan.remove_label(name)
        return plan

    def assign(self, login: str) -> Plan:
        if self.after.assignees == (login,):
            return self
        event = IssueEvent(kind="assigned", actor=self.after.bot_login, at=self.now, assignee=login)
        after = replace(self.after, assignees=(login,), events=(*self.after.events, event))
        return self._then(SetAssignees((login,)), after)

    def with_ledger(self, ledger: Ledger) -> Plan:
        return replace(self, after=self.after.with_ledger(ledger))

    def reply(self, body: str, kind: str | None = None) -> Plan:
        if kind is not None and (self.before.has_bot_comment(kind) or self._replies(kind)):
            return self
        return replace(self, actions=(*self.actions, Reply(body, kind)))

    def _replies(self, kind: str) -> bool:
        return any(isinstance(a, Reply | UpsertComment) and a.kind == kind for a in self.actions)

    def upsert(self, kind: str, body: str) -> Plan:
        existing = self.before.bot_comment(kind)
        if existing is not None and summary.same(existing.body, body):
            return self
        return replace(self, actions=(*self.actions, UpsertComment(kind, body)))

    def link(self, sub: SubIssue) -> Plan:
        """Make `sub` a follow-up of the incident (a sub-issue), unless it is one already."""
        if any(s.number == sub.number for s in self.after.sub_issues):
            return self
        after = replace(self.after, sub_issues=(*self.after.sub_issues, sub))
        return self._then(LinkSubIssue(sub.id, sub.number), after)

    def open_followup(self, followup: OpenFollowup) -> Plan:
        return replace(self, actions=(*self.actions, followup))

    def close(self, reason: str = "completed") -> Plan:
        if self.after.state == "closed":
            return self
        event = IssueEvent(kind="closed", actor=self.after.bot_login, at=self.now)
        after = replace(self.after, state="closed", events=(*self.after.events, event))
        return self._then(CloseIssue(reason), after)

    def reopen(self) -> Plan:
        if self.after.state == "open":
            return self
        event = IssueEvent(kind="reopened", actor=self.after.bot_login, at=self.now)
        after = replace(self.after, state="open", events=(*self.after.events, event))
        return self._then(ReopenIssue(), after)

    def finish(self, workflow: Workflow) -> list[Action]:
        """The actions in the order the writer must run them, the summary brought up to date."""
        plan = self._with_summary(workflow)
        ordered = _one_add(sorted(plan.actions, key=stage))
        if any(isinstance(a, AddLabels | OpenFollowup) for a in ordered):
            ordered.insert(0, EnsureLabels(workflow.all_labels()))
        return ordered

    def retrospective(self, workflow: Workflow, existing: str | None) -> str:
        return retrospective.updated(existing, self.after, workflow)

    def after_writes(
        self,
        workflow: Workflow,
        rest: list[Action],
        *,
        opened: tuple[SubIssue, ...] = (),
        refused: tuple[tuple[Action, str], ...] = (),  # (the write, why GitHub refused it)
    ) -> list[Action]:
        """The actions still to perform, once the writer opened these follow-ups (only now do
        they have numbers) and GitHub refused these writes (why, in one line each): the texts
        that list them, the summary and the retrospective, rendered once, from the incident as
        done, in place of the ones rendered before."""
        if not opened and not refused:
            return rest
        after = replace(self.after, sub_issues=(*self.after.sub_issues, *opened))
        if any(isinstance(action, SetAssignees) for action, _ in refused):
            after = replace(after, assignees=self.before.assignees)  # the lead stays who it was
        logins = tuple(x for action, _ in refused if isinstance(action, SetAssignees) for x in action.logins)
        ledger = after.ledger.with_refusals(tuple(why for _, why in refused), logins)
        plan = replace(self, after=after.with_ledger(ledger), actions=())
        fresh = {a.kind: a for a in plan._with_summary(workflow).actions if isinstance(a, UpsertComment)}
        if any(isinstance(a, UpsertComment) and a.kind == retrospective.RETRO for a in rest):
            existing = self.before.bot_comment(retrospective.RETRO)
            body = plan.retrospective(workflow, existing.body if existing else None)
            fresh[retrospective.RETRO] = UpsertComment(retrospective.RETRO, body)
        out = [fresh.pop(a.kind, a) if isinstance(a, UpsertComment) else a for a in rest]
        return [*fresh.values(), *out]  # a summary that did not change before now lists them

    def _with_summary(self, workflow: Workflow) -> Plan:
        if self.after.is_incident(workflow):
            return self.upsert(SUMMARY, summary.render(self.after, workflow, self.now))
        if self.before.has_bot_comment(SUMMARY):
            return self.upsert(SUMMARY, summary.render_untracked(self.after, workflow))
        return self


def _one_add(actions: list[Action]) -> list[Action]:
    """Every label added by one request: declaring adds a status and a severity, one POST not two.

    A later addition joins the first unless a removal in between names the same label
    (remove X, then add X must stay in that order to leave X on the issue).
    """
    out: list[Action] = []
    first: int | None = None
    for action in actions:
        if isinstance(action, AddLabels) and first is not None:
            names = {n.lower() for n in action.names}
            between = out[first + 1 :]
            if not any(isinstance(a, RemoveLabel) and a.name.lower() in names for a in between):
                merged = out[first]
                assert isinstance(merged, AddLabels)
                out[first] = AddLabels((*merged.names, *action.names))
                continue
        if isinstance(action, AddLabels) and first is None:
            first = len(out)
        out.append(action)
    return out


SUMMARY_STAGE = 4


def stage(action: Action) -> int:
    """Labels first (the summary shows them), then people, the summary, replies, the state."""
    match action:
        case AddLabels() | RemoveLabel():
            return 1
        case SetAssignees():
            return 2
        case OpenFollowup() | LinkSubIssue():
            return 3
        case UpsertComment(kind=kind) if kind == SUMMARY:
            return SUMMARY_STAGE
        case Reply() | UpsertComment():
            return 5
        case _:
            return 6
