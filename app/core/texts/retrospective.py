"""The retrospective comment: who hosts, who attends, the checklist, the timeline, the 5 whys.

Openverse incident policy, the Openverse runbook and Wellcome Collection's process agree: the lead hosts a
blameless retrospective soon after the
incident, everyone who recorded or helped attends, it starts from a timeline,
asks the 5 whys and ends in action items that become follow-up issues.

People tick the boxes and write their notes into this comment. So when the
incident is resolved again, only the part between the timeline markers is
replaced (``refresh``): their ticks and notes stay.
"""

from __future__ import annotations

from app.core import markers, timeline
from app.core.incident import Incident
from app.core.texts.summary import timeline_table
from app.workflow.model import Workflow

RETRO = markers.RETRO
TIMELINE_START = "<!-- incident-bot:retro-timeline -->"
TIMELINE_END = "<!-- incident-bot:retro-timeline-end -->"
PEOPLE_EVENTS = frozenset({"labeled", "unlabeled", "closed", "reopened", "assigned", "unassigned"})
FIVE_WHYS = (
    "1. Why did users see the problem? Because …",
    "2. Why? Because …",
    "3. Why? Because …",
    "4. Why? Because …",
    "5. Why? Because … (a root cause, in the system or the process)",
)


def _is_person(login: str, incident: Incident) -> bool:
    return bool(login) and login != incident.bot_login and not login.endswith("[bot]")


def acted(incident: Incident) -> list[str]:
    """Everyone who changed the incident: labels, state, assignees, commands, roles, hand-offs."""
    ledger = incident.ledger
    people = [e.actor for e in incident.events if e.kind in PEOPLE_EVENTS]
    people += [a.by for a in ledger.acks] + [u.by for u in ledger.updates]
    people += [x for r in ledger.roles for x in (r.by, r.login)]
    people += [x for h in ledger.handoffs for x in (h.by, h.to_login)]
    people += [c.author for c in incident.comments if ledger.has_processed(c.id)]
    return people


def attendees(incident: Incident, workflow: Workflow) -> list[str]:
    """The lead, the declarer, then everyone who acted (Openverse incident response runbook: everyone relevant
    attends)."""
    declarer = timeline.declared(incident, workflow)[0]
    seen: dict[str, str] = {}
    for login in [incident.lead or "", declarer, *acted(incident)]:
        if _is_person(login, incident):
            seen.setdefault(login.lower(), login)
    return list(seen.values())


def _host(incident: Incident) -> str:
    if incident.lead is None:
        return "**Nobody leads this incident**, so nobody hosts its retrospective yet: `/lead @login`."
    return (
        f"@{incident.lead}, you lead this incident, so you host its retrospective: this issue is "
        "assigned to you. Hold it soon, while memories are fresh."
    )


def timeline_block(incident: Incident, workflow: Workflow) -> list[str]:
    return [TIMELINE_START, "#### Timeline", "", *timeline_table(incident, workflow), TIMELINE_END]


def render(incident: Incident, workflow: Workflow) -> str:
    who = " ".join(f"@{p}" for p in attendees(incident, workflow)) or "_nobody recorded yet_"
    lines = [
        markers.tag(RETRO),
        f"### Retrospective: {incident.public_name(workflow)}",
        "",
        _host(incident),
        "",
        "**Blameless:** we look at systems and process, never at who made a mistake. Everyone "
        "acted in good faith on what they knew at the time.",
        "",
        f"**Who attends:** {who}",
        "",
        "#### Checklist",
        *(f"- [ ] {item}" for item in dict.fromkeys(workflow.retro_checklist)),
        "",
        *timeline_block(incident, workflow),
        "",
        "#### 5 whys",
        *FIVE_WHYS,
        "",
        "#### What went well",
        "- …",
        "",
        "#### What went badly",
        "- …",
        "",
        "#### Action items",
        "Open each as a follow-up issue with `/followup TITLE` (`/followup critical TITLE` when it "
        "stabilizes the incident); it is then listed on the summary until it is closed.",
        "- [ ] …",
    ]
    return "\n".join(lines)


def refresh(existing: str, fresh: str) -> str:
    """The existing comment with its timeline replaced by the fresh one's; ticks and notes stay."""
    old = _between(existing)
    new = _between(fresh)
    if old is None or new is None:
        return existing  # someone removed the markers: their text wins over ours
    return existing[: old[0]] + fresh[new[0] : new[1]] + existing[old[1] :]


def _between(body: str) -> tuple[int, int] | None:
    start = body.find(TIMELINE_START)
    end = body.find(TIMELINE_END, start + 1) if start >= 0 else -1
    return (start, end + len(TIMELINE_END)) if end >= 0 else None


def ticked(body: str) -> bool:
    """Whether anyone ticked a box of the retrospective (the hygiene reminder asks)."""
    return any(line.lstrip().lower().startswith("- [x]") for line in body.splitlines())


def updated(existing: str | None, incident: Incident, workflow: Workflow) -> str:
    """The retrospective to write: a fresh one, or the existing one with its timeline refreshed."""
    fresh = render(incident, workflow)
    return refresh(existing, fresh) if existing else fresh
