"""A workflow's GITHUB_TOKEN in the sandbox: github-actions[bot], one repository, no teams,
and changes made with it start no workflow run."""

from __future__ import annotations

from typing import Any

import aiohttp

from app.sandbox import Sandbox
from tests.sandbox.conftest import call

SEED: dict[str, Any] = {
    "orgs": [{"login": "acme", "members": ["alice"], "teams": [{"slug": "oncall", "members": ["alice"]}]}],
    "repos": [
        {"full_name": "acme/web", "collaborators": {"alice": "write"}, "files": {"README.md": "hi"}},
        {"full_name": "acme/secret", "private": True},
    ],
}


async def test_github_token_acts_as_github_actions_bot_on_its_repository_only() -> None:
    async with Sandbox(SEED) as sb, aiohttp.ClientSession() as http:
        token = sb.workflow_token("acme/web")
        status, issue, _ = await call(http, sb, "POST", "/repos/acme/web/issues", token, {"title": "t"})
        assert status == 201
        assert issue["user"]["login"] == "github-actions[bot]"
        assert issue["user"]["type"] == "Bot"
        status, _, headers = await call(http, sb, "GET", "/repos/acme/web/contents/README.md", token)
        assert status == 200
        assert headers["x-ratelimit-limit"] == "1000"
        status, _, _ = await call(http, sb, "GET", "/repos/acme/secret", token)
        assert status == 404
        status, body, _ = await call(http, sb, "GET", "/orgs/acme/teams/oncall/members", token)
        assert (status, body["message"]) == (403, "Resource not accessible by integration")


async def test_permissions_the_workflow_did_not_grant_are_refused() -> None:
    async with Sandbox(SEED) as sb, aiohttp.ClientSession() as http:
        token = sb.workflow_token("acme/web", {"issues": "read", "metadata": "read"})
        status, _, _ = await call(http, sb, "GET", "/repos/acme/web/contents/README.md", token)
        assert status == 403
        status, _, _ = await call(http, sb, "POST", "/repos/acme/web/issues", token, {"title": "t"})
        assert status == 201  # anyone may open an issue on a public repository...
        status, _, _ = await call(
            http, sb, "POST", "/repos/acme/web/issues/1/labels", token, {"labels": ["bug"]}
        )
        assert status == 403  # ...but labelling needs issues: write


async def test_only_peoples_changes_start_workflow_runs() -> None:
    async with Sandbox(SEED) as sb, aiohttp.ClientSession() as http:
        token = sb.workflow_token("acme/web")
        status, issue = await sb.user("alice").post("/repos/acme/web/issues", json={"title": "down"})
        assert status == 201
        await call(http, sb, "POST", "/repos/acme/web/issues/1/comments", token, {"body": "on it"})
        runs = [(e.event, e.action, e.triggers_runs) for e in sb.workflow_events]
        assert runs == [("issues", "opened", True), ("issue_comment", "created", False)]
        # A workflow's payload is the webhook's, without the app's installation.
        assert "installation" not in sb.workflow_events[0].payload
        assert sb.workflow_events[0].payload["issue"]["number"] == issue["number"]
        assert sb.deliveries == []  # the app is not installed: no webhook to it


async def test_graphql_viewer_names_whoever_the_token_is() -> None:
    async with Sandbox(SEED) as sb, aiohttp.ClientSession() as http:
        query = {"query": "query { viewer { login } }"}
        status, body, _ = await call(http, sb, "POST", "/graphql", sb.workflow_token("acme/web"), query)
        assert (status, body) == (200, {"data": {"viewer": {"login": "github-actions[bot]"}}})
        status, body, _ = await call(http, sb, "POST", "/graphql", "user:alice", query)
        assert body == {"data": {"viewer": {"login": "alice"}}}
        status, body, _ = await call(http, sb, "POST", "/graphql", None, query)
        assert status == 401
        other = {"query": '{ repository(owner: "acme", name: "web") { id } }'}
        status, body, _ = await call(http, sb, "POST", "/graphql", "user:alice", other)
        assert status == 200 and "errors" in body
