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


# -- answers ------------------------------------------------------------------------------
# Statuses GitHub can give on any operation, with an error body, whether or not the
# operation's own description lists them ("Troubleshooting the REST API",
# https://docs.github.com/rest/using-the-rest-api/troubleshooting-the-rest-api):
# 400 Problems parsing JSON / unsupported version, 401 Requires authentication,
# 403 or 429 for rate limits, 404 for what the caller may not see, 422 Invalid request.
ANY_OPERATION = {"400", "401", "403", "404", "422", "429"}
# Where GitHub's description contradicts itself: per operation, the schema read in place of
# the documented one at a path (``[*]`` is any list index), and why.
RESPONSE_QUIRKS: dict[str, dict[str, dict[str, Any]]] = {
    # list-installations declares `account` as allOf(simple-user, enterprise), where the
    # installation schema (get-repo-installation) says anyOf: a user or organisation account
    # has no enterprise-only fields (slug, created_at, ...). The anyOf reading is checked.
    "apps/list-installations": {
        "$[*].account": {"nullable": True, "anyOf": [{"$ref": "simple-user"}, {"$ref": "enterprise"}]}
    },
    # A search result item is the issue, and the issue schema says `body` is nullable: an
    # issue opened without a body has `"body": null` wherever it is shown. GitHub corrected
    # this in the issue schema (github/rest-api-description#767), not in the item schema.
    "search/issues-and-pull-requests": {"$.items[*].body": {"type": "string", "nullable": True}},
}


def operation(method: str, template: str) -> dict[str, Any] | None:
    """The documented operation for a route template exactly as the subset spells it."""
    return next(
        (o for o in subset()["operations"] if o["method"] == method.upper() and o["path"] == template),
        None,
    )


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while "$ref" in schema:
        schema = subset()["schemas"][schema["$ref"]]
        seen += 1
        if seen > 50:  # a reference loop without content; never in GitHub's description
            return {}
    return schema


_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "null":
        return value is None
    expected = _TYPES.get(kind)
    if expected is None:
        return True
    return isinstance(value, expected) and not (kind in ("integer", "number") and isinstance(value, bool))


Overrides = dict[str, dict[str, Any]]


def validate(
    schema: dict[str, Any], value: Any, where: str = "$", instead: Overrides | None = None
) -> list[str]:
    """Every way ``value`` breaks ``schema`` (a full JSON-schema reading of the subset), as
    ``path: reason`` lines. ``instead`` maps a path (``[*]``: any index) to the schema read
    there in place of the documented one."""
    instead = instead or {}
    here = _generic(where)
    if here in instead:  # read once: the replacement's own parts sit at the same path
        schema, instead = instead[here], {k: v for k, v in instead.items() if k != here}
    if not schema:
        return []
    schema = _resolve(schema)
    if value is None:
        if schema.get("nullable") or schema.get("type") == "null" or not _typed(schema):
            return []
        return [f"{where}: null where {schema.get('type') or 'a value'} is documented"]
    problems: list[str] = []
    for part in schema.get("allOf", []):
        problems += validate(part, value, where, instead)
    for key in ("oneOf", "anyOf"):
        # oneOf is read as anyOf: GitHub's alternatives overlap (a nullable string or a
        # nullable integer), so "exactly one" would refuse answers GitHub itself sends.
        if key in schema:
            results: list[list[str]] = [validate(o, value, where, instead) for o in schema[key]]
            if all(results):
                problems.append(f"{where}: matches none of the documented {key} alternatives")
                problems.extend(sorted(results, key=len)[0])
    kind = schema.get("type")
    if isinstance(kind, str) and not _type_ok(kind, value):
        return [*problems, f"{where}: {json.dumps(value)[:60]} is not of type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {json.dumps(value)[:60]} is not one of {schema['enum']}")
    if isinstance(value, str) and schema.get("format") == "date-time" and not _DATE_TIME.match(value):
        problems.append(f"{where}: {value!r} is not a date-time")
    if (
        isinstance(value, str)
        and schema.get("format") == "uri"
        and not re.match(r"^[a-z][a-z0-9+.-]*:", value)
    ):
        problems.append(f"{where}: {value!r} is not a URI")
    if isinstance(value, list):
        for i, item in enumerate(value):
            problems += validate(schema.get("items", {}), item, f"{where}[{i}]", instead)
    if isinstance(value, dict):
        problems += [f"{where}.{name}: missing" for name in schema.get("required", []) if name not in value]
        props = schema.get("properties", {})
        for name, sub in props.items():
            if name in value:
                problems += validate(sub, value[name], f"{where}.{name}", instead)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for name in set(value) - set(props):
                problems += validate(extra, value[name], f"{where}.{name}", instead)
    return problems


def _typed(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in ("type", "oneOf", "anyOf", "allOf", "properties"))


def _generic(where: str) -> str:
    return re.sub(r"\[\d+\]", "[*]", where)


def _graphql_problems(status: int, body: Any, basic_error: dict[str, Any]) -> list[str]:
    """GraphQL's one endpoint is outside the REST description: a 200 carries `data` or a
    list of `errors` with a `message` each; a 401 is the REST basic error
    (https://docs.github.com/en/graphql/guides/forming-calls-with-graphql)."""
    if status == 401:
        return validate(basic_error, body)
    if status != 200 or not isinstance(body, dict):
        return [f"POST /graphql {status}: expected 200 with a JSON object, or 401"]
    errors = body.get("errors")
    if "data" not in body and not (
        isinstance(errors, list) and errors and all(isinstance(e, dict) and "message" in e for e in errors)
    ):
        return ["POST /graphql 200: neither `data` nor a list of `errors` with a message each"]
    return []


def response_problems(method: str, template: str | None, status: int, body: Any) -> list[str]:
    """Why an answer is not one GitHub's description documents for that operation and status.

    ``template`` is the route the sandbox matched (None: no route, GitHub's 404). ``body``
    is the decoded JSON sent, or None for an empty body.
    """
    errors = subset()["errors"]
    if (method.upper(), template) == ("POST", "/graphql"):
        return _graphql_problems(status, body, errors["basic-error"])
    op = operation(method, template) if template else None
    if op is None:
        if template is not None:
            return [f"{method} {template} is not a documented operation"]
        return validate(errors["basic-error"], body) if status == 404 else [f"no route, yet {status}"]
    name = op["operationId"]
    documented = op["responses"]
    key = str(status)
    if key in documented:
        schema = documented[key]
        if schema is None:
            return [] if body is None else [f"{name} {status}: documented without a body, yet one was sent"]
        if body is None:
            return [f"{name} {status}: documented with a body, yet none was sent"]
        quirks = RESPONSE_QUIRKS.get(name)
        return [f"{name} {status} {p}" for p in validate(schema, body, "$", quirks)]
    if key == "304" and op["method"] == "GET":
        # Any GET answers a matching If-None-Match with an empty 304 ("Best practices for
        # using the REST API", conditional requests), listed for the operation or not.
        return [] if body is None else [f"{name} 304: a 304 has no body"]
    if key in ANY_OPERATION:
        schema = errors[
            "validation-error"
            if key == "422" and isinstance(body, dict) and "errors" in body
            else "basic-error"
        ]
        if body is None:
            return [f"{name} {status}: an error answer needs a body"]
        return [f"{name} {status} {p}" for p in validate(schema, body)]
    return [f"{name}: status {status} is not documented (documented: {sorted(documented)})"]
