"""Who leads an incident, decided purely from the policy and the date.

In order: whoever is on duty in the rotation (skipping people who are away);
else whoever of the rotation or the responders led fewest incidents lately
(Openverse incident policy equity rule; counts come from the caller); else the declarer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from app.workflow.model import LeadPolicy, Rotation

PERIOD_DAYS = {"weekly": 7, "daily": 1}


def rotation_members(rotation: Rotation, team_members: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A team rotation takes its members from GitHub (given); else the listed logins."""
    return team_members if rotation.team and team_members else rotation.members


def on_duty_index(rotation: Rotation, members: tuple[str, ...], now: dt.datetime) -> int:
    """The index of the member on duty at `now`, days counted in the rotation's time zone."""
    local_day = now.astimezone(ZoneInfo(rotation.timezone)).date()
    periods = (local_day - rotation.start).days // PERIOD_DAYS.get(rotation.period, 7)
    return periods % len(members)


def _in_turn_from(members: tuple[str, ...], first: int) -> tuple[str, ...]:
    return members[first:] + members[:first]


def on_duty(
    policy: LeadPolicy,
    now: dt.datetime,
    team_members: tuple[str, ...] = (),
    unassignable: frozenset[str] = frozenset(),
) -> str | None:
    """The rotation's member on duty, or the next one in turn when they are away (or cannot
    be assigned in this repository)."""
    rotation = policy.rotation
    members = rotation_members(rotation, team_members) if rotation else ()
    if rotation is None or not members:
        return None
    turn = _in_turn_from(members, on_duty_index(rotation, members, now))
    return next((m for m in turn if not _is_away(policy, m) and m.lower() not in unassignable), None)


def _is_away(policy: LeadPolicy, login: str) -> bool:
    return login.lower() in (a.lower() for a in policy.away)


def least_recent_leader(
    policy: LeadPolicy,
    equity_counts: Mapping[str, int],
    team_members: tuple[str, ...] = (),
    unassignable: frozenset[str] = frozenset(),
) -> str | None:
    """Who led fewest incidents in the window; ties go by rotation order, then login."""
    pool = rotation_members(policy.rotation, team_members) if policy.rotation else ()
    pool = pool or policy.responders
    present = [
        (i, m) for i, m in enumerate(pool) if not _is_away(policy, m) and m.lower() not in unassignable
    ]
    if not present:
        return None
    counts = {login.lower(): n for login, n in equity_counts.items()}
    _, login = min(present, key=lambda im: (counts.get(im[1].lower(), 0), im[0], im[1].lower()))
    return login


def choose_lead(
    policy: LeadPolicy,
    *,
    now: dt.datetime,
    declarer: str,
    equity_counts: Mapping[str, int],
    team_members: tuple[str, ...] = (),
    unassignable: frozenset[str] = frozenset(),
) -> str | None:
    """The lead for a new incident, of the people GitHub lets be assigned; None when the
    policy says to ask rather than assign, or nobody qualifies ("no lead yet")."""
    chosen = on_duty(policy, now, team_members, unassignable) or least_recent_leader(
        policy, equity_counts, team_members, unassignable
    )
    if chosen:
        return chosen
    if policy.assign_declarer_last and declarer and declarer.lower() not in unassignable:
        return declarer
    return None


def lead_candidates(policy: LeadPolicy, declarer: str, team_members: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Everyone choose_lead may pick, so the caller can ask GitHub which can be assigned."""
    pool = rotation_members(policy.rotation, team_members) if policy.rotation else ()
    found = [*pool, *policy.responders, *([declarer] if declarer else [])]
    return tuple(dict.fromkeys(found))


def escalation_chain(
    policy: LeadPolicy, lead: str | None, now: dt.datetime, team_members: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Whom to ping, in order, when the lead does not acknowledge: next in rotation, then the
    escalation list (without the lead, people away, or anyone twice)."""
    chain: list[str] = []
    rotation = policy.rotation
    members = rotation_members(rotation, team_members) if rotation else ()
    if rotation and members:
        start = on_duty_index(rotation, members, now)
        if lead in members:
            start = members.index(lead)
        # With no lead yet, the one on duty is the first to call; else the lead is skipped.
        chain.extend(_in_turn_from(members, start)[0 if lead is None else 1 :])
    if lead is None:
        chain.extend(policy.responders)
    chain.extend(policy.escalation)
    seen: set[str] = {(lead or "").lower()}
    result: list[str] = []
    for login in chain:
        if login.lower() not in seen and not _is_away(policy, login):
            seen.add(login.lower())
            result.append(login)
    return tuple(result)


def next_escalation(
    policy: LeadPolicy,
    lead: str | None,
    now: dt.datetime,
    *,
    already_pinged: tuple[str, ...] = (),
    team_members: tuple[str, ...] = (),
) -> str | None:
    """The next person to escalate to, skipping those already pinged."""
    pinged = {p.lower() for p in already_pinged}
    chain = escalation_chain(policy, lead, now, team_members)
    return next((login for login in chain if login.lower() not in pinged), None)
