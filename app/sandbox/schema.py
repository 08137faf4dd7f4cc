"""The committed OpenAPI subset (``openapi-subset.json``): body validation and ``conforms``.

The subset is extracted from GitHub's official OpenAPI description by
``scripts/openapi_subset.py``. The sandbox validates request bodies against it (a body GitHub
would refuse gets 422 here too) and tests check the sandbox's answers against it.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlsplit

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
}


@functools.cache
def subset() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("openapi-subset.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def _template_regex(template: str) -> re.Pattern[str]:
    # {path} in the contents API spans slashes; every other parameter is one segment.
    parts = re.split(r"(\{[^}]+\})", template)
    rx = "".join(
        ("(.+)" if p == "{path}" else "([^/]+)") if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(f"^{rx}$")


@functools.cache
def _compiled() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    return [(_template_regex(op["path"]), op) for op in subset()["operations"]]


def operation_for(method: str, path: str) -> dict[str, Any] | None:
    path = urlsplit(path).path
    for rx, op in _compiled():
        if op["method"] == method.upper() and rx.match(path):
            return op
    return None


def _describe(value: Any) -> str:
    return json.dumps(value)[:80]


def check(schema: dict[str, Any], value: Any, where: str = "") -> str | None:
    """Why ``value`` does not match ``schema`` (GitHub's wording), or None if it does."""
    if not schema:
        return None
    if value is None:
        if schema.get("nullable") or schema.get("type") == "null":
            return None
        if "type" in schema or "oneOf" in schema or "anyOf" in schema:
            return f"For '{where or 'body'}', nil is not {_article(schema)}."
        return None
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = schema[key]
            if not any(check(o, value, where) is None for o in options):
                return f"For '{where or 'body'}', {_describe(value)} is not a possible value."
    kind = schema.get("type")
    if kind in _TYPES:
        ok = isinstance(value, _TYPES[kind]) and not (
            kind in ("integer", "number") and isinstance(value, bool)
        )
        if not ok:
            return f"For '{where or 'body'}', {_describe(value)} is not {_article(schema)}."
    if "enum" in schema and value not in schema["enum"]:
        return f"For '{where or 'body'}', {_describe(value)} is not a member of {schema['enum']}."
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            return f"For '{where or 'body'}', {_describe(value)} has too few items."
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return f"For '{where or 'body'}', {_describe(value)} has too many items."
        for item in value:
            reason = check(schema.get("items", {}), item, f"{where}/items".lstrip("/"))
            if reason:
                return reason
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                return f'No subschema in "{where or "body"}" matched: "{name}" wasn\'t supplied.'
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                reason = check(sub, value[name], f"{where}/{name}".lstrip("/"))
                if reason:
                    return reason
    return None


def _article(schema: dict[str, Any]) -> str:
    kind = schema.get("type") or "a possible value"
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


# Where the docs' prose allows more than the schema: "You can also pass an array of labels
# directly" (add/set labels, set also "a single label as a string"), and "You can pass an
# empty array to remove all labels" despite minItems 1.
_LABEL_OPS = {"issues/add-labels", "issues/set-labels"}


def _prose_allows(op: dict[str, Any], body: Any) -> bool:
    if op["operationId"] not in _LABEL_OPS:
        return False
    if op["operationId"] == "issues/set-labels" and (isinstance(body, str) or body == {"labels": []}):
        return True
    return (
        isinstance(body, list)
        and bool(body)
        and all(isinstance(x, str) or (isinstance(x, dict) and isinstance(x.get("name"), str)) for x in body)
    )


def check_body(method: str, path: str, body: Any) -> str | None:
    """Schema problems of a request body, judged like GitHub: unknown keys are ignored."""
    op = operation_for(method, path)
    if op is None or op.get("requestBody") is None:
        return None
    if body is None or _prose_allows(op, body):
        return None
    return check(op["requestBody"], body)


def conforms(method: str, path: str, body: Any) -> str | None:
    """Whether a request (as recorded) is one GitHub documents; returns a reason if not.

    Stricter than the sandbox's own acceptance: unknown query parameters and unknown
    top-level body keys are reported too, because GitHub ignores them silently and that is
    exactly how a misspelt field slips through.
    """
    op = operation_for(method, path)
    if op is None:
        return f"{method.upper()} {urlsplit(path).path} is not an operation the sandbox knows"
    allowed = set(op["query"])
    for name, _ in parse_qsl(urlsplit(path).query, keep_blank_values=True):
        if name not in allowed:
            return f"query parameter {name!r} is not documented for {op['operationId']}"
    schema = op.get("requestBody")
    if body is None:
        return f"{op['operationId']} requires a body" if op["bodyRequired"] else None
    if schema is None:
        return f"{op['operationId']} takes no body"
    reason = None if _prose_allows(op, body) else check(schema, body)
    if reason:
        return reason
    if isinstance(body, dict):
        known = set(schema.get("properties", {}))
        for alt in schema.get("oneOf", []) + schema.get("anyOf", []):
            known |= set(alt.get("properties", {}))
        unknown = sorted(set(body) - known)
        if unknown:
            return f"body keys {unknown} are not documented for {op['operationId']}"
    return None
