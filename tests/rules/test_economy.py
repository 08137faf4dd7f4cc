"""Fewer writes for the same result: what the rules ask of the executor in one go."""

from __future__ import annotations

from app.core.actions import AddLabels, RemoveLabel
from app.core.rules import Opened
from app.core.rules.decide import decide
from app.core.rules.plan import _one_add
from tests.rules.factories import FakeIssue, context, default_workflow

WF = default_workflow()


def test_declaring_adds_the_status_and_the_severity_in_one_request() -> None:
    issue = FakeIssue(labels=[WF.incident_label.name])
    actions = decide(Opened(issue.author), issue.incident(), WF, context(issue.now))
    adds = [a for a in actions if isinstance(a, AddLabels)]
    assert len(adds) == 1
    assert {n.split(":")[0] for n in adds[0].names} == {"status", "severity"}


def test_a_label_removed_in_between_is_not_added_before_its_removal() -> None:
    actions = [AddLabels(("a",)), RemoveLabel("b"), AddLabels(("b", "c")), AddLabels(("d",))]
    assert _one_add(list(actions)) == [AddLabels(("a", "d")), RemoveLabel("b"), AddLabels(("b", "c"))]
