"""The package carries its process: shipped files are found, and their absence is one line.

The wheel itself is built and installed into a fresh environment by .ci/run
(scripts/packaged_install.py): too slow for the suite. Here: what decides where
the files are, and what a package without them does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app
from app.cli.main import main
from app.workflow import loader

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["serve", "action", "sandbox", "demo", "check-config", "sweep", "report"]


def test_a_checkout_reads_the_top_level_files() -> None:
    assert app.shipped("workflows") == ROOT / "workflows"
    assert app.shipped("app.yml") == ROOT / "app.yml"
    assert loader.PRESETS_DIR == ROOT / "workflows"


def test_the_packaged_copy_wins_over_the_folder_beside_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Installed, the package sits in site-packages, where another project's workflows/ may be.
    packaged, beside = tmp_path / "app" / "_shipped", tmp_path
    (packaged / "workflows").mkdir(parents=True)
    (beside / "workflows").mkdir(exist_ok=True)
    monkeypatch.setattr(app, "SHIPPED_DIRS", (packaged, beside))
    assert app.shipped("workflows") == packaged / "workflows"
    assert app.shipped("app.yml") == packaged / "app.yml"  # neither has it: the package's path


def test_setup_py_ships_every_preset_and_the_manifest() -> None:
    text = (ROOT / "setup.py").read_text()
    assert 'Path("app", "_shipped")' in text and '"app.yml"' in text and '"workflows"' in text
    manifest_in = (ROOT / "MANIFEST.in").read_text()
    assert "include app.yml" in manifest_in and "recursive-include workflows *.yml" in manifest_in
    assert "app/_shipped/" in (ROOT / ".gitignore").read_text().split()


@pytest.mark.parametrize("command", COMMANDS)
def test_without_presets_every_command_says_so_in_one_line(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(app, "SHIPPED_DIRS", (tmp_path / "app" / "_shipped", tmp_path))
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("incident-bot: the workflow presets are missing (no default.yml in ")
    assert "reinstall the package" in err


def test_a_package_copied_without_its_files_fails_at_once(tmp_path: Path) -> None:
    """What a wheel without package data looked like: the code alone, nothing beside it."""
    shutil.copytree(ROOT / "app", tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__", "_shipped"))
    done = subprocess.run(
        [sys.executable, "-m", "app", "demo"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and "the workflow presets are missing" in lines[0], done.stderr
    assert str(tmp_path / "app" / "_shipped" / "workflows") in lines[0]
