"""Extract, from GitHub's official OpenAPI description, the operations the sandbox serves.

Usage (needs the npm client, only when refreshing the committed files)::

    python scripts/openapi_subset.py            # npm pack into a temp dir, then extract
    python scripts/openapi_subset.py --openapi api.github.com.json --examples index.json

Writes ``app/sandbox/openapi-subset.json`` (used at run time by the sandbox to validate
request bodies, by ``app.sandbox.conforms`` and, for the sandbox's own answers, by
``app.sandbox.schema.response_problem``) and a few real webhook example payloads under
``tests/sandbox/fixtures/webhooks/``. CI never runs this: the outputs are committed.

Response schemas are kept whole (every level, every status the description lists), with
shared parts stored once under ``schemas`` and referred to as ``{"$ref": name}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUBSET = ROOT / "app" / "sandbox" / "openapi-subset.json"
EXAMPLES_DIR = ROOT / "tests" / "sandbox" / "fixtures" / "webhooks"

# (method, path template) of every operation the sandbox implements.
OPERATIONS: list[tuple[str, str]] = [
    ("GET", "/app"),
    ("GET", "/app/installations"),
    ("GET", "/repos/{owner}/{repo}/installation"),
    ("GET", "/users/{username}/installation"),
    ("POST", "/app/installations/{installation_id}/access_tokens"),
    ("GET", "/repos/{owner}/{repo}"),
    ("GET", "/repos/{owner}/{repo}/issues"),
    ("POST", "/repos/{owner}/{repo}/issues"),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("PATCH", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("GET", "/repos/{owner}/{repo}/labels"),
    ("POST", "/repos/{owner}/{repo}/labels"),
    ("GET", "/repos/{owner}/{repo}/labels/{name}"),
    ("PATCH", "/repos/{owner}/{repo}/labels/{name}"),
    ("DELETE", "/repos/{owner}/{repo}/labels/{name}"),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("PUT", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/assignees"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/assignees"),
    ("GET", "/repos/{owner}/{repo}/assignees/{assignee}"),
    ("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("GET", "/repos/{owner}/{repo}/contents/{path}"),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/events"),
    ("GET", "/search/issues"),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues"),
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues"),
    ("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/sub_issue"),
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/parent"),
    ("POST", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("GET", "/orgs/{org}/teams/{team_slug}/members"),
    ("GET", "/rate_limit"),
    ("POST", "/app-manifests/{code}/conversions"),
]

WEBHOOKS = [
    "issues-opened",
    "issues-edited",
    "issues-deleted",
    "issues-closed",
    "issues-reopened",
    "issues-assigned",
    "issues-unassigned",
    "issues-labeled",
    "issues-unlabeled",
    "issue-comment-created",
    "issue-comment-edited",
    "issue-comment-deleted",
    "sub-issues-sub-issue-added",
    "sub-issues-sub-issue-removed",
    "sub-issues-parent-issue-added",
    "sub-issues-parent-issue-removed",
]

EXAMPLES = [
    ("issues", "opened"),
    ("issues", "labeled"),
    ("issues", "assigned"),
    ("issues", "edited"),
    ("issue_comment", "created"),
    ("issue_comment", "edited"),
]

# Only the structural keywords survive: the subset stays small and says what GitHub accepts.
KEEP = {"type", "required", "enum", "nullable", "minItems", "maxItems", "maxLength", "minimum", "maximum"}
# Response schemas also keep `format` (date-time, uri): a timestamp GitHub would never send fails.
RESPONSE_KEEP = KEEP | {"format"}
# The description says so in each content-creating operation's own text; the sandbox's
# content-creation limit counts exactly these operations.
CONTENT_CREATION = "Creating content too quickly using this endpoint may result in secondary rate limiting"
# Error bodies for answers GitHub gives on any operation ("Troubleshooting the REST API":
# 401, 403/429 rate limits, 404, 400 Problems parsing JSON, 422 Invalid request).
ERROR_SCHEMAS = ("basic-error", "validation-error")


class Compactor:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            parts = node["$ref"].lstrip("#/").split("/")
            target: Any = self.spec
            for part in parts:
                target = target[part]
            node = target
        return node

    def compact(self, node: dict[str, Any], depth: int) -> dict[str, Any]:
        node = self.resolve(node)
        if depth <= 0:
            return {}
        out: dict[str, Any] = {k: v for k, v in node.items() if k in KEEP}
        for key in ("oneOf", "anyOf"):
            if key in node:
                out[key] = [self.compact(n, depth) for n in node[key]]
        if "allOf" in node:  # merge, so a checker needs no allOf logic
            merged: dict[str, Any] = {"properties": {}, "required": []}
            for part in node["allOf"]:
                c = self.compact(part, depth)
                merged["properties"].update(c.get("properties", {}))
                merged["required"] += c.get("required", [])
                merged.update({k: v for k, v in c.items() if k not in merged})
            out.update(merged)
        if "properties" in node:
            out["properties"] = {k: self.compact(v, depth - 1) for k, v in node["properties"].items()}
        if "items" in node:
            out["items"] = self.compact(node["items"], depth - 1)
        return out


class Interner:
    """Whole response schemas, with every shared part stored once.

    A ``$ref`` of the description becomes ``{"$ref": <component name>}`` (that also stops
    recursive schemas); an inline object that occurs again (the generated description
    inlines ``simple-user`` in hundreds of places) is stored under a hash of its content.
    """

    MIN_SHARED = 120  # characters of JSON below which a part is cheaper inline

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = {}
        self._pending: list[str] = []

    def ref(self, name: str) -> dict[str, str]:
        if name not in self.schemas:
            self.schemas[name] = None  # reserved, so a recursive reference stops here
            self._pending.append(name)
        return {"$ref": name}

    def schema(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return self.ref(node["$ref"].rsplit("/", 1)[-1])
        out: dict[str, Any] = {k: v for k, v in node.items() if k in RESPONSE_KEEP}
        for key in ("oneOf", "anyOf", "allOf"):
            if key in node:
                out[key] = [self.schema(n) for n in node[key]]
        if "properties" in node:
            out["properties"] = {k: self.schema(v) for k, v in node["properties"].items()}
        if isinstance(node.get("items"), dict):
            out["items"] = self.schema(node["items"])
        if isinstance(node.get("additionalProperties"), dict):
            out["additionalProperties"] = self.schema(node["additionalProperties"])
        return self._share(out)

    def _share(self, out: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(out, sort_keys=True)
        if len(text) < self.MIN_SHARED:
            return out
        name = "h" + hashlib.sha1(text.encode()).hexdigest()[:12]
        self.schemas.setdefault(name, out)
        return {"$ref": name}

    def finish(self) -> dict[str, Any]:
        while self._pending:
            name = self._pending.pop()
            self.schemas[name] = self.schema(self.spec["components"]["schemas"][name])
        return self.schemas


def extract(spec: dict[str, Any]) -> dict[str, Any]:
    comp = Compactor(spec)
    shared = Interner(spec)
    errors = {name: shared.ref(name) for name in ERROR_SCHEMAS}
    ops = []
    for method, path in OPERATIONS:
        op = spec["paths"][path][method.lower()]
        params = [comp.resolve(p) for p in op.get("parameters", [])]
        body = op.get("requestBody")
        body_schema = None
        if body:
            body_schema = comp.compact(body["content"]["application/json"]["schema"], 12)
        responses: dict[str, Any] = {}
        for status, resp in op["responses"].items():
            resp = comp.resolve(resp)
            content = resp.get("content", {})
            # JSON first: a few operations also list application/scim+json or raw media types.
            media = content.get("application/json") or next(iter(content.values()), {})
            schema = media.get("schema")
            # None: the description documents this status with no body (204, 301, 304).
            responses[status] = shared.schema(schema) if schema else None
        ops.append(
            {
                "method": method,
                "path": path,
                "operationId": op["operationId"],
                "docs": op.get("externalDocs", {}).get("url"),
                "contentCreation": CONTENT_CREATION in op.get("description", ""),
                "query": [p["name"] for p in params if p.get("in") == "query"],
                "bodyRequired": bool(body and body.get("required")),
                "requestBody": body_schema,
                "responses": responses,
            }
        )
    hooks = {}
    for name in WEBHOOKS:
        post = spec["x-webhooks"][name]["post"]
        schema = post["requestBody"]["content"]["application/json"]["schema"]
        hooks[name] = comp.compact(schema, 3)
    return {
        "source": "@octokit/openapi generated/api.github.com.json",
        "version": spec["info"].get("version"),
        "operations": ops,
        "errors": errors,
        "schemas": shared.finish(),
        "webhooks": hooks,
    }


def npm_pack(package: str, dest: Path) -> Path:
    subprocess.run(["npm", "pack", package], cwd=dest, check=True, capture_output=True)
    tgz = next(dest.glob(package.split("/")[-1].join(["*", "*.tgz"])))
    with tarfile.open(tgz) as tar:
        tar.extractall(dest / tgz.stem, filter="data")
    return dest / tgz.stem / "package"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--openapi", type=Path)
    ap.add_argument("--examples", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        openapi = (
            args.openapi or npm_pack("@octokit/openapi", Path(tmp)) / "generated" / "api.github.com.json"
        )
        examples = (
            args.examples
            or npm_pack("@octokit/webhooks-examples", Path(tmp)) / "api.github.com" / "index.json"
        )
        spec = json.loads(Path(openapi).read_text())
        SUBSET.write_text(json.dumps(extract(spec), indent=None, sort_keys=True) + "\n")
        events = {e["name"]: e for e in json.loads(Path(examples).read_text())}
    EXAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for event, action in EXAMPLES:
        candidates = [x for x in events[event]["examples"] if x.get("action") == action]
        # Prefer an org-owned example with no transfer `changes`: it is what the app sees.
        candidates.sort(key=lambda x: ("organization" not in x, "changes" in x and action == "opened"))
        (EXAMPLES_DIR / f"{event}.{action}.json").write_text(json.dumps(candidates[0], indent=1) + "\n")
    print(f"wrote {SUBSET} ({SUBSET.stat().st_size} bytes) and {len(EXAMPLES)} examples")


if __name__ == "__main__":
    main()
