"""The texts the bot writes: the living summary, thanks, help, close-out and retrospective.

Written for 3 a.m.: the most urgent thing first (who leads, whether they are on
it, what to do next), the history last. Security incidents get a neutral
title and a pointer to a private advisory; no bot text ever quotes the issue's
title or body, so nothing here reads them.
"""

from __future__ import annotations

import datetime as dt
import re

from app.core import ledger as ledger_codec
from app.core import markers, timeline
from app.core.commands.grammar import USAGE
from app.core.durations import format_duration, format_time
from app.core.incident import SUMMARY, Incident
from app.core.texts import fit
from app.workflow.model import Role, Severity, Status, Workflow

COMMENT_LIMIT = fit.COMMENT_LIMIT
AGE_MARK = "<!-- incident-bot:age -->"  # the one line that changes with the clock alone
_CHECKED = re.compile(r"^- \[[xX]\] (.+)$", re.MULTILINE)
_SEVERITY_ICONS = {"1": "🔴", "2": "🟠", "3": "🟡"}


def _headline(incident: Incident, workflow: Workflow) -> str:
    severity = incident.severity(workflow)
    status = incident.status(workflow)
    parts = [incident.public_name(workflow)]
    if severity:
        parts.append(f"Severity {severity.key} ({severity.name})")
    if status:
        parts.append(status.name)
    icon = "✅" if status and status.resolved else _SEVERITY_ICONS.get(severity.key if severity else "", "⚪")
    return f"### {icon} " + " · ".join(parts)


def lead_acknowledged(incident: Incident) -> bool:
    """The current lead said they are on it (an /ack, or taking the lead themselves)."""
    lead = (incident.lead or "").lower()
    ledger = incident.ledger
    return bool(lead) and (
        any(a.by.lower() == lead for a in ledger.acks)
        or any(h.to_login.lower() == lead and h.by.lower() == lead for h in ledger.handoffs)
    )


def _lead_line(incident: Incident, workflow: Workflow) -> str:
    lead = incident.lead
    if lead is None:
        return (
            "**No lead yet.** Whoever can lead (triage permission or above): write `/lead @me`; "
            "until then the sweep keeps calling the rotation, the responders and the escalation list."
        )
    status = incident.status(workflow)
    if lead_acknowledged(incident) or (status is not None and status.resolved):
        return f"**Lead:** @{lead} (on it)"
    return f"**Lead:** @{lead} — not acknowledged yet: @{lead}, write `/ack` when you are on it."


def _unconfirmed(incident: Incident) -> list[str]:
    if incident.ledger.confirmed:
        return []
    return [
        "**Unconfirmed report.** Filed by someone without triage permission, so it stays off the "
        "public status page until someone with triage or above confirms it: write `/incident` "
        "(or any `/severity`, `/status`, `/ack` or `/lead`).",
        "",
    ]


def _refusals(incident: Incident) -> list[str]:
    """What GitHub refused to do (the ledger keeps the newest); a failed assignment stops
    mattering once the incident has a lead."""
    notes = [n for n in incident.ledger.refused if not (incident.lead and n.startswith("could not assign"))]
    return [f"⚠️ {markers.neutralise(note)}" for note in notes]


def _age_line(incident: Incident, workflow: Workflow, now: dt.datetime) -> str:
    by, at = timeline.declared(incident, workflow)
    age = format_duration(now - at)
    who = f"by @{by} " if by else ""
    return f"Declared {who}at {format_time(at)} · {age} ago {AGE_MARK}"


def _security_note(incident: Incident, workflow: Workflow) -> list[str]:
    if not incident.is_security(workflow):
        return []
    advisory = f"{incident.repo_url}/security/advisories/new"
    return [
        "",
        "> 🔒 **Security incident.** Keep details out of this issue: discuss them in a private "
        f"[security advisory]({advisory}) and private channels. The bot never repeats this "
        "issue's title or body.",
    ]


