"""Every shipped workflow, end to end through the sandbox: declared to resolved,
with a forbidden transition on the way and a destabilization after."""

from __future__ import annotations

from collections import deque

import pytest

from app.workflow.loader import load_preset, preset_names
from app.workflow.model import Workflow
from tests.harness import bot_comments, comment, labels, open_issue, world

REPO = "acme/web"


def path_to_resolved(workflow: Workflow) -> list[str]:
    """The shortest chain of allowed transitions from the initial status to the resolved one."""
    start, goal = workflow.initial_status, workflow.resolved_status.key
    came_from: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        for nxt in workflow.transitions.get(here, ()):
            if nxt not in came_from:
                came_from[nxt] = here
                queue.append(nxt)
    assert goal in came_from, f"{workflow.name}: resolved is unreachable"
    path = [goal]
    while (prev := came_from[path[-1]]) is not None:
        path.append(prev)
    return path[::-1][1:]


def forbidden_from(workflow: Workflow, status: str) -> str | None:
    allowed = set(workflow.transitions.get(status, ())) | {status}
    return next((s.key for s in workflow.statuses if s.key not in allowed), None)


def status_labels(w, workflow: Workflow, number: int) -> set[str]:  # type: ignore[no-untyped-def]
    names = {s.label.name for s in workflow.statuses}
    return labels(w, REPO, number) & names


@pytest.mark.parametrize("preset", preset_names())
async def test_preset_lifecycle(preset: str) -> None:
    workflow = load_preset(preset)
    async with world() as w:
        w.sandbox.add_file(REPO, ".github/incidents.yml", f"workflow: {preset}\n")
        number = await open_issue(w, "alice", title="Outage", labels=[workflow.incident_label.name])
        initial = workflow.status_by_key(workflow.initial_status)
        assert status_labels(w, workflow, number) == {initial.label.name}

        current = workflow.initial_status
        tried_forbidden = False
        for step in path_to_resolved(workflow):
            bad = forbidden_from(workflow, current)
            if bad is not None and not tried_forbidden:
                replies_before = len(bot_comments(w, REPO, number))
                await comment(w, "alice", number, f"/status {bad}")
                assert status_labels(w, workflow, number) == {workflow.status_by_key(current).label.name}
                replies = bot_comments(w, REPO, number)[replies_before:]
                assert len(replies) == 1 and "cannot move" in replies[0]["body"]
                tried_forbidden = True
            await comment(w, "alice", number, f"/status {step}")
            assert status_labels(w, workflow, number) == {workflow.status_by_key(step).label.name}
            current = step

        issue = w.sandbox.issue(REPO, number)
        kinds = " ".join(c["body"] for c in bot_comments(w, REPO, number))
        assert "incident-bot:closeout" in kinds and "incident-bot:retro" in kinds
        assert issue["state"] == "closed"

        # Reopening destabilizes it (Openverse incident policy rollback edge).
        status, _ = await w.user("alice").patch(f"/repos/{REPO}/issues/{number}", json={"state": "open"})
        assert status == 200
        await w.settle()
        reopened = workflow.status_by_key(workflow.reopen_status)
        assert status_labels(w, workflow, number) == {reopened.label.name}


async def test_a_label_added_by_hand_obeys_the_transitions() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Outage", labels=["incident"])
        status, _ = await w.user("bob").post(
            f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["status: resolved"]}
        )
        assert status == 200
        await w.settle()
        assert labels(w, REPO, number) & {"status: resolved", "status: stabilization pending"} == {
            "status: stabilization pending"
        }
        assert any("cannot move" in c["body"] for c in bot_comments(w, REPO, number))


async def test_newest_severity_label_wins() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Outage", labels=["incident"])
        await w.user("bob").post(f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["severity: 1"]})
        await w.settle()
        assert {"severity: 1"} == {n for n in labels(w, REPO, number) if n.startswith("severity")}


async def test_removing_the_incident_label_stops_tracking() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Outage", labels=["incident"])
        status, _ = await w.user("alice").delete(f"/repos/{REPO}/issues/{number}/labels/incident")
        assert status == 200
        await w.settle()
        summary = next(c for c in bot_comments(w, REPO, number) if "incident-bot:summary" in c["body"])
        assert "no longer" in summary["body"].lower() or "stopped" in summary["body"].lower()
        bot_before = bot_comments(w, REPO, number)
        await comment(w, "alice", number, "/severity 1")
        assert "severity: 1" not in labels(w, REPO, number)
        assert bot_comments(w, REPO, number) == bot_before  # no longer tracked: nothing happens


async def test_a_broken_config_is_reported_once_and_the_default_workflow_runs() -> None:
    async with world() as w:
        w.sandbox.add_file(REPO, ".github/incidents.yml", "workflow: [unclosed\n")
        number = await open_issue(w, "alice", title="Outage", labels=["incident"])
        await comment(w, "alice", number, "/status stabilized")
        await comment(w, "alice", number, "/update still broken config")
        notices = [c for c in bot_comments(w, REPO, number) if ".github/incidents.yml" in c["body"]]
        assert len(notices) == 1
        assert "line" in notices[0]["body"]
        assert "status: stabilized" in labels(w, REPO, number)  # the default workflow ran


async def test_org_wide_config_in_the_dot_github_repository_is_used() -> None:
    async with world() as w:
        w.sandbox.add_file("acme/.github", ".github/incidents.yml", "workflow: sourcegraph\n")
        workflow = load_preset("sourcegraph")
        number = await open_issue(w, "alice", title="Outage", labels=[workflow.incident_label.name])
        default_severity = workflow.severity_by_key(workflow.default_severity)
        assert default_severity.label.name in labels(w, REPO, number)


async def test_the_people_a_role_names_are_informed_once_of_each_incident() -> None:
    # Wellcome Collection incident response process: "ensure that the delivery manager is informed"
    config = """workflow: wellcome
roles:
  - key: delivery-manager
    name: Delivery manager
    required_to_resolve: true
    notify: [bob]
"""
    async with world() as w:
        w.sandbox.add_file(REPO, ".github/incidents.yml", config)
        number = await open_issue(w, "alice", title="Secret-ish outage XYZZY", labels=["incident"])
        await comment(w, "alice", number, "/update looking")
        pings = [c["body"] for c in bot_comments(w, REPO, number) if "incident-bot:notify-" in c["body"]]
        assert len(pings) == 1
        assert "@bob" in pings[0] and "/role delivery-manager" in pings[0]
        assert "XYZZY" not in pings[0]
