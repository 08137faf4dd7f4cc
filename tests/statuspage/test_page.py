"""The status page through the sandbox: who gets one, what it lists, what it never shows."""

from __future__ import annotations

import json

from app.web.statuspage import NOT_FOUND
from tests.harness import app_requests, comment, open_issue
from tests.statuspage.helpers import ENABLED, REPO, SECRET_MARKER, fetch, status_world

SECURITY_BODY = f"Credentials {SECRET_MARKER} were exposed."


async def test_no_page_unless_enabled_and_the_same_answer_whatever_the_reason() -> None:
    async with status_world(enabled=False) as w:
        await open_issue(w, "alice", title="Checkout down", labels=["incident"])
        w.sandbox.add_file("acme/uninstalled", ".github/incidents.yml", ENABLED)
        answers = {
            path: await fetch(w, path)
            for path in (
                "/status/acme/web",  # installed, public, not enabled
                "/status/acme/private",  # installed, private, not enabled
                "/status/acme/uninstalled",  # enabled, but the app is not installed
                "/status/acme/no-such-repo",
                "/status/-acme-/web",  # not an owner name: never sent to GitHub
            )
        }
        assert {status for status, _ in answers.values()} == {404}
        # Same bytes for each: the page never tells whether a private repository exists.
        assert len({text for _, text in answers.values()}) == 1, answers
        assert NOT_FOUND in answers["/status/acme/web"][1]
        assert "Checkout down" not in answers["/status/acme/web"][1]
        status, text = await fetch(w, "/status/acme/private?format=json")
        assert (status, json.loads(text)) == (404, {"message": NOT_FOUND})


async def test_enabled_page_lists_active_incidents_most_severe_first() -> None:
    async with status_world() as w:
        minor = await open_issue(w, "alice", title="Slow search", labels=["incident", "severity: 3"])
        w.clock.advance(minutes=30)
        major = await open_issue(w, "bob", title="Checkout down", labels=["incident", "severity: 1"])
        await comment(w, "bob", major, "/update Rolled back the deploy; error rate falling")
        await open_issue(w, "carol", title="Typo on the about page")  # not an incident
        # Under investigation may move to resolved, so closing it sticks.
        closed = await open_issue(
            w, "alice", title="Old outage", labels=["incident", "status: under investigation"]
        )
        await w.user("alice").patch(f"/repos/{REPO}/issues/{closed}", json={"state": "closed"})
        await w.settle()
        assert w.sandbox.issue(REPO, closed)["state"] == "closed"
        w.clock.advance(minutes=90)

        status, page = await fetch(w, "/status/acme/web")
        assert status == 200
        assert page.index("Checkout down") < page.index("Slow search")
        assert "Typo on the about page" not in page
        active, history = page.split("Resolved in the last 90 days")
        assert "Old outage" not in active and "Old outage" in history  # resolved: history only
        assert "Rolled back the deploy; error rate falling" in page
        assert "1h 30m ago" in page and "2h 00m ago" in page  # time since declared
        assert "Last refreshed" in page and "2 active incidents" in page

        status, text = await fetch(w, "/status/acme/web?format=json")
        data = json.loads(text)
        assert status == 200 and data["repository"] == REPO
        assert [i["number"] for i in data["incidents"]] == [major, minor]
        first = data["incidents"][0]
        assert set(first) == {
            "number",
            "title",
            "url",
            "severity",
            "status",
            "resolved",
            "declared_at",
            "since_declared_seconds",
            "since_declared",
            "last_update",
        }
        assert first["severity"] == {"key": "1", "name": "Critical"}
        assert first["status"] == "Stabilization pending" and first["resolved"] is False
        assert first["since_declared_seconds"] == 90 * 60
        assert first["last_update"]["text"] == "Rolled back the deploy; error rate falling"
        assert data["incidents"][1]["last_update"] is None


async def test_a_security_incident_never_appears() -> None:
    async with status_world() as w:
        await open_issue(w, "alice", title="Checkout down", labels=["incident"])
        by_label = await open_issue(
            w, "alice", title=f"Leak {SECRET_MARKER}", body=SECURITY_BODY, labels=["incident", "security"]
        )
        await comment(w, "alice", by_label, f"/update rotated {SECRET_MARKER} keys")
        # Labelled security only later: the page must drop it from then on.
        later = await open_issue(w, "bob", title=f"Odd logins {SECRET_MARKER}", labels=["incident"])
        await w.user("bob").post(f"/repos/{REPO}/issues/{later}/labels", json={"labels": ["security"]})
        await w.settle()

        for path in ("/status/acme/web", "/status/acme/web?format=json"):
            status, text = await fetch(w, path)
            assert status == 200
            assert "Checkout down" in text
            assert SECRET_MARKER not in text, path
            assert f"#{by_label}" not in text and f"/issues/{later}" not in text
        assert "1 active incident." in (await fetch(w, "/status/acme/web"))[1]  # not even counted


async def test_titles_and_updates_are_escaped() -> None:
    async with status_world() as w:
        number = await open_issue(
            w, "alice", title='Down <script>alert("t")</script> & out', labels=["incident"]
        )
        await comment(w, "alice", number, "/update <img src=x onerror=alert(1)> fixed")
        _, page = await fetch(w, "/status/acme/web")
        assert "<script>" not in page and "<img" not in page
        assert "Down &lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt; &amp; out" in page
        assert "&lt;img src=x onerror=alert(1)&gt; fixed" in page
        _, text = await fetch(w, "/status/acme/web?format=json")
        assert json.loads(text)["incidents"][0]["title"] == 'Down <script>alert("t")</script> & out'


async def test_a_busy_page_costs_github_one_read_per_ttl() -> None:
    async with status_world() as w:
        await open_issue(w, "alice", title="Checkout down", labels=["incident"])
        before = len(app_requests(w))
        first = await fetch(w, "/status/acme/web")
        spent = len(app_requests(w)) - before
        assert first[0] == 200 and spent > 0
        for _ in range(5):
            assert await fetch(w, "/status/acme/web") == first
        await fetch(w, "/status/acme/web?format=json")  # the other format shares the read
        assert len(app_requests(w)) - before == spent


async def test_no_incidents_says_so() -> None:
    async with status_world() as w:
        status, page = await fetch(w, "/status/acme/web")
        assert status == 200 and "No active incidents." in page
        assert json.loads((await fetch(w, "/status/acme/web?format=json"))[1])["incidents"] == []


async def test_github_failing_is_a_503_that_is_not_cached() -> None:
    async with status_world() as w:
        await open_issue(w, "alice", title="Checkout down", labels=["incident"])
        w.sandbox.faults.add(path="/search/issues", status=502, times=None)
        status, text = await fetch(w, "/status/acme/web?format=json")
        assert (status, json.loads(text)) == (
            503,
            {"message": "GitHub could not be read just now: try again in a minute."},
        )
        assert (await fetch(w, "/status/acme/web"))[0] == 503
        w.sandbox.faults.rules.clear()
        status, page = await fetch(w, "/status/acme/web")
        assert status == 200 and "Checkout down" in page
