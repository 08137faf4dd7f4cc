"""Repository configuration: Probot's lookup, `_extends`, overrides and broken files."""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

import gidgethub
import pytest
from gidgethub.abc import GitHubAPI

from app.github.config import fetch_config
from app.workflow.config import (
    CONFIG_PATH,
    RepoConfig,
    missing_file,
    resolve_config,
)
from app.workflow.loader import load_preset

OWN = ("acme/web", CONFIG_PATH)
ORG = ("acme/.github", CONFIG_PATH)


def _resolve(files: Mapping[tuple[str, str], str | None]) -> RepoConfig:
    return resolve_config(files, "acme", "web")


def test_no_config_anywhere_is_the_default_workflow() -> None:
    config = _resolve({OWN: None, ORG: None})
    assert config.workflow is load_preset("default")
    assert config.error is None and config.status_page is False


def test_own_config_picks_a_preset() -> None:
    config = _resolve({OWN: "workflow: openverse\nstatus_page: true\n"})
    assert config.workflow is load_preset("openverse")  # no overrides: the cached preset
    assert config.status_page is True
    assert config.source == "acme/web:.github/incidents.yml"
    assert config.error is None


def test_falls_back_to_the_owners_dot_github_repository() -> None:
    config = _resolve({OWN: None, ORG: "workflow: wellcome\n"})
    assert config.workflow.name == "wellcome"
    assert config.source == "acme/.github:.github/incidents.yml"


def test_empty_file_is_the_default_preset() -> None:
    assert _resolve({OWN: ""}).workflow == load_preset("default")


def test_overrides_merge_mappings_and_replace_lists() -> None:
    text = """
workflow: openverse
lead:
  rotation:
    members: [alice, bob]
    start: 2026-08-31
  escalation: [carol]
next_steps:
  - Page the database team.
"""
    wf = _resolve({OWN: text}).workflow
    base = load_preset("openverse")
    assert wf.lead.rotation is not None and base.lead.rotation is not None
    assert wf.lead.rotation.members == ("alice", "bob")
    assert wf.lead.rotation.start == dt.date(2026, 8, 31)
    assert wf.lead.rotation.period == base.lead.rotation.period  # merged, not replaced
    assert wf.lead.escalation == ("carol",)
    assert wf.next_steps == ("Page the database team.",)  # lists replace
    assert wf.severities == base.severities
    assert load_preset("openverse") == base  # the cached preset is untouched


def test_rotation_null_removes_it() -> None:
    wf = _resolve({OWN: "workflow: openverse\nlead:\n  rotation: null\n"}).workflow
    assert wf.lead.rotation is None


def test_extends_merges_in_order_default_extended_own() -> None:
    files = {
        OWN: "_extends: shared\nlead:\n  escalation: [own]\n",
        ("acme/shared", CONFIG_PATH): (
            "workflow: sourcegraph\nstatus_page: true\nlead:\n  escalation: [shared]\n  away: [dave]\n"
        ),
    }
    config = _resolve(files)
    assert config.error is None
    assert config.workflow.name == "sourcegraph"
    assert config.status_page is True
    assert config.workflow.lead.escalation == ("own",)
    assert config.workflow.lead.away == ("dave",)


@pytest.mark.parametrize(
    ("extends", "key"),
    [
        ("shared", ("acme/shared", CONFIG_PATH)),
        ("other-org/shared", ("other-org/shared", CONFIG_PATH)),
        ("shared:configs/incidents.yml", ("acme/shared", "configs/incidents.yml")),
        ("other-org/shared:x.yaml", ("other-org/shared", "x.yaml")),
    ],
)
def test_extends_forms(extends: str, key: tuple[str, str]) -> None:
    files: dict[tuple[str, str], str | None] = {OWN: f"_extends: {extends}\n"}
    assert missing_file(files, "acme", "web") == key
    files[key] = "workflow: wellcome\n"
    assert missing_file(files, "acme", "web") is None
    assert _resolve(files).workflow.name == "wellcome"


def test_extends_chain_and_cycle() -> None:
    files = {
        OWN: "_extends: a\n",
        ("acme/a", CONFIG_PATH): "_extends: b\n",
        ("acme/b", CONFIG_PATH): "workflow: openverse\n",
    }
    assert _resolve(files).workflow.name == "openverse"
    files[("acme/b", CONFIG_PATH)] = "_extends: a\n"
    config = _resolve(files)
    assert config.error is not None and "no cycle of _extends" in str(config.error)


def test_extends_a_missing_file_is_an_error() -> None:
    config = _resolve({OWN: "_extends: nowhere\n", ("acme/nowhere", CONFIG_PATH): None})
    assert config.error is not None
    assert "acme/nowhere:.github/incidents.yml was not found" in str(config.error)


def test_bad_extends_value() -> None:
    config = _resolve({OWN: "_extends: 'not a repo!'\n"})
    assert config.error is not None and config.error.key_path == "_extends"