def _checklist(items: list[str], checked: set[str]) -> list[str]:
    seen: set[str] = set()
    lines = []
    for item in items:
        if item in seen:
            continue
        seen.add(item)
        lines.append(f"- [{'x' if item in checked else ' '}] {item}")
    return lines


def _next_steps(
    incident: Incident, workflow: Workflow, severity: Severity | None, status: Status | None
) -> list[str]:
    """Most urgent first: keep it private, roll back, tell people, then the status's own steps."""
    resolved = status is not None and status.resolved
    steps: list[str] = []
    if incident.is_security(workflow):
        steps += workflow.security.next_steps
    if not resolved:
        steps += workflow.next_steps
        steps += severity.next_steps if severity is not None else ()
    if status is not None:
        steps += status.next_steps
    return steps


def _moves(workflow: Workflow, status: Status | None) -> list[str]:
    if status is None:
        return []
    allowed = workflow.allowed_next(status.key)
    if not allowed:
        return []
    moves = " · ".join(f"`/status {s.key}` ({s.name})" for s in allowed)
    return ["", f"**Next status:** {moves}"]


def _roles(incident: Incident, workflow: Workflow) -> list[str]:
    holders = incident.ledger.current_roles()
    if not workflow.roles:
        return []
    cells = []
    for role in workflow.roles:
        holder = holders.get(role.key)
        cells.append(f"{role.name}: {'@' + holder if holder else '_unassigned_'}")
    return ["", "**Roles:** " + " · ".join(cells)]


def _followups(incident: Incident, workflow: Workflow) -> list[str]:
    """Ticked when closed. A security incident's list shows numbers only: titles may tell too much."""
    if not incident.sub_issues:
        return []
    lines = ["", "#### Follow-ups"]
    critical = workflow.followups.critical_label.name
    for sub in incident.sub_issues:
        box = "x" if sub.state == "closed" else " "
        title = "" if incident.is_security(workflow) else f" {_cell(sub.title)}"
        flag = f" · `{critical}`" if sub.has_label(critical) else ""
        lines.append(f"- [{box}] #{sub.number}{title}{flag} ({sub.state})")
    return lines


def _cell(text: str) -> str:
    """People's text in one table cell: neutralised (app.core.markers), one line."""
    return markers.neutralise(text).replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


TIMELINE_HEADER = ("| time (UTC) | what | who |", "|---|---|---|")


def timeline_rows(incident: Incident, workflow: Workflow) -> tuple[list[str], str]:
    """The timeline's table rows, oldest first, and the durations line under the table."""
    line = timeline.build(incident, workflow)
    rows = []
    for entry in line.entries:
        who = f"@{entry.by}" if entry.by else ""
        rows.append(f"| {format_time(entry.at)} | {_cell(entry.what)} | {who} |")
    durations = (
        f"Time to acknowledge: {format_duration(line.time_to_acknowledge)} · "
        f"to stabilize: {format_duration(line.time_to_stabilize)} · "
        f"to resolve: {format_duration(line.time_to_resolve)}"
    )
    return rows, durations


def timeline_table(incident: Incident, workflow: Workflow) -> list[str]:
    rows, durations = timeline_rows(incident, workflow)
    return [*TIMELINE_HEADER, *rows, "", durations]


def folded_rows(count: int) -> str:
    return f"| | _{count} older entries folded to fit GitHub's comment limit_ | |"


def footer() -> str:
    forms = " · ".join(f"`{form}`" for form, _ in USAGE.values())
    return f"<sub>Commands: {forms}</sub>"


