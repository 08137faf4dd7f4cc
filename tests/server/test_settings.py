from __future__ import annotations

from pathlib import Path

import pytest

from app.settings import SettingsError, from_env
from tests.keys import SECRET, private_key_pem


def env(**extra: str) -> dict[str, str]:
    base = {
        "GITHUB_APP_ID": "42",
        "GITHUB_PRIVATE_KEY": private_key_pem(),
        "GITHUB_WEBHOOK_SECRET": SECRET,
    }
    base.update(extra)
    return base


def test_valid_environment_gives_settings_with_defaults() -> None:
    settings = from_env(env())
    assert settings.app_id == "42"
    assert settings.api_url == "https://api.github.com"
    assert settings.port == 8000


def test_flags_override_environment() -> None:
    settings = from_env(env(PORT="9000"), port=9100, host="127.0.0.1")
    assert (settings.host, settings.port) == ("127.0.0.1", 9100)


def test_api_url_for_enterprise_server_keeps_its_path() -> None:
    settings = from_env(env(GITHUB_API_URL="https://ghe.example.com/api/v3/"))
    assert settings.api_url == "https://ghe.example.com/api/v3"


def test_key_with_escaped_newlines_is_accepted() -> None:
    settings = from_env(env(GITHUB_PRIVATE_KEY=private_key_pem().replace("\n", "\\n")))
    assert settings.private_key.startswith("-----BEGIN")


def test_key_read_from_path(tmp_path: Path) -> None:
    key_file = tmp_path / "app.pem"
    key_file.write_text(private_key_pem())
    values = env(GITHUB_PRIVATE_KEY_PATH=str(key_file))
    del values["GITHUB_PRIVATE_KEY"]
    assert from_env(values).private_key == private_key_pem()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"GITHUB_APP_ID": ""}, "GITHUB_APP_ID"),
        ({"GITHUB_APP_ID": "my-app"}, "GITHUB_APP_ID"),
        ({"GITHUB_WEBHOOK_SECRET": ""}, "GITHUB_WEBHOOK_SECRET"),
        ({"GITHUB_PRIVATE_KEY": ""}, "GITHUB_PRIVATE_KEY"),
        ({"GITHUB_PRIVATE_KEY": "-----BEGIN RSA PRIVATE KEY-----\nxx\n"}, "GITHUB_PRIVATE_KEY"),
        (
            {"GITHUB_PRIVATE_KEY": "", "GITHUB_PRIVATE_KEY_PATH": "/nonexistent/k.pem"},
            "GITHUB_PRIVATE_KEY_PATH",
        ),
        ({"GITHUB_API_URL": "api.github.com"}, "GITHUB_API_URL"),
        ({"PORT": "http"}, "PORT"),
    ],
)
def test_bad_setting_is_named_in_one_line(change: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as error:
        from_env(env(**change))
    message = str(error.value)
    assert message.startswith(named)
    assert "\n" not in message


def test_secret_and_key_never_appear_in_errors_or_repr() -> None:
    settings = from_env(env())
    assert SECRET not in repr(settings)
    assert "PRIVATE KEY" not in repr(settings)
    with pytest.raises(SettingsError) as error:
        from_env(env(GITHUB_APP_ID="x" + SECRET))
    assert SECRET not in str(error.value)