def test_missing_file_walks_own_then_org() -> None:
    assert missing_file({}, "acme", "web") == OWN
    assert missing_file({OWN: None}, "acme", "web") == ORG
    assert missing_file({OWN: None, ORG: None}, "acme", "web") is None
    assert missing_file({OWN: "workflow: openverse"}, "acme", "web") is None


@pytest.mark.parametrize(
    ("text", "line", "key", "fragment"),
    [
        ("workflow: openvers\n", 1, "workflow", "did you mean 'openverse'?"),
        ("status_page: yes please\n", 1, "status_page", "true or false"),
        ("workflow: openverse\nlead:\n  equity_windw: 3d\n", 3, "lead.equity_windw", "'equity_window'"),
        ("severity:\n  - 1\n", 1, "severity", "did you mean 'severities'?"),
        ("workflow: [openverse\n", 2, "", "valid YAML"),
        ("reminders:\n  retro_after: later\n", 2, "reminders.retro_after", "duration"),
        ("- workflow: openverse\n", 1, "", "mapping"),
    ],
)
def test_broken_config_falls_back_with_a_one_line_error(
    text: str, line: int, key: str, fragment: str
) -> None:
    config = _resolve({OWN: text})
    assert config.workflow is load_preset("default")
    error = config.error
    assert error is not None
    message = str(error)
    assert "\n" not in message
    assert message.startswith(f"acme/web:.github/incidents.yml: line {line}: ")
    assert error.key_path == key
    assert fragment in message
    assert "until then the default workflow is used" in message


def test_override_error_in_an_extended_file_names_that_file() -> None:
    files = {
        OWN: "_extends: shared\n",
        ("acme/shared", CONFIG_PATH): "workflow: default\nlead:\n  away: bob\n",
    }
    error = _resolve(files).error
    assert error is not None
    assert str(error).startswith("acme/shared:.github/incidents.yml: line 3: lead.away: expected a list")


def test_preset_name_cannot_escape_the_presets_directory() -> None:
    error = _resolve({OWN: "workflow: ../pyproject\n"}).error
    assert error is not None and error.key_path == "workflow"


# --- fetch_config against a fake GitHub ----------------------------------------------


class FakeGitHub(GitHubAPI):
    """Answers the contents API from a dict; records what was asked."""

    def __init__(self, files: Mapping[tuple[str, str], str], status: int = 404) -> None:
        super().__init__("incident-bot-tests")
        self.files = files
        self.status = status  # what a missing file answers
        self.urls: list[str] = []

    async def _request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes = b""
    ) -> tuple[int, Mapping[str, str], bytes]:
        self.urls.append(url)
        path = url.split("/repos/", 1)[1]
        owner, repo, _, file_path = path.split("/", 3)
        text = self.files.get((f"{owner}/{repo}", file_path))
        json_headers = {"content-type": "application/json; charset=utf-8"}
        if text is None:
            payload: dict[str, Any] = {"message": "Not Found"}
            return self.status, json_headers, json.dumps(payload).encode()
        encoded = base64.encodebytes(text.encode()).decode()  # GitHub wraps lines too
        payload = {"type": "file", "encoding": "base64", "content": encoded, "path": file_path}
        return 200, json_headers, json.dumps(payload).encode()

    async def sleep(self, seconds: float) -> None:
        return None


async def test_fetch_config_reads_own_file() -> None:
    gh = FakeGitHub({OWN: "workflow: openverse\nstatus_page: true\n"})
    config = await fetch_config(gh, "acme", "web")
    assert config.workflow.name == "openverse" and config.status_page
    assert gh.urls == ["https://api.github.com/repos/acme/web/contents/.github/incidents.yml"]


async def test_fetch_config_falls_back_and_follows_extends() -> None:
    gh = FakeGitHub(
        {
            ORG: "_extends: policies:incidents/base.yml\nstatus_page: true\n",
            ("acme/policies", "incidents/base.yml"): "workflow: wellcome\n",
        }
    )
    config = await fetch_config(gh, "acme", "web")
    assert config.error is None
    assert config.workflow.name == "wellcome" and config.status_page
    assert [u.split("/repos/")[1] for u in gh.urls] == [
        "acme/web/contents/.github/incidents.yml",
        "acme/.github/contents/.github/incidents.yml",
        "acme/policies/contents/incidents/base.yml",
    ]


async def test_fetch_config_absent_everywhere() -> None:
    config = await fetch_config(FakeGitHub({}), "acme", "web")
    assert config.workflow is load_preset("default") and config.error is None


async def test_fetch_config_broken_file_does_not_raise() -> None:
    config = await fetch_config(FakeGitHub({OWN: "workflow: nope\n"}), "acme", "web")
    assert config.error is not None and config.workflow is load_preset("default")


async def test_fetch_config_forbidden_is_a_config_error() -> None:
    config = await fetch_config(FakeGitHub({}, status=403), "acme", "web")
    assert config.error is not None and "Contents: read" in str(config.error)


async def test_fetch_config_server_errors_propagate() -> None:
    with pytest.raises(gidgethub.GitHubBroken):
        await fetch_config(FakeGitHub({}, status=502), "acme", "web")
