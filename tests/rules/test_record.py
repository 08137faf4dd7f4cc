"""Record: however an issue becomes an incident, it ends the same way, once."""

from __future__ import annotations

from app.core.actions import AddLabels, EnsureLabels, Reply, SetAssignees, UpsertComment
from app.core.rules import Edited, Labeled, Opened, Sweep
from app.core.rules.decide import decide
from tests.rules.factories import (
    BOT,
    MINUTE,
    FakeIssue,
    context,
    default_workflow,
    form,
    run,
    say,
    settled,
)

WF = default_workflow()


def _recorded_state(issue: FakeIssue) -> tuple[set[str], list[str], int]:
    return set(issue.labels), issue.assignees, len(issue.bot_comments("summary"))


def test_opened_with_the_incident_label_is_recorded_with_defaults() -> None:
    issue = FakeIssue(labels=["incident"])
    actions = run(issue, Opened("reporter"), WF)

    assert isinstance(actions[0], EnsureLabels)
    assert {x.name for x in actions[0].labels} >= {"incident", "severity: 1", "status: resolved"}
    assert set(issue.labels) == {"incident", "status: stabilization pending", "severity: 2"}
    assert issue.assignees == ["alice"]  # equity: nobody led any, first responder
    assert len(issue.bot_comments("summary")) == 1
    assert settled(issue, Opened("reporter"), WF)


def test_labels_come_before_the_summary() -> None:
    issue = FakeIssue(labels=["incident"])
    actions = run(issue, Opened("reporter"), WF)
    kinds = [type(a) for a in actions]
    assert kinds.index(AddLabels) < kinds.index(UpsertComment)
    assert kinds.index(SetAssignees) < kinds.index(UpsertComment)


def test_opened_then_labeled_deliveries_act_once_whichever_comes_first() -> None:
    first = FakeIssue(labels=["incident", "severity: 1"])
    run(first, Opened("reporter"), WF)
    assert settled(first, Labeled("incident", "reporter"), WF)
    assert settled(first, Labeled("severity: 1", "reporter"), WF)

    second = FakeIssue(labels=["incident", "severity: 1"])
    run(second, Labeled("severity: 1", "reporter"), WF)
    assert settled(second, Opened("reporter"), WF)
    assert _recorded_state(first) == _recorded_state(second)


def test_labeled_incident_later_records_and_credits_who_labeled() -> None:
    issue = FakeIssue()
    assert run(issue, Opened("reporter"), WF) == []
    issue.now += 5 * MINUTE
    issue.label("incident", actor="dana")
    run(issue, Labeled("incident", "dana"), WF)
    incident = issue.incident()
    assert incident.ledger.declared_by == "dana"
    assert incident.ledger.declared_at == issue.now
    assert "Declared by @dana" in issue.bot_comments("summary")[0]


def test_a_collaborator_declares_with_a_command() -> None:
    issue = FakeIssue()
    trigger, _ = say(issue, "/incident\n/severity 1", author="erin", role="triage")
    assert set(issue.labels) == {"incident", "severity: 1", "status: stabilization pending"}
    assert issue.incident().ledger.declared_by == "erin"
    assert settled(issue, trigger, WF)


def test_anyone_else_files_a_report_awaiting_a_collaborator() -> None:
    issue = FakeIssue(author="stranger", association="NONE")
    trigger, actions = say(issue, "/incident", author="stranger", role="read", association="NONE")
    assert "incident" not in issue.labels
    (reply,) = [a for a in actions if isinstance(a, Reply)]
    assert "/incident" in reply.body and "confirm" in reply.body
    assert settled(issue, trigger, WF)
    say(issue, "/incident", author="erin", role="write")
    assert "incident" in issue.labels


def test_form_answers_set_severity_status_and_security() -> None:
    issue = FakeIssue(labels=["incident"])
    answers = form(severity="Critical", security=True, status="stabilized")
    run(issue, Opened("reporter"), WF, context(form=answers))
    assert set(issue.labels) == {"incident", "severity: 1", "status: stabilized", "security"}


def test_a_label_present_beats_the_form() -> None:
    issue = FakeIssue(labels=["incident", "severity: 3"])
    run(issue, Opened("reporter"), WF, context(form=form(severity="1")))
    assert "severity: 3" in issue.labels and "severity: 1" not in issue.labels


def test_an_outside_reporter_is_thanked_once() -> None:
    issue = FakeIssue(labels=["incident"], author="stranger", association="NONE")
    run(issue, Opened("stranger"), WF)
    run(issue, Labeled("incident", "stranger"), WF)
    run(issue, Sweep(), WF)
    (thanks,) = issue.bot_comments("thanks")
    assert "@stranger" in thanks


def test_collaborators_are_not_thanked() -> None:
    issue = FakeIssue(labels=["incident"], association="MEMBER")
    run(issue, Opened("reporter"), WF)
    assert issue.bot_comments("thanks") == []


def test_an_assignee_already_there_stays_lead() -> None:
    issue = FakeIssue(labels=["incident"], assignees=["zed"])
    actions = run(issue, Opened("reporter"), WF)
    assert not any(isinstance(a, SetAssignees) for a in actions)
    assert issue.assignees == ["zed"]


def test_ordinary_issues_are_left_alone() -> None:
    issue = FakeIssue(labels=["bug"])
    assert run(issue, Opened("reporter"), WF) == []
    assert run(issue, Edited("reporter"), WF) == []
    _, actions = say(issue, "/status resolved\n/foo", role="admin")
    assert actions == []


def test_the_summary_survives_a_sweep_later_without_an_edit() -> None:
    # Stabilized: no update or acknowledgement is due, so only the summary's age line moved.
    issue = FakeIssue(labels=["incident", "status: stabilized"])
    run(issue, Opened("reporter"), WF)
    later = issue.now + 3 * 60 * MINUTE
    assert decide(Sweep(), issue.incident(), WF, context(later)) == []


def test_bot_comments_are_never_parsed() -> None:
    issue = FakeIssue(labels=["incident"])
    run(issue, Opened("reporter"), WF)
    _, actions = say(issue, "/severity 1", author=BOT, role="admin")
    assert actions == []


def test_a_broken_config_is_said_once_and_its_repair_too() -> None:
    issue = FakeIssue(labels=["incident"])
    broken = context(config_error="severities: expected a list")
    run(issue, Opened("reporter"), WF, broken)
    (notice,) = issue.bot_comments("config-error")
    assert "expected a list" in notice
    assert decide(Sweep(), issue.incident(), WF, broken) == []
    run(issue, Sweep(), WF)
    assert "load again" in issue.bot_comments("config-error")[0]
    assert settled(issue, Sweep(), WF)


def test_a_submitted_issue_form_is_read_by_the_forms_parser() -> None:
    from app.workflow.forms import form_facts

    body = (
        f"### {WF.form.severity}\n\nCritical\n\n"
        f"### {WF.form.status}\n\nStabilized\n\n"
        f"### {WF.form.security}\n\n- [ ] This is a security incident\n"
    )
    issue = FakeIssue(labels=["incident"], body=body)
    run(issue, Opened("reporter"), WF, context(form=form_facts(body, WF)))
    assert set(issue.labels) == {"incident", "severity: 1", "status: stabilized"}
