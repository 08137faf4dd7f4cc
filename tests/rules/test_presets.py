"""A whole incident on every shipped preset: each step settles (a repeat asks for nothing)."""

from __future__ import annotations

import pytest

from app.core.rules import Closed, CommentCreated, Opened, Sweep
from app.workflow.model import Workflow
from tests.rules.factories import FakeIssue, context, run, settled, texts
from tests.rules.test_transitions import WORKFLOWS


def _comment(issue: FakeIssue, workflow: Workflow, body: str, author: str) -> None:
    comment_id = issue.comment(body, author)
    trigger = CommentCreated(comment_id, author, body, role_name="admin")
    run(issue, trigger, workflow)
    assert settled(issue, trigger, workflow), body


@pytest.mark.parametrize(("name", "workflow"), WORKFLOWS, ids=[n for n, _ in WORKFLOWS])
def test_a_whole_incident_settles_at_every_step(name: str, workflow: Workflow) -> None:
    issue = FakeIssue(
        title="zq-secret-title",
        body="zq-secret-body",
        labels=[workflow.incident_label.name, workflow.security.label.name],
        author="stranger",
        association="NONE",
    )
    written = texts(run(issue, Opened("stranger"), workflow))
    assert settled(issue, Opened("stranger"), workflow)
    lead = issue.assignees[0] if issue.assignees else "alice"
    _comment(issue, workflow, f"/lead @{lead}\n/ack", lead)
    _comment(issue, workflow, "/update rolled back", lead)
    path = _path_to_resolved(workflow)
    for key in path:
        _comment(issue, workflow, f"/status {key}", lead)
    assert issue.incident().status(workflow) == workflow.resolved_status
    if workflow.resolve_on_close:
        assert issue.state == "closed"
    assert issue.bot_comments("closeout") and issue.bot_comments("retro")
    assert settled(issue, Closed(lead), workflow)
    assert settled(issue, Sweep(), workflow, context(issue.now))
    for comment in issue.bot_comments():
        written += comment
    assert "zq-secret" not in written


def _path_to_resolved(workflow: Workflow) -> list[str]:
    """The shortest allowed path of status keys from the initial status to resolved."""
    start, goal = workflow.initial_status, workflow.resolved_status.key
    paths = [[start]]
    seen = {start}
    while paths:
        path = paths.pop(0)
        if path[-1] == goal:
            return path[1:]
        for nxt in workflow.transitions.get(path[-1], ()):
            if nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    raise AssertionError(f"{workflow.name}: resolved is unreachable")
