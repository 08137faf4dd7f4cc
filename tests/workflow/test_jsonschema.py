"""docs/incidents.schema.json: generated from the schema code, in sync, and agreeing with the loader."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from app.workflow import jsonschema as generator
from app.workflow import schema
from app.workflow.config import load_repo_config_text
from app.workflow.errors import WorkflowError, all_errors
from app.workflow.loader import PRESETS_DIR, preset_names

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "docs" / "incidents.schema.json"


class JsonLikeLoader(yaml.SafeLoader):
    """YAML as an editor's schema checker sees it: a date is text, not a timestamp."""


JsonLikeLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SHIPPED.read_text()))


def schema_errors(text: str) -> list[str]:
    """Where the JSON Schema objects, as dotted paths (the key with the problem)."""
    found = []
    for error in validator().iter_errors(yaml.load(text, Loader=JsonLikeLoader)):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties":  # name the unknown key itself
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            path = ".".join(filter(None, [path, *extra]))
        found.append(path)
    return sorted(set(found))


def loader_errors(text: str) -> list[str]:
    try:
        load_repo_config_text(text, "incidents.yml")
    except WorkflowError as error:
        return sorted(e.key_path for e in all_errors(error))
    return []


def test_the_shipped_file_is_what_the_schema_code_generates() -> None:
    assert SHIPPED.read_text() == generator.render(), (
        "docs/incidents.schema.json is stale: python -m app.workflow.jsonschema > docs/incidents.schema.json"
    )


def test_it_is_a_valid_draft_2020_12_schema_for_every_scalar_kind() -> None:
    shipped = json.loads(SHIPPED.read_text())
    jsonschema.Draft202012Validator.check_schema(shipped)
    assert shipped["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(generator._SCALARS) == set(schema._SCALARS)
    assert shipped["properties"]["workflow"]["enum"] == list(preset_names())
    # Every documented key is there, with its line of documentation.
    lead = shipped["properties"]["lead"]
    assert lead["properties"]["equity_window"]["description"] == 'How far back "led fewest incidents" looks.'


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_is_a_valid_config(name: str) -> None:
    assert schema_errors((PRESETS_DIR / f"{name}.yml").read_text()) == []


@pytest.mark.parametrize(
    "text",
    [
        "",  # an empty file overrides nothing
        "# yaml-language-server: $schema=../docs/incidents.schema.json\nworkflow: openverse\n",
        "lead:\n  rotation: {members: [alice, bob], start: 2026-06-29, period: weekly}\n",
        "_extends: acme/shared:incidents/base.yml\nlead: {escalation: ['@carol'], rotation: null}\n",
        'incident_label: {name: 404, color: "#D73A4A"}\nstatus_page: true\n',
        'followups: {discussion_title: "Retro for #{number}"}\nreminders: {retro_after: 1h30m}\n',
        "transitions: {stabilized: [resolved]}\n",
    ],
)
def test_configs_the_loader_accepts_are_valid(text: str) -> None:
    assert loader_errors(text) == []
    assert schema_errors(text) == []


@pytest.mark.parametrize(
    ("text", "paths"),
    [
        (
            "workflow: openverse\nstatus_page: sometimes\nlead:\n  equity_windw: 90d\n"
            "reminders:\n  retro_after: soon\ncolour: red\n",
            ["colour", "lead.equity_windw", "reminders.retro_after", "status_page"],
        ),
        ("workflow: sourcegrah\n", ["workflow"]),
        ("severities:\n  - {key: '1', name: Critical}\n", ["severities.0"]),  # a list item is complete
        ("lead: {away: [not a login]}\n", ["lead.away.0"]),
        ("security: {label: {name: " + "x" * 51 + "}}\n", ["security.label.name"]),
        ("lead: {rotation: {period: monthly}}\n", ["lead.rotation.period"]),
        ("followups: {label: null}\n", ["followups.label"]),
    ],
)
def test_the_schema_and_the_loader_refuse_the_same_keys(text: str, paths: list[str]) -> None:
    assert schema_errors(text) == paths
    assert loader_errors(text), "the loader accepted it"
