"""`python -m app check-config PATH`: offline validation of config and workflow files."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.check_config import main
from app.workflow.loader import PRESETS_DIR, preset_names

DEFAULT_TEXT = (PRESETS_DIR / "default.yml").read_text()


def _run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, name: str = "x.yml"
) -> tuple[int, str, str]:
    path = tmp_path / name
    path.write_text(text)
    code = main(["check-config", str(path)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("name", preset_names())
def test_each_shipped_preset_passes(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(PRESETS_DIR / f"{name}.yml")
    assert main([path]) == 0
    assert capsys.readouterr().out == f"ok: {path} (workflow {name})\n"


def test_a_good_repository_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(tmp_path, capsys, "workflow: openverse\nstatus_page: true\n", "incidents.yml")
    assert (code, err) == (0, "")
    assert out == f"ok: {tmp_path / 'incidents.yml'} (workflow openverse)\n"


def test_extends_is_noted_as_not_followed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(tmp_path, capsys, "_extends: shared\n")
    assert code == 0 and "_extends 'shared' is not followed offline" in out


def test_a_bad_workflow_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(tmp_path, capsys, DEFAULT_TEXT.replace("triage_questions:", "triage_question:"))
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert "triage_question: expected a known key" in err and "did you mean 'triage_questions'?" in err


def test_a_bad_key_in_a_repository_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(tmp_path, capsys, "workflow: default\nreminder:\n  retro_after: 1d\n")
    assert code == 1
    assert err.startswith(f"{tmp_path / 'x.yml'}:2:1: reminder: expected a known key")


def test_a_bad_transition_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = DEFAULT_TEXT.replace("stabilization-pending: [stabilized]", "stabilization-pending: [fixed]")
    code, _, err = _run(tmp_path, capsys, text)
    assert code == 1
    assert "transitions.stabilization-pending[0]: expected a status key" in err
    assert "got 'fixed'" in err


def test_malformed_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(tmp_path, capsys, "workflow: openverse\nlead:\n  escalation: [a, b\n")
    assert code == 1
    assert err.startswith(f"{tmp_path / 'x.yml'}:4:1: expected valid YAML")
    assert err.count("\n") == 1


def test_a_bad_duration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(tmp_path, capsys, DEFAULT_TEXT.replace("retro_after: 2d", "retro_after: soon"))
    assert code == 1
    line = next(i for i, t in enumerate(DEFAULT_TEXT.splitlines(), 1) if "retro_after: 2d" in t)
    assert err == (
        f"{tmp_path / 'x.yml'}:{line}:3: reminders.retro_after: "
        "expected a duration like 15m, 1h or 2d, got 'soon'\n"
    )


def test_an_unknown_preset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(tmp_path, capsys, "# ours\nworkflow: sourcegrah\n")
    assert code == 1
    assert err.startswith(f"{tmp_path / 'x.yml'}:2:1: workflow: expected a preset name")
    assert "did you mean 'sourcegraph'?" in err


def test_a_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["/nonexistent/incidents.yml"]) == 1
    assert "/nonexistent/incidents.yml:1:1: expected a readable file" in capsys.readouterr().err


def test_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_several_files_fail_if_any_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad = tmp_path / "good.yml", tmp_path / "bad.yml"
    good.write_text("workflow: wellcome\n")
    bad.write_text("workflow: 3\n")
    assert main([str(good), str(bad)]) == 1
    out, err = capsys.readouterr()
    assert "ok:" in out and "workflow: expected a preset name" in err


def test_every_error_is_reported_in_one_run_in_file_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "workflow: openverse\n"
        "status_page: sometimes\n"
        "lead:\n"
        "  equity_windw: 90d\n"
        "reminders:\n"
        "  retro_after: soon\n"
        "colour: red\n"
    )
    code, out, err = _run(tmp_path, capsys, text, "incidents.yml")
    path = tmp_path / "incidents.yml"
    assert (code, out) == (1, "")
    lines = err.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{path}:2:1",
        f"{path}:4:3",
        f"{path}:6:3",
        f"{path}:7:1",
    ], err
    assert "status_page: expected true or false, got 'sometimes'" in lines[0]
    assert (
        "lead.equity_windw: expected a known key" in lines[1] and "did you mean 'equity_window'?" in lines[1]
    )
    assert "reminders.retro_after: expected a duration" in lines[2]
    assert "colour: expected a known key" in lines[3]


def test_every_error_of_a_whole_workflow_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (
        DEFAULT_TEXT.replace("retro_after: 2d", "retro_after: soon")
        .replace("triage_questions:", "triage_question:")
        .replace("stabilization-pending: [stabilized]", "stabilization-pending: [fixed]")
    )
    code, _, err = _run(tmp_path, capsys, text)
    assert code == 1
    # The cross-references are checked once every key is valid: the bad target waits.
    assert len(err.splitlines()) == 2, err
    assert "triage_question: expected a known key" in err and "reminders.retro_after" in err
    fixed = text.replace("retro_after: soon", "retro_after: 2d").replace(
        "triage_question:", "triage_questions:"
    )
    code, _, err = _run(tmp_path, capsys, fixed)
    assert code == 1 and "got 'fixed'" in err and len(err.splitlines()) == 1
