"""Hostile input, findings 5 and 6: a private repository is never on the public page (and costs
what an unknown one costs), and a security label takes an incident off the page at once."""

from __future__ import annotations

import json
import re

from app.web.statuspage import NOT_FOUND
from tests.harness import app_requests, open_issue
from tests.statuspage.helpers import ENABLED, REPO, SECRET_MARKER, fetch, status_world


def _requests_for(w: object, start: int, repo: str) -> list[str]:
    """The app's GitHub requests since `start`, the repository's name masked."""
    return [
        f"{r.method} {re.sub(re.escape(repo), 'REPO', r.url.split('?')[0])}"
        for r in app_requests(w)[start:]  # type: ignore[arg-type]
    ]


async def test_a_private_repository_is_never_served_even_when_the_organisation_enables_pages() -> None:
    async with status_world(enabled=False) as w:
        # status_page: true only in the organisation's .github repository: every repository of
        # acme inherits it, the private one too.
        w.sandbox.add_file("acme/.github", ".github/incidents.yml", ENABLED)
        await open_issue(w, "alice", "acme/private", title=f"Payroll {SECRET_MARKER}", labels=["incident"])
        await open_issue(w, "alice", title="Checkout down", labels=["incident"])
        public = await fetch(w, "/status/acme/web")
        assert public[0] == 200 and "Checkout down" in public[1]  # the inherited setting works

        unknown = await fetch(w, "/status/acme/no-such-repo")
        for path in ("/status/acme/private", "/status/acme/Private"):
            assert await fetch(w, path) == unknown, path
        assert unknown[0] == 404 and NOT_FOUND in unknown[1]
        status, text = await fetch(w, "/status/acme/private?format=json")
        assert (status, json.loads(text)) == (404, {"message": NOT_FOUND})
        status, text = await fetch(w, "/status/acme/private/feed.atom")
        assert status == 404 and SECRET_MARKER not in text


async def test_off_unknown_and_private_cost_the_same_github_requests() -> None:
    async with status_world(enabled=False) as w:
        w.sandbox.add_file("acme/.github", ".github/incidents.yml", ENABLED)
        w.sandbox.add_file("acme/private", ".github/incidents.yml", "status_page: false\n")
        await open_issue(w, "alice", "acme/private", title=f"Payroll {SECRET_MARKER}", labels=["incident"])
        await fetch(w, "/status/acme/warm-up")  # the account's installation, looked up once
        costs = {}
        for repo in ("private", "no-such-repo", "uninstalled"):
            start = len(app_requests(w))
            status, _ = await fetch(w, f"/status/acme/{repo}")
            assert status == 404
            costs[repo] = _requests_for(w, start, f"acme/{repo}")
        # One read of the repository with the account's installation token, nothing else:
        # private (here also off), not existing, and public-but-not-installed alike.
        assert costs["private"] == ["GET /repos/REPO"], costs
        assert costs["no-such-repo"] == costs["private"] == costs["uninstalled"]


async def test_a_security_label_takes_a_listed_incident_off_the_page_at_once() -> None:
    async with status_world() as w:
        number = await open_issue(w, "alice", title=f"Odd logins {SECRET_MARKER}", labels=["incident"])
        first = await fetch(w, "/status/acme/web")
        assert SECRET_MARKER in first[1]  # listed, and now cached for 30 seconds
        status, _ = await w.user("bob").post(
            f"/repos/{REPO}/issues/{number}/labels", json={"labels": ["security"]}
        )
        assert status == 200
        await w.settle()
        for path in ("/status/acme/web", "/status/acme/web?format=json", "/status/acme/web/feed.atom"):
            status, text = await fetch(w, path)
            assert status == 200 and SECRET_MARKER not in text, path
