"""The retrospective: host, attendees, timeline with durations, 5 whys; edited in place."""

from __future__ import annotations

from app.core.rules import Reopened
from tests.rules.factories import MINUTE, FakeIssue, default_workflow, recorded, run, say

WF = default_workflow()


def _retro(issue: FakeIssue) -> str:
    (body,) = issue.bot_comments("retro")
    return body


def _resolve_after_a_morning(issue: FakeIssue) -> None:
    """Acknowledged after 5 minutes, stabilized after 30, resolved after 2 hours (from declared)."""
    start = issue.now - MINUTE  # recorded() declared it a minute ago
    lead = issue.assignees[0]
    issue.now = start + 5 * MINUTE
    say(issue, "/ack", author=lead)
    issue.now = start + 12 * MINUTE
    say(issue, "/update rolled back", author="carol")
    issue.now = start + 30 * MINUTE
    say(issue, "/status stabilized", author=lead)
    issue.now = start + 50 * MINUTE
    say(issue, "/role comms @dave", author="erin")
    say(issue, "/status under investigation", author=lead)
    issue.now = start + 120 * MINUTE
    say(issue, "/resolve", author=lead)


def test_resolving_posts_the_retro_with_durations_from_the_history() -> None:
    issue = recorded(WF, severity="1")
    _resolve_after_a_morning(issue)
    retro = _retro(issue)
    assert "Time to acknowledge: 5m · to stabilize: 30m · to resolve: 2h 00m" in retro
    for heading in ("#### 5 whys", "#### What went well", "#### What went badly", "#### Action items"):
        assert heading in retro
    assert "Blameless" in retro and "/followup TITLE" in retro
    assert "- [ ] 5 whys" in retro  # the workflow's checklist


def test_the_lead_hosts_and_everyone_who_acted_attends() -> None:
    issue = recorded(WF, severity="1")
    lead = issue.assignees[0]
    issue.label("severity: 2", actor="frank")  # someone who only touched a label
    _resolve_after_a_morning(issue)
    retro = _retro(issue)
    assert f"@{lead}, you lead this incident, so you host" in retro and "assigned to you" in retro
    attendees = retro.split("**Who attends:** ")[1].splitlines()[0].split()
    assert attendees[:2] == [f"@{lead}", "@reporter"]  # lead, then declarer
    assert {"@carol", "@dave", "@erin", "@frank"} <= set(attendees)
    assert not any("[bot]" in a for a in attendees)


def test_resolved_again_edits_the_same_comment_and_keeps_what_people_wrote() -> None:
    issue = recorded(WF)
    _resolve_after_a_morning(issue)
    comment = next(c for c in issue.comments if "incident-bot:retro" in c["body"])
    comment["body"] = (
        comment["body"]
        .replace("- [ ] 5 whys", "- [x] 5 whys")
        .replace("#### What went well\n- …", "#### What went well\n- the rollback took two minutes")
    )
    issue.now += 60 * MINUTE
    issue.set_state("open", "bob")
    run(issue, Reopened("bob"), WF)
    for key in ("stabilized", "under investigation"):
        say(issue, f"/status {key}")
    issue.now += 60 * MINUTE
    say(issue, "/resolve")
    retro = _retro(issue)
    assert "- [x] 5 whys" in retro and "the rollback took two minutes" in retro
    assert "Issue reopened" in retro  # the timeline was refreshed


def test_retro_command_posts_one_comment_however_often_it_is_asked() -> None:
    issue = recorded(WF)
    say(issue, "/retro")
    say(issue, "/retro")
    assert "#### Timeline" in _retro(issue)


def test_a_security_incidents_retro_has_no_title() -> None:
    issue = recorded(WF, title="zq-title-secret")
    issue.label("security")
    say(issue, "/retro")
    assert "zq-title-secret" not in _retro(issue) and "Security incident #7" in _retro(issue)
