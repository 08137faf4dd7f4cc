"""Where notifications go is the server's environment; which ones is the repository's config."""

from __future__ import annotations

import pytest

from app.settings import DEFAULT_PAGERDUTY_EVENTS_URL, SettingsError, from_env
from app.workflow.config import CONFIG_PATH, resolve_config
from app.workflow.loader import load_preset
from tests.keys import SECRET, private_key_pem

TOKEN = "T0KEN-THAT-MUST-NEVER-SHOW"


def env(**extra: str) -> dict[str, str]:
    return {
        "GITHUB_APP_ID": "42",
        "GITHUB_PRIVATE_KEY": private_key_pem(),
        "GITHUB_WEBHOOK_SECRET": SECRET,
        **extra,
    }


def test_no_channel_is_configured_by_default() -> None:
    notify = from_env(env()).notify
    assert notify.channels == () and notify.pagerduty_events_url == DEFAULT_PAGERDUTY_EVENTS_URL


def test_every_channel_from_the_environment_and_none_of_it_in_repr() -> None:
    settings = from_env(
        env(
            PAGERDUTY_ROUTING_KEY=TOKEN,
            PAGERDUTY_EVENTS_URL="https://events.eu.pagerduty.com/v2/enqueue",
            SLACK_WEBHOOK_URL=f"https://hooks.slack.com/services/{TOKEN}",
            NOTIFY_WEBHOOK_URL=f"https://example.com/hook?token={TOKEN}",
            NOTIFY_WEBHOOK_SECRET=TOKEN,
        )
    )
    assert settings.notify.channels == ("page", "chat", "webhook")
    assert settings.notify.pagerduty_events_url == "https://events.eu.pagerduty.com/v2/enqueue"
    assert TOKEN not in repr(settings) and TOKEN not in repr(settings.notify)


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ({"NOTIFY_WEBHOOK_URL": f"https://example.com/{TOKEN}"}, "NOTIFY_WEBHOOK_SECRET"),
        ({"SLACK_WEBHOOK_URL": f"hooks.slack.com/{TOKEN}"}, "SLACK_WEBHOOK_URL"),
        ({"PAGERDUTY_EVENTS_URL": f"ftp://{TOKEN}"}, "PAGERDUTY_EVENTS_URL"),
    ],
)
def test_a_bad_channel_setting_is_one_line_naming_it_without_its_value(
    extra: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        from_env(env(**extra))
    assert named in str(raised.value) and TOKEN not in str(raised.value)


def test_presets_choose_what_pages() -> None:
    assert load_preset("sourcegraph").notifications.page == ("1", "2")  # pages on declare
    assert load_preset("default").notifications.page == ("1",)
    assert load_preset("openverse").notifications.page == ()


def test_a_repository_overrides_the_lists() -> None:
    text = "workflow: sourcegraph\nnotifications:\n  page: [1]\n  chat: [declared, resolved]\n"
    config = resolve_config({("acme/web", CONFIG_PATH): text}, "acme", "web")
    assert config.error is None
    policy = config.workflow.notifications
    assert (policy.page, policy.chat) == (("1",), ("declared", "resolved"))
    assert policy.webhook == load_preset("sourcegraph").notifications.webhook  # untouched: merged


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("notifications:\n  page: [4]\n", "notifications.page[0]: expected a severity key, one of 1, 2, 3"),
        ("notifications:\n  chat: [declard]\n", "did you mean 'declared'?"),
        ("notify:\n  page: [1]\n", "expected a known key, got 'notify'"),  # it is `notifications`
    ],
)
def test_a_wrong_list_is_a_config_error_on_its_line(text: str, said: str) -> None:
    config = resolve_config({("acme/web", CONFIG_PATH): text}, "acme", "web")
    assert config.error is not None
    assert said in str(config.error) or (said == "unknown" and "notify" in str(config.error)), str(
        config.error
    )
