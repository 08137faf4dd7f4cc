"""Invalid workflow files are rejected with one line naming file, line, key and problem."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from app.workflow.errors import WorkflowError
from app.workflow.loader import PRESETS_DIR, load_workflow_text
from app.workflow.schema import WORKFLOW, ListOf, MapOf, Obj, parse_duration

DEFAULT_TEXT = (PRESETS_DIR / "default.yml").read_text()
SOURCE = "workflows/x.yml"


def _error(text: str) -> WorkflowError:
    with pytest.raises(WorkflowError) as caught:
        load_workflow_text(text, SOURCE)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{SOURCE}: ")
    return caught.value


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_bad_duration_names_file_line_key_and_value() -> None:
    text = DEFAULT_TEXT.replace("ack_within: 30m", "ack_within: soon")
    error = _error(text)
    line = _line_of(text, "ack_within: soon")
    assert str(error) == (
        f"{SOURCE}: line {line}: severities[1].ack_within: expected a duration like 15m, 1h or 2d, got 'soon'"
    )
    assert (error.path, error.key_path, error.line) == (SOURCE, "severities[1].ack_within", line)


def test_a_number_is_not_a_duration() -> None:
    error = _error(DEFAULT_TEXT.replace("update_every: 1d", "update_every: 60"))
    assert error.key_path == "severities[2].update_every"
    assert "got '60'" in str(error)


def test_unknown_key_suggests_the_right_one() -> None:
    text = DEFAULT_TEXT.replace("  equity_window: 90d", "  equity_windw: 90d")
    error = _error(text)
    assert error.key_path == "lead.equity_windw"
    assert error.line == _line_of(text, "equity_windw")
    assert "did you mean 'equity_window'?" in str(error)


def test_unknown_top_level_key() -> None:
    error = _error(DEFAULT_TEXT + "\nseverites: []\n")
    assert error.key_path == "severites"
    assert "did you mean 'severities'?" in str(error)


def test_transition_to_a_status_that_does_not_exist() -> None:
    text = DEFAULT_TEXT.replace(
        "resolved: [stabilization-pending]  # D --> A", "resolved: [stabilisation-pending]  # D --> A"
    )
    error = _error(text)
    assert error.key_path == "transitions.resolved[0]"
    assert error.line == _line_of(text, "stabilisation-pending")
    assert "did you mean 'stabilization-pending'?" in str(error)


def test_transition_from_an_unknown_status() -> None:
    text = DEFAULT_TEXT.replace("  resolved: [stabilization-pending]", "  reslved: [stabilization-pending]")
    assert _error(text).key_path == "transitions.reslved"


@pytest.mark.parametrize(
    ("old", "new", "key_path"),
    [
        ('default_severity: "2"', 'default_severity: "4"', "default_severity"),
        ("initial_status: stabilization-pending", "initial_status: open", "initial_status"),
        ("reopen_status: stabilization-pending", "reopen_status: reopened", "reopen_status"),
    ],
)
def test_references_must_exist(old: str, new: str, key_path: str) -> None:
    assert old in DEFAULT_TEXT
    assert _error(DEFAULT_TEXT.replace(old, new)).key_path == key_path


def test_exactly_one_resolved_status() -> None:
    none = DEFAULT_TEXT.replace("    resolved: true\n", "")
    assert _error(none).key_path == "statuses"
    two = DEFAULT_TEXT.replace(
        "    stabilized: true\n    next_steps:\n      - Research",
        "    stabilized: true\n    resolved: true\n    next_steps:\n      - Research",
    )
    assert _error(two).key_path == "statuses[3].resolved"


def test_unique_keys_and_labels() -> None:
    dup_key = DEFAULT_TEXT.replace('  - key: "3"', '  - key: "2"')
    assert _error(dup_key).key_path == "severities[2].key"
    dup_label = DEFAULT_TEXT.replace('name: "severity: 3"', 'name: "severity: 2"')
    error = _error(dup_label)
    assert error.key_path == "severities[2].label.name"
    assert "severities[1].label.name uses it already" in str(error)


def test_duplicate_mapping_key_is_an_error() -> None:
    text = DEFAULT_TEXT.replace("resolve_on_close: true", "resolve_on_close: true\nresolve_on_close: false")
    assert _error(text).key_path == "resolve_on_close"


@pytest.mark.parametrize("color", ['"d73a4"', '"zzzzzz"', "red"])
def test_bad_colours(color: str) -> None:
    text = DEFAULT_TEXT.replace('color: "d73a4a"', f"color: {color}", 1)
    error = _error(text)
    assert error.key_path == "incident_label.color"
    assert "6 hex digits" in str(error)


def test_unquoted_numeric_colour_is_read_as_written() -> None:
    text = DEFAULT_TEXT.replace('color: "1d1d1d"', "color: 000000")
    assert load_workflow_text(text, SOURCE).security.label.color == "000000"


def test_label_limits() -> None:
    long_name = DEFAULT_TEXT.replace("name: incident\n", f"name: {'x' * 51}\n", 1)
    assert "at most 50" in str(_error(long_name))
    long_description = DEFAULT_TEXT.replace(
        "description: An incident (managed by Incident Bot)", f"description: {'y' * 101}"
    )
    assert "at most 100" in str(_error(long_description))


def test_wrong_types() -> None:
    assert _error(DEFAULT_TEXT.replace("resolve_on_close: true", "resolve_on_close: maybe")).expected == (
        "true or false"
    )
    error = _error(DEFAULT_TEXT.replace("  away: []", "  away: alice"))
    assert (error.key_path, error.expected) == ("lead.away", "a list")
    error = _error(DEFAULT_TEXT.replace("  escalation: []", '  escalation: ["not a login!"]'))
    assert error.key_path == "lead.escalation[0]"


def test_missing_required_key_points_at_parent() -> None:
    text = re.sub(r"\n    qualifies: Minor[^\n]*", "", DEFAULT_TEXT)
    error = _error(text)
    assert error.key_path == "severities[2]"
    assert "'qualifies' key" in str(error)


def test_rotation_checks() -> None:
    text = DEFAULT_TEXT.replace(
        "  rotation: null",
        "  rotation: {period: fortnightly, members: [alice], start: 2026-06-29}",
    )
    assert _error(text).key_path == "lead.rotation.period"
    text = DEFAULT_TEXT.replace(
        "  rotation: null",
        "  rotation: {period: weekly, members: [alice], start: 2026-06-29, timezone: Europe/Londn}",
    )
    assert "did you mean 'Europe/London'?" in str(_error(text))
    text = DEFAULT_TEXT.replace(
        "  rotation: null", "  rotation: {period: weekly, members: [], start: 2026-06-29}"
    )
    assert _error(text).key_path == "lead.rotation.members"
    ok = DEFAULT_TEXT.replace(
        "  rotation: null", "  rotation: {period: daily, members: ['@alice', bob], start: 2026-06-29}"
    )
    rotation = load_workflow_text(ok, SOURCE).lead.rotation
    assert rotation is not None and rotation.members == ("alice", "bob")


def test_title_templates_only_know_number() -> None:
    text = DEFAULT_TEXT.replace(
        'neutral_title: "Security incident #{number}"', 'neutral_title: "Incident {title}"'
    )
    assert _error(text).key_path == "security.neutral_title"


def test_malformed_yaml_gives_its_line() -> None:
    text = DEFAULT_TEXT.replace("resolve_on_close: true", "resolve_on_close: [true")
    error = _error(text)
    assert error.line is not None and error.line >= _line_of(text, "resolve_on_close: [true")
    assert "expected valid YAML" in str(error)


def test_top_level_must_be_a_mapping() -> None:
    assert "a mapping" in str(_error("- just\n- a list\n"))


def test_unsafe_yaml_tags_are_refused() -> None:
    assert "valid YAML" in str(_error("name: !!python/object/apply:os.system ['true']\n"))


def test_recursive_alias_is_refused() -> None:
    assert "recursive" in str(_error("a: &x [*x]\n"))


def test_anchors_and_merge_keys_work() -> None:
    text = DEFAULT_TEXT.replace(
        'label: {name: follow-up, color: "5319e7", description: "Work that came out of an incident"}',
        'label: &fu {name: follow-up, color: "5319e7"}',
    )
    text = re.sub(r"critical_label: \{[^}]*\}", "critical_label: {<<: *fu, name: critical}", text)
    workflow = load_workflow_text(text, SOURCE)
    assert workflow.followups.critical_label.color == "5319e7"


def test_parse_duration() -> None:
    assert parse_duration("15m") == dt.timedelta(minutes=15)
    assert parse_duration("1h30m") == dt.timedelta(minutes=90)
    assert parse_duration("2w") == dt.timedelta(weeks=2)
    assert parse_duration("soon") is None
    assert parse_duration("15") is None


def _objects(spec: object) -> list[Obj]:
    if isinstance(spec, Obj):
        found = [spec]
        for fld in spec.fields.values():
            found += _objects(fld.spec)
        return found
    if isinstance(spec, ListOf):
        return _objects(spec.item)
    if isinstance(spec, MapOf):
        return _objects(spec.value)
    return []


def test_schema_covers_every_model_field() -> None:
    # A field added to model.py must become configurable (and documented) too.
    for obj in _objects(WORKFLOW):
        model_fields = {f.name for f in dataclasses.fields(obj.cls)}
        assert set(obj.fields) == model_fields, obj.cls.__name__
