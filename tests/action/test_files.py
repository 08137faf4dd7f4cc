"""action.yml and the workflow users copy: valid against SchemaStore's schemas (as shipped
by check-jsonschema), and saying what docs/action.md promises."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.action.helpers import EXAMPLE_WORKFLOW, ROOT, workflow_triggers

ACTION = ROOT / "action.yml"


@pytest.mark.parametrize(
    ("schema", "path"),
    [("vendor.github-actions", ACTION), ("vendor.github-workflows", EXAMPLE_WORKFLOW)],
    ids=["action.yml", "example workflow"],
)
def test_validates_against_schemastore(schema: str, path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_the_schema_check_can_fail(tmp_path: Path) -> None:
    broken = ROOT / "docs" / "examples" / "incidents.yml"
    text = broken.read_text().replace("runs-on: ubuntu-latest", "runs-on: [ubuntu-latest]\n    oops: 1")
    bad = tmp_path / "bad.yml"
    bad.write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1


def test_action_is_composite_with_three_inputs_and_runs_the_entry() -> None:
    action = yaml.safe_load(ACTION.read_text())
    assert set(action["inputs"]) == {"github-token", "config", "sweep"}
    assert action["inputs"]["github-token"]["default"] == "${{ github.token }}"
    assert action["inputs"]["config"]["default"] == ".github/incidents.yml"
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert steps[1]["env"]["ACTION_PATH"] == "${{ github.action_path }}"
    assert '"$ACTION_PATH"' in steps[1]["run"]
    assert steps[-1]["run"].strip("'").endswith("-m app action")
    # Expressions reach the shell through env only: no template injection into `run`.
    assert all("${{" not in step.get("run", "") for step in steps)


def test_example_workflow_is_the_documented_one() -> None:
    workflow = yaml.safe_load(EXAMPLE_WORKFLOW.read_text())
    assert workflow_triggers() == {
        "issues": frozenset({"opened", "edited", "labeled", "unlabeled", "closed", "reopened"}),
        "issue_comment": frozenset({"created"}),
        "schedule": None,
        "workflow_dispatch": None,
    }
    on = workflow.get("on", workflow.get(True))
    assert on["schedule"] == [{"cron": "*/15 * * * *"}]
    assert workflow["permissions"] == {"issues": "write", "contents": "read"}
    assert workflow["concurrency"] == {
        "group": "incident-${{ github.event.issue.number || 'sweep' }}",
        "cancel-in-progress": False,
    }
