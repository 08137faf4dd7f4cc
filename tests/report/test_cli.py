"""`python -m app report`: every bad input is one line on stderr, before any network."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.cli.main import main as app_main
from app.cli.report import main

TODAY = dt.date(2026, 11, 2)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["acme"], "'acme' is not a repository name: expected OWNER/REPO, e.g. acme/web"),
        (["acme/web/extra"], "'acme/web/extra' is not a repository name: expected OWNER/REPO, e.g. acme/web"),
        (["-acme/web"], None),  # argparse: looks like an option
        (["acme/web", "--since", "last week"], "--since must be a date like 2026-01-31, got 'last week'"),
        (["acme/web", "--since", "2026-02-30"], "--since must be a date like 2026-01-31, got '2026-02-30'"),
        (["acme/web", "--since", "2027-01-01"], "--since 2027-01-01 is in the future"),
    ],
)
def test_bad_input(argv: list[str], expected: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main(argv, today=TODAY)
    except SystemExit as exit_:  # argparse's own refusal
        code = int(exit_.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    if expected is not None:
        assert err == f"incident-bot report: {expected}\n"


def test_missing_settings_are_named(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert app_main(["report", "acme/web"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("incident-bot report: GITHUB_APP_ID is not set")


def test_listed_in_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        app_main(["report", "--help"])
    assert "--since DATE" in capsys.readouterr().out
