"""app.yml stays honest: it asks for the events the app handles and the permissions it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.service.handlers import router
from app.web.setup import MANIFEST_FIELDS, ManifestError, load_manifest, manifest_for

# GitHub sends these to every app whatever it subscribes to; they are not manifest events.
ALWAYS_SENT = {"installation", "installation_repositories", "ping"}
# Subscribed on purpose although no handler routes them (say why for each).
UNHANDLED_ON_PURPOSE = {
    # Follow-ups are sub-issues; loading re-reads them from the API on every run, so the
    # subscription only matters once a handler refreshes the summary on sub_issue_added.
    "sub_issues",
}


def handled_events() -> set[str]:
    composed = router()
    return set(composed._shallow_routes) | set(composed._deep_routes)


def test_default_events_are_what_the_routers_handle() -> None:
    events = set(load_manifest()["default_events"])
    expected = (handled_events() - ALWAYS_SENT) | UNHANDLED_ON_PURPOSE
    assert events == expected, (
        f"app.yml default_events {sorted(events)} != handled {sorted(expected)}: "
        "add the event to app.yml, or to UNHANDLED_ON_PURPOSE with a reason"
    )


def test_permissions_are_exactly_what_the_app_uses() -> None:
    assert load_manifest()["default_permissions"] == {
        "issues": "write",
        "metadata": "read",
        "contents": "read",
        "members": "read",
    }


def test_manifest_has_only_github_fields_and_registers_this_server() -> None:
    base = load_manifest()
    assert set(base) <= set(MANIFEST_FIELDS)
    manifest = manifest_for(base, "https://bot.example.com")
    assert manifest["hook_attributes"] == {"url": "https://bot.example.com/webhook", "active": True}
    assert manifest["redirect_url"] == "https://bot.example.com/setup/callback"
    assert base["hook_attributes"]["url"] != manifest["hook_attributes"]["url"]  # base untouched


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("name: x\nurl: https://x\nwebhook: y\n", "not a GitHub App manifest field: webhook"),
        ("url: https://x\n", "needs a 'name'"),
        ("- a\n", "must be a mapping"),
        ("name: [x\n", "line 2: not valid YAML"),
    ],
)
def test_a_bad_manifest_is_one_clear_line(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "app.yml"
    path.write_text(text)
    with pytest.raises(ManifestError, match=re.escape(says)) as caught:
        load_manifest(path)
    assert "\n" not in str(caught.value)


def test_a_missing_manifest_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read the app manifest"):
        load_manifest(tmp_path / "absent.yml")
