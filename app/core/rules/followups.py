"""Follow-ups: issues opened from an incident and linked to it as sub-issues.

`/followup [critical] [TITLE]` opens one; a workflow may also ask for a
discussion board when the incident is resolved (Node.js Release Worker incident flow, step 6). Each
follow-up's body carries a hidden marker (the command's comment id, or
`discussion`), so a redelivered trigger finds it already open. The body links
back to the incident and says why the issue exists; it never quotes the
incident's title or body, and a security incident's follow-up gets a neutral
title unless its author wrote one.
"""

from __future__ import annotations

from app.core import markers
from app.core.actions import OpenFollowup
from app.core.commands.grammar import Command
from app.core.incident import Incident
from app.core.rules.plan import Plan
from app.core.rules.triggers import CommentCreated
from app.core.texts import fit
from app.workflow.model import Workflow

DISCUSSION = markers.DISCUSSION


def stabilizes(incident: Incident, workflow: Workflow) -> bool:
    """Openverse incident policy: issues opened to stabilize a severity 1 or 2 incident are critical."""
    severity = incident.severity(workflow)
    status = incident.status(workflow)
    settled = status is not None and (status.stabilized or status.resolved)
    return bool(severity and severity.critical_followups and not settled)


def incident_name(incident: Incident, workflow: Workflow) -> str:
    """How public bot text names the incident, in a sentence."""
    return incident.public_name(workflow, in_sentence=True)


def default_title(incident: Incident, workflow: Workflow) -> str:
    if incident.is_security(workflow):
        return f"Follow-up of {incident_name(incident, workflow)}"
    return f"Follow-up of incident #{incident.number}: {incident.title}"


def on_command(plan: Plan, workflow: Workflow, comment: CommentCreated, command: Command) -> Plan:
    incident = plan.after
    asked = "critical" in command.flags
    critical = asked or stabilizes(incident, workflow)
    if asked:
        why = f"@{comment.author} marked it `critical`: it stabilizes the incident."
    elif critical:
        severity = incident.severity(workflow)
        level = f"severity {severity.key}" if severity else "a severe"
        why = f"It was opened while the {level} incident was not yet stabilized, so it is `critical`."
    else:
        why = "It tracks lasting work that came out of the incident."
    title = command.value or default_title(incident, workflow)
    by = f"opened by @{comment.author}"
    return _open(plan, workflow, markers.followup(comment.comment_id), title, by, why, critical)


def on_resolve(plan: Plan, workflow: Workflow) -> Plan:
    """Node.js Release Worker incident flow step 6: an issue to discuss the changes that keep it from
    happening again."""
    if not workflow.followups.discussion_on_resolve:
        return plan
    title = workflow.followups.discussion_title.replace("{number}", str(plan.after.number))
    why = "A discussion board for the changes that would keep this incident from happening again."
    return _open(plan, workflow, DISCUSSION, title, "opened when it was resolved", why, critical=False)


def _already_opened(plan: Plan, kind: str) -> bool:
    planned = any(isinstance(a, OpenFollowup) and a.kind == kind for a in plan.actions)
    return planned or any(markers.kind_of(s.body) == kind for s in plan.after.sub_issues)


def _open(plan: Plan, workflow: Workflow, kind: str, title: str, by: str, why: str, critical: bool) -> Plan:
    if _already_opened(plan, kind):
        return plan
    incident = plan.after
    policy = workflow.followups
    labels = (policy.label.name, policy.critical_label.name) if critical else (policy.label.name,)
    name = incident_name(incident, workflow)
    link = "" if f"#{incident.number}" in name else f" (#{incident.number})"
    lines = [markers.tag(kind), f"Follow-up of {name}{link}, {by}."]
    lines += ["", f"**Why:** {why}"]
    if policy.body_intro:
        lines += ["", policy.body_intro.strip()]
    if incident.is_security(workflow):
        lines += [
            "",
            "🔒 The incident is a security incident: keep its details in the private security "
            "advisory, not in this issue.",
        ]
    return plan.open_followup(OpenFollowup(kind, fit.title(title), fit.body("\n".join(lines)), labels))
