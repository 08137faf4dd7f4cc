"""Every status transition of the default workflow (and each shipped preset): allowed or undone."""

from __future__ import annotations

import itertools

import pytest

from app.core.actions import Reply
from app.core.rules import Labeled
from app.workflow.model import Workflow
from tests.rules.factories import FakeIssue, default_workflow, recorded, run, say, settled


def _presets() -> list[tuple[str, Workflow]]:
    try:
        from app.workflow.loader import load_preset, preset_names
    except ImportError:
        return []
    return [(name, load_preset(name)) for name in preset_names()]


WORKFLOWS = [("factory-default", default_workflow()), *_presets()]


def _pairs() -> list[tuple[str, Workflow, str, str]]:
    cases = []
    for name, workflow in WORKFLOWS:
        keys = [s.key for s in workflow.statuses]
        for old, new in itertools.permutations(keys, 2):
            cases.append((name, workflow, old, new))
    return cases


PAIRS = _pairs()
IDS = [f"{name}:{old}->{new}" for name, _, old, new in PAIRS]


def _status_keys(issue: FakeIssue, workflow: Workflow) -> list[str]:
    return [s.key for s in issue.incident().statuses(workflow)]


@pytest.mark.parametrize(("name", "workflow", "old", "new"), PAIRS, ids=IDS)
def test_status_label_moves_only_along_allowed_edges(
    name: str, workflow: Workflow, old: str, new: str
) -> None:
    issue = recorded(workflow, status=old)
    new_label = workflow.status_by_key(new).label.name
    issue.label(new_label, actor="alice")
    trigger = Labeled(new_label, "alice", actor_role="admin")
    actions = run(issue, trigger, workflow)

    if new in workflow.transitions.get(old, ()):
        assert _status_keys(issue, workflow) == [new]
        assert not any(isinstance(a, Reply) and "cannot move" in a.body for a in actions)
    else:
        assert _status_keys(issue, workflow) == [old]
        refusal = next(a for a in actions if isinstance(a, Reply) and "cannot move" in a.body)
        for allowed in workflow.allowed_next(old):
            assert f"/status {allowed.key}" in refusal.body
    assert settled(issue, trigger, workflow)


@pytest.mark.parametrize(("name", "workflow", "old", "new"), PAIRS, ids=IDS)
def test_status_command_moves_only_along_allowed_edges(
    name: str, workflow: Workflow, old: str, new: str
) -> None:
    issue = recorded(workflow, status=old)
    trigger, actions = say(issue, f"/status {new}", role="admin", workflow=workflow)

    if new in workflow.transitions.get(old, ()):
        assert _status_keys(issue, workflow) == [new]
        assert not [a for a in actions if isinstance(a, Reply) and a.kind == f"reply-{trigger.comment_id}"]
    else:
        assert _status_keys(issue, workflow) == [old]
        (reply,) = [a for a in actions if isinstance(a, Reply)]
        assert reply.kind == f"reply-{trigger.comment_id}"
        assert "cannot move" in reply.body
    assert settled(issue, trigger, workflow)


def test_there_are_forbidden_and_allowed_cases_for_the_default_workflow() -> None:
    workflow = default_workflow()
    allowed = [p for p in PAIRS if p[0] == "factory-default" and p[3] in workflow.transitions[p[2]]]
    assert len(allowed) == 6
    assert len([p for p in PAIRS if p[0] == "factory-default"]) == 12


def test_a_redelivered_forbidden_label_after_the_undo_does_nothing() -> None:
    workflow = default_workflow()
    issue = recorded(workflow, status="stabilization-pending")
    issue.label("status: resolved", actor="alice")
    trigger = Labeled("status: resolved", "alice")
    run(issue, trigger, workflow)
    assert settled(issue, trigger, workflow)


def test_removing_the_old_label_then_adding_a_forbidden_one_is_still_undone() -> None:
    workflow = default_workflow()
    issue = recorded(workflow, status="stabilization-pending")
    issue.unlabel("status: stabilization pending")
    issue.label("status: resolved")

    actions = run(issue, Labeled("status: resolved", "alice"), workflow)
    assert _status_keys(issue, workflow) == ["stabilization-pending"]
    assert any(isinstance(a, Reply) for a in actions)
