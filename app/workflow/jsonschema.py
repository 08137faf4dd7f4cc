"""A JSON Schema of `.github/incidents.yml`, generated from the schema in `schema.py`.

Editors read it (`# yaml-language-server: $schema=URL`, or VS Code's `yaml.schemas`)
to complete keys and flag mistakes as they are typed. It is written to
`docs/incidents.schema.json` by `python -m app.workflow.jsonschema`, and a test
keeps that file equal to what this module generates, so it cannot drift.

It describes a repository config: every key optional, since the config is merged
over a preset, except inside list items (a list replaces the preset's whole, so
each severity, status or role is complete). The loader stays the judge: the
schema cannot see references between keys (a transition to an unknown status),
and a few scalars it checks more loosely (a zero duration).
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any, Final

from app.workflow import config, schema
from app.workflow.loader import preset_names
from app.workflow.model import NOTIFY_EVENTS
from app.workflow.schema import REQUIRED, WORKFLOW, Field, ListOf, MapOf, Obj, Scalar, Spec

SCHEMA_URL: Final = (
    "https://raw.githubusercontent.com/incident-bot/incident-bot/main/docs/incidents.schema.json"
)
DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

JSON = dict[str, Any]


def _padded(pattern: re.Pattern[str]) -> str:
    """The loader's pattern for a stripped value, as a JSON Schema pattern for the value as written.

    JSON Schema patterns are ECMA-262 regular expressions: Python's named groups go.
    """
    inner = re.sub(r"\?P<\w+>", "?:", pattern.pattern.removeprefix("^").removesuffix("$"))
    return rf"^\s*(?:{inner})\s*$"


_LOGIN_WRITTEN = schema._LOGIN.pattern.removeprefix("^").removesuffix("$")
_TEAM_WRITTEN = schema._TEAM.pattern.removeprefix("^").removesuffix("$")
# Free text may be written unquoted (`name: 404`): YAML then reads a number or a boolean.
_TEXT_TYPES: Final = ["string", "number", "boolean"]

# One fragment per scalar kind of schema._SCALARS (a test checks none is missing).
_SCALARS: Final[dict[str, JSON]] = {
    "text": {"type": _TEXT_TYPES},
    "name": {"type": _TEXT_TYPES, "pattern": r"\S"},
    "key": {"type": ["string", "number"], "pattern": _padded(schema._KEY)},
    "bool": {"type": ["boolean"]},
    "duration": {"type": ["string"], "pattern": schema._DURATION_WHOLE.pattern},
    "color": {"type": ["string", "integer"], "pattern": r"^\s*#?[0-9a-fA-F]{6}\s*$"},
    "label_name": {"type": _TEXT_TYPES, "pattern": r"\S", "maxLength": schema.LABEL_NAME_MAX},
    "label_description": {"type": _TEXT_TYPES, "maxLength": schema.LABEL_DESCRIPTION_MAX},
    "login": {"type": ["string"], "pattern": rf"^\s*@?(?:{_LOGIN_WRITTEN})\s*$"},
    "team": {"type": ["string"], "pattern": rf"^\s*@?(?:{_TEAM_WRITTEN})\s*$"},
    "date": {"type": ["string"], "pattern": r"^\s*\d{4}-\d{2}-\d{2}\s*$"},
    "timezone": {"type": ["string"], "minLength": 1},
    "period": {"type": ["string"], "enum": ["weekly", "daily"]},
    "numbered_template": {"type": ["string"], "pattern": r"\S"},
    "event": {"type": ["string"], "enum": list(NOTIFY_EVENTS)},
}


def _spec(spec: Spec, complete: bool) -> JSON:
    """`complete`: the value replaces, not merges (inside a list), so required keys are required."""
    if isinstance(spec, Scalar):
        return dict(_SCALARS[spec.kind])
    if isinstance(spec, ListOf):
        return {"type": ["array"], "items": _spec(spec.item, complete=True)}
    if isinstance(spec, MapOf):
        return {
            "type": ["object"],
            "propertyNames": {"pattern": schema._KEY.pattern},
            "additionalProperties": _spec(spec.value, complete=True),
        }
    return _obj(spec, complete)


def _obj(spec: Obj, complete: bool) -> JSON:
    out: JSON = {
        "type": ["object"],
        "properties": {name: _field(fld, complete) for name, fld in spec.fields.items()},
        "additionalProperties": False,
    }
    required = [name for name, fld in spec.fields.items() if fld.default is REQUIRED]
    if complete and required:
        out["required"] = required
    return out


def _field(fld: Field, complete: bool) -> JSON:
    out = {"description": fld.doc, **_spec(fld.spec, complete)}
    if fld.default is not REQUIRED:  # `key: null` (or `key:`) means the default
        out["type"] = [*out["type"], "null"]
    return out


def repo_config_schema() -> JSON:
    """The JSON Schema of a repository's `.github/incidents.yml`."""
    workflow = _obj(WORKFLOW, complete=False)
    meaning = {key: doc for key, (_, _, doc) in schema.REPO_KEYS.items()}
    properties: JSON = {
        "workflow": {"description": meaning["workflow"], "type": "string", "enum": list(preset_names())},
        "status_page": {"description": meaning["status_page"], "type": "boolean"},
        "_extends": {
            "description": meaning["_extends"],
            "type": "string",
            "pattern": _padded(config._EXTENDS),
        },
        **workflow["properties"],
    }
    assert set(properties) == {*schema.REPO_KEYS, *WORKFLOW.fields}
    return {
        "$schema": DIALECT,
        "$id": SCHEMA_URL,
        "title": "Incident Bot repository config (.github/incidents.yml)",
        "description": (
            "Picks a workflow preset and overrides parts of it; every key is optional. "
            "Reference: docs/configuration.md. Check a file with `incident-bot check-config FILE`."
        ),
        "type": ["object", "null"],  # an empty file overrides nothing
        "properties": properties,
        "additionalProperties": False,
    }


def render() -> str:
    """The schema as the shipped file holds it."""
    return json.dumps(repo_config_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover - `python -m app.workflow.jsonschema > docs/...`
    sys.stdout.write(render())
