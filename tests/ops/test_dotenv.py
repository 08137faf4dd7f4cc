"""`.env` files: reading the common format, writing privately and atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.settings import SettingsError, dotenv, environment, from_env, unconfigured
from tests.keys import SECRET, private_key_pem


def test_parses_comments_quotes_and_export() -> None:
    text = """
# a comment
GITHUB_APP_ID=42
export PORT = 9000
GITHUB_API_URL="https://ghe.example.com/api/v3"   # trailing comment
GITHUB_WEBHOOK_SECRET='a # not a comment'
LOG_FORMAT=text # comment
EMPTY=
HASH=abc#def
"""
    assert dotenv.parse(text) == {
        "GITHUB_APP_ID": "42",
        "PORT": "9000",
        "GITHUB_API_URL": "https://ghe.example.com/api/v3",
        "GITHUB_WEBHOOK_SECRET": "a # not a comment",
        "LOG_FORMAT": "text",
        "EMPTY": "",
        "HASH": "abc#def",
    }


@pytest.mark.parametrize("text", ["just words", 'KEY="open', 'KEY="a" b', "A=1\nB='open\nC=3"])
def test_a_line_python_dotenv_would_skip_is_named(text: str) -> None:
    # python-dotenv only warns and skips it: the setting would then look missing.
    with pytest.raises(dotenv.DotenvError) as caught:
        dotenv.parse(text)
    line = 2 if text.startswith("A=1") else 1
    assert str(caught.value).startswith(f".env line {line}: expected KEY=VALUE")


def test_quoted_values_span_lines_and_are_not_interpolated() -> None:
    text = "KEY=\"-----BEGIN-----\nabc\n-----END-----\n\"\nHOME_DIR=${HOME}/x\nSINGLE='a\\nb'\nBARE\n"
    assert dotenv.parse(text) == {
        "KEY": "-----BEGIN-----\nabc\n-----END-----\n",
        "HOME_DIR": "${HOME}/x",  # no interpolation: a secret may contain "$"
        "SINGLE": "a\\nb",
    }


def test_environment_variables_win_over_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("PORT=9000\nGITHUB_APP_ID=7\n")
    assert environment({"PORT": "8080"}, path) == {"PORT": "8080", "GITHUB_APP_ID": "7"}
    assert environment({}, tmp_path / "absent") == {}


def test_a_bad_file_stops_start_up_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("OK=1\noops words\n")
    with pytest.raises(SettingsError, match=r"\.env line 2: expected KEY=VALUE"):
        environment({}, path)


def test_settings_from_a_written_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("# mine\nPORT=9100\nGITHUB_APP_ID=1\n")
    dotenv.update(
        path,
        {
            "GITHUB_APP_ID": "42",
            "GITHUB_PRIVATE_KEY": private_key_pem().strip().replace("\n", "\\n"),
            "GITHUB_WEBHOOK_SECRET": SECRET,
        },
    )
    text = path.read_text()
    assert text.startswith("# mine\nPORT=9100\nGITHUB_APP_ID=42\n")
    assert text.count("GITHUB_APP_ID") == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = from_env(environment({}, path))
    assert (settings.app_id, settings.port, settings.webhook_secret) == ("42", 9100, SECRET)
    assert settings.private_key == private_key_pem()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_update_makes_an_existing_readable_file_private(tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text("A=1\n")
    os.chmod(path, 0o644)
    dotenv.update(path, {"B": "2"})
    assert path.read_text() == "A=1\nB=2\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "with spaces",
        " padded ",
        "a # b",
        "a#b",
        "'quoted'",
        'say"hi',
        "back\\slash",
        "",
        '"a" b',
        "$HOME",
    ],
)
def test_written_values_read_back_the_same(tmp_path: Path, value: str) -> None:
    path = tmp_path / ".env"
    dotenv.update(path, {"V": value})
    assert dotenv.load(path) == {"V": value}


def test_the_key_is_written_bare_for_docker_env_files(tmp_path: Path) -> None:
    # `docker run --env-file` keeps quotes as part of the value: none may be written.
    path = tmp_path / ".env"
    dotenv.update(path, {"GITHUB_PRIVATE_KEY": private_key_pem().strip().replace("\n", "\\n")})
    line = path.read_text().splitlines()[0]
    assert line.startswith("GITHUB_PRIVATE_KEY=-----BEGIN PRIVATE KEY-----\\n") and '"' not in line


@pytest.mark.parametrize("value", ["'it's \"both\"", "two\nlines"])
def test_values_that_would_not_read_back_are_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(dotenv.DotenvError):
        dotenv.update(tmp_path / ".env", {"A": value})
    assert not (tmp_path / ".env").exists()


def test_unconfigured_means_no_credential_at_all() -> None:
    assert unconfigured({"PORT": "8000", "GITHUB_API_URL": "https://ghe.example.com/api/v3"})
    assert unconfigured({"GITHUB_APP_ID": "  "})
    assert not unconfigured({"GITHUB_WEBHOOK_SECRET": "s"})
    assert not unconfigured({"GITHUB_PRIVATE_KEY_PATH": "/k.pem"})