def render(incident: Incident, workflow: Workflow, now: dt.datetime) -> str:
    """The summary comment for the incident, its ledger the last line, under GitHub's size limit.

    Boxes people ticked in the current summary stay ticked. When the comment would be
    too long, the oldest timeline rows are folded into one line that counts them: the
    history is the least urgent thing on it (fit.fold), and the ledger bounds itself.
    """
    existing = incident.bot_comment(SUMMARY)
    checked = set(_CHECKED.findall(existing.body)) if existing else set()
    severity = incident.severity(workflow)
    status = incident.status(workflow)
    lines = [
        markers.tag(SUMMARY),
        _headline(incident, workflow),
        "",
        *_unconfirmed(incident),
        _lead_line(incident, workflow),
        _age_line(incident, workflow, now),
        *_refusals(incident),
        *_security_note(incident, workflow),
        "",
        "#### Next steps",
        *_checklist(_next_steps(incident, workflow, severity, status), checked),
    ]
    if workflow.triage_questions and not ((status and status.stabilized) or (status and status.resolved)):
        lines += ["", "#### Triage", *_checklist(list(workflow.triage_questions), checked)]
    lines += [
        *_moves(workflow, status),
        *_roles(incident, workflow),
        *_followups(incident, workflow),
        "",
        "<details><summary>Timeline</summary>",
        "",
        *TIMELINE_HEADER,
    ]
    rows, durations = timeline_rows(incident, workflow)
    tail = ["", durations, "", "</details>", "", footer(), ledger_codec.encode(incident.ledger)]
    return fit.fold(lines, rows, tail, folded_rows)


def render_untracked(incident: Incident, workflow: Workflow) -> str:
    """What the summary says once the incident label is gone (the ledger is kept)."""
    label = workflow.incident_label.name
    return "\n".join(
        [
            markers.tag(SUMMARY),
            "### ⚪ No longer tracked as an incident",
            "",
            f"The `{label}` label was removed, so the bot has stopped tracking this issue. "
            f"Add the `{label}` label again to pick it back up.",
            ledger_codec.encode(incident.ledger),
        ]
    )


def same(a: str, b: str) -> bool:
    """Whether two summaries say the same thing, ignoring the line that only ages."""

    def material(text: str) -> list[str]:
        return [line for line in text.splitlines() if AGE_MARK not in line]

    return material(a) == material(b)


def thanks(incident: Incident, workflow: Workflow) -> str:
    text = workflow.reporter_thanks
    for key, value in (("{reporter}", f"@{incident.author}"), ("{number}", str(incident.number))):
        text = text.replace(key, value)
    if f"@{incident.author}" not in text:
        text = f"@{incident.author} {text}"
    return f"{markers.tag(markers.THANKS)}\n{text}"


def role_notice(incident: Incident, workflow: Workflow, role: Role, people: list[str]) -> str:
    """One ping to the people a role says must hear of every incident; no issue text."""
    mentions = " ".join(f"@{login}" for login in people)
    return (
        f"{markers.tag(markers.notify(role.key))}\n{mentions}: incident #{incident.number} was declared "
        f"and you are to be informed as {role.name}. Whoever takes the role for this incident: "
        f"`/role {role.key} @login`."
    )


def help_text() -> str:
    lines = ["Incident commands (write them at the start of a line):", ""]
    lines += [f"- `{form}` — {meaning}" for form, meaning in USAGE.values()]
    lines += [
        "",
        "Anyone may `/incident` (a report a collaborator then confirms) and `/help`; "
        "the other commands need triage, write, maintain or admin permission.",
    ]
    return "\n".join(lines)


def closeout(incident: Incident, workflow: Workflow) -> str:
    open_followups = [s for s in incident.sub_issues if s.state == "open"]
    lines = [
        markers.tag(markers.CLOSEOUT),
        f"### Close-out: {incident.public_name(workflow)} is resolved",
        "",
    ]
    lines += _checklist(list(workflow.closeout_checklist), set())
    if open_followups:
        lines += ["", "Open follow-ups: " + ", ".join(f"#{s.number}" for s in open_followups)]
    return "\n".join(lines)


def config_error(error: str) -> str:
    return "\n".join(
        [
            markers.tag(markers.CONFIG_ERROR),
            "⚠️ The incident settings of this repository (`.github/incidents.yml`) could not be "
            "used, so the bot runs with its defaults:",
            "",
            f"> {_cell(error)}",
        ]
    )


def config_fixed() -> str:
    return f"{markers.tag(markers.CONFIG_ERROR)}\n✅ The incident settings load again."
