"""Everything else the rules need to know, handed in as plain data (no clock, no HTTP)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.core.incident import Incident
from app.core.notifications import NotifyContext
from app.core.rules.triggers import Sweep, Trigger
from app.workflow.forms import FormFacts
from app.workflow.model import Workflow

CHANGE_ROLES = frozenset({"triage", "write", "maintain", "admin"})
ADMIN_ROLES = frozenset({"admin"})


@dataclass(frozen=True)
class Context:
    now: dt.datetime  # aware UTC: when the rules run
    bot_login: str  # "<app-slug>[bot]"
    config_error: str | None = None  # the repo's .github/incidents.yml is broken: say so
    equity_counts: Mapping[str, int] = field(default_factory=dict)  # login -> incidents led lately
    team_members: tuple[str, ...] = ()  # members of the rotation's team, when it names one
    form: FormFacts | None = None  # the issue form's answers (app.workflow.forms.form_facts)
    notify: NotifyContext = field(default_factory=NotifyContext)  # channels outside GitHub, if any
    # Logins (lower case) GitHub would refuse as assignees of this issue: only people with
    # write access, organisation members and those who commented on the issue can be
    # assigned (https://docs.github.com/en/issues/tracking-your-work-with-issues/using-issues/assigning-issues-and-pull-requests-to-other-github-users).
    # The pipeline asks GitHub about the candidates the rules may pick; anyone else is assumed assignable.
    unassignable: frozenset[str] = frozenset()
    # The role_name of the person behind an issue event (its sender), when the pipeline
    # needed it: to tell a report from a declaration, and who confirms a report.
    actor_role: str | None = None

    def can_assign(self, login: str) -> bool:
        return login.lower() not in self.unassignable


def may_change(role_name: str | None) -> bool:
    """Triage, write, maintain and admin may change an incident."""
    return (role_name or "").lower() in CHANGE_ROLES


def is_admin(role_name: str | None) -> bool:
    return (role_name or "").lower() in ADMIN_ROLES


# What the rules will read, so the pipeline fetches only that: the counts of the equity rule
# (Openverse incident policy, "the lead": whoever led least recently) when a lead is about
# to be chosen, and the rotation's team then or when the sweep may escalate to the next one.


def needs_equity_counts(incident: Incident, workflow: Workflow) -> bool:
    policy = workflow.lead
    return incident.lead is None and bool(policy.rotation or policy.responders)


def needs_team(incident: Incident, workflow: Workflow, trigger: Trigger) -> bool:
    rotation = workflow.lead.rotation
    if rotation is None or not rotation.team:
        return False
    return incident.lead is None or isinstance(trigger, Sweep)
