"""Exactly one severity and one status label: the newest wins."""

from __future__ import annotations

import pytest

from app.core.rules import Labeled, Sweep, Unlabeled
from tests.rules.factories import MINUTE, default_workflow, recorded, run, settled

WF = default_workflow()


@pytest.mark.parametrize(("old", "new"), [("1", "2"), ("2", "1"), ("3", "1"), ("1", "3")])
def test_a_second_severity_label_replaces_the_first(old: str, new: str) -> None:
    issue = recorded(WF, severity=old)
    issue.label(f"severity: {new}", actor="bob")
    trigger = Labeled(f"severity: {new}", "bob")
    run(issue, trigger, WF)
    assert [s.key for s in issue.incident().severities(WF)] == [new]
    assert settled(issue, trigger, WF)


def test_a_second_status_label_replaces_the_first_when_allowed() -> None:
    issue = recorded(WF, status="stabilization-pending")
    issue.label("status: stabilized", actor="bob")
    run(issue, Labeled("status: stabilized", "bob"), WF)
    assert [s.key for s in issue.incident().statuses(WF)] == ["stabilized"]


def test_a_sweep_keeps_the_newest_of_two_severity_labels() -> None:
    issue = recorded(WF, severity="3")
    issue.now += MINUTE
    issue.label("severity: 1", actor="bob")  # alphabetically first, but newest by events
    run(issue, Sweep(), WF)
    assert [s.key for s in issue.incident().severities(WF)] == ["1"]


def test_removing_the_only_severity_label_restores_it() -> None:
    issue = recorded(WF, severity="1")
    issue.unlabel("severity: 1", actor="bob")
    trigger = Unlabeled("severity: 1", "bob")
    run(issue, trigger, WF)
    assert "severity: 1" in issue.labels
    assert settled(issue, trigger, WF)


def test_removing_the_only_status_label_restores_the_last_status() -> None:
    issue = recorded(WF, status="stabilized")
    issue.unlabel("status: stabilized", actor="bob")
    run(issue, Unlabeled("status: stabilized", "bob"), WF)
    assert [s.key for s in issue.incident().statuses(WF)] == ["stabilized"]


def test_the_summary_follows_the_severity() -> None:
    issue = recorded(WF, severity="2")
    issue.label("severity: 1", actor="bob")
    run(issue, Labeled("severity: 1", "bob"), WF)
    assert "Severity 1 (Critical)" in issue.bot_comments("summary")[0]
