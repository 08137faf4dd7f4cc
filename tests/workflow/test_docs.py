"""The configuration reference documents every key the schema knows."""

from __future__ import annotations

from pathlib import Path

from app.workflow.loader import preset_names
from app.workflow.schema import REPO_KEYS, all_keys

DOC = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text()


def test_every_workflow_key_is_documented() -> None:
    missing = [key for key in all_keys() if f"| `{key}` |" not in DOC]
    assert not missing, f"docs/configuration.md lacks rows for: {missing}"


def test_repository_keys_and_presets_are_documented() -> None:
    for key in REPO_KEYS:
        assert f"| `{key}` |" in DOC
    for name in preset_names():
        assert f"| `{name}` |" in DOC


def test_no_documented_key_is_unknown() -> None:
    known = set(all_keys()) | set(REPO_KEYS)
    rows = [line.split("`")[1] for line in DOC.splitlines() if line.startswith("| `")]
    stale = [row for row in rows if row not in known and row not in preset_names()]
    assert not stale, f"docs/configuration.md documents unknown keys: {stale}"
