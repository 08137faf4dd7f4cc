"""The YAML reader's bounds: size, values after alias expansion, nesting; merge keys kept exact."""

from __future__ import annotations

import pytest

from app.workflow.errors import WorkflowError
from app.workflow.yamltree import MAX_BYTES, MAX_DEPTH, MAX_NODES, parse
from tests.reliability.test_config_bomb import alias_bomb, merge_bomb

SOURCE = "acme/web:.github/incidents.yml"


def _error(text: str) -> WorkflowError:
    with pytest.raises(WorkflowError) as caught:
        parse(text, SOURCE)
    assert "\n" not in caught.value.message
    return caught.value


def test_a_file_over_64_kb_is_refused_before_it_is_parsed() -> None:
    # Not even valid YAML: the size is checked first.
    error = _error("[" * (MAX_BYTES + 1))
    assert error.expected == "a file of at most 64 KB" and error.line == 1
    assert "65,537 bytes" in error.message
    parse("a: " + "x" * (MAX_BYTES - 10), SOURCE)  # just under: fine


@pytest.mark.parametrize("text", [alias_bomb(), alias_bomb(levels=30, width=2), merge_bomb()])
def test_nested_aliases_stop_at_the_value_budget_with_the_line(text: str) -> None:
    error = _error(text)
    assert error.expected == f"at most {MAX_NODES:,} values"
    assert error.line is not None and error.line > 1 and error.column is not None


def test_many_plain_aliases_within_the_budget_are_fine() -> None:
    text = "a: &a [1, 2, 3]\n" + "".join(f"k{i}: *a\n" for i in range(500))
    doc = parse(text, SOURCE)
    assert doc.data["k499"] == (1, 2, 3)  # type: ignore[index]


def test_nesting_past_the_bound_is_refused() -> None:
    assert parse("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), SOURCE)
    error = _error("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert error.expected == f"at most {MAX_DEPTH} levels of nesting"
    # Past libyaml's own limit (1000 levels) the parser refuses it as not valid YAML.
    assert "valid YAML" in _error("- " * 5000 + "x").message


def test_merge_keys_own_keys_win_then_the_earlier_merged_mapping() -> None:
    text = "a: &a {x: 1, y: 1}\nb: &b {x: 2, y: 2, z: 2}\nc: {<<: [*a, *b], y: 3}\nd: {<<: *b}\n"
    data = parse(text, SOURCE).data
    assert dict(data["c"]) == {"x": 1, "y": 3, "z": 2}  # type: ignore[index]
    assert dict(data["d"]) == {"x": 2, "y": 2, "z": 2}  # type: ignore[index]
    assert "after '<<'" in _error("a: {<<: 5}\n").message


def test_errors_carry_the_column() -> None:
    error = _error("lead:\n  away: [a]\n  away: [b]\n")
    assert (error.line, error.column) == (3, 3)
    error = _error("a: [1\n")
    assert error.line is not None and error.column is not None
    doc = parse("top:\n  inner: 1\n", SOURCE)
    assert (doc.locations[("top", "inner")].line, doc.locations[("top", "inner")].column) == (2, 3)
