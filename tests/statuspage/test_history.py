"""Beyond now: resolved incidents of the last 90 days on the page, and the Atom feed."""

from __future__ import annotations

import json

import feedparser

from app.cli.local import LocalWorld
from app.web.statuspage import PAGES
from tests.harness import comment, open_issue
from tests.statuspage.helpers import REPO, SECRET_MARKER, fetch, status_world


async def resolve(w: LocalWorld, number: int, minutes: int) -> None:
    """Under investigation may move to resolved: closing it resolves it."""
    w.clock.advance(minutes=minutes)
    await w.user("alice").patch(f"/repos/{REPO}/issues/{number}", json={"state": "closed"})
    await w.settle()


def fresh(w: LocalWorld) -> None:
    """Forget the cached answers, as 30 seconds passing would."""
    w.server[PAGES].pages.clear()


async def test_resolved_incidents_of_the_last_90_days_with_severity_and_time_to_resolve() -> None:
    async with status_world() as w:
        old = await open_issue(
            w, "alice", title="Old outage", labels=["incident", "severity: 2", "status: under investigation"]
        )
        await resolve(w, old, minutes=30)
        w.clock.advance(days=91)
        recent = await open_issue(
            w, "alice", title="DNS outage", labels=["incident", "severity: 1", "status: under investigation"]
        )
        await resolve(w, recent, minutes=125)
        secret = await open_issue(
            w,
            "alice",
            title=f"Leak {SECRET_MARKER}",
            labels=["incident", "security", "status: under investigation"],
        )
        await resolve(w, secret, minutes=5)
        active = await open_issue(w, "bob", title="Checkout slow", labels=["incident", "severity: 3"])
        fresh(w)

        status, page = await fetch(w, "/status/acme/web")
        assert status == 200
        assert "Resolved in the last 90 days" in page
        history = page.split("Resolved in the last 90 days")[1]
        assert "DNS outage" in history and "after 2h 05m" in history and "Severity 1 — Critical" in history
        assert "Old outage" not in page  # 91 days ago
        assert SECRET_MARKER not in page and f"#{secret}" not in page
        assert "Checkout slow" not in history

        data = json.loads((await fetch(w, "/status/acme/web?format=json"))[1])
        assert [i["number"] for i in data["incidents"]] == [active]
        (line,) = data["resolved"]
        assert line["number"] == recent and line["severity"] == {"key": "1", "name": "Critical"}
        assert (line["time_to_resolve_seconds"], line["time_to_resolve"]) == (125 * 60, "2h 05m")
        assert SECRET_MARKER not in json.dumps(data)


async def test_the_feed_has_one_entry_per_incident_and_moves_with_each_update() -> None:
    async with status_world() as w:
        done = await open_issue(
            w, "alice", title="DNS outage", labels=["incident", "severity: 1", "status: under investigation"]
        )
        await resolve(w, done, minutes=60)
        hostile = 'Down <script>alert("x")</script> & \x01\x08 out'
        live = await open_issue(w, "bob", title=hostile, labels=["incident", "severity: 2"])
        await open_issue(w, "alice", title=f"Leak {SECRET_MARKER}", labels=["incident", "security"])
        fresh(w)

        status, text = await fetch(w, "/status/acme/web/feed.atom")
        assert status == 200
        feed = feedparser.parse(text)
        assert not feed.bozo, feed.bozo_exception  # well-formed Atom, hostile title and all
        assert feed.version == "atom10"
        assert feed.feed.title == f"Status of {REPO}"
        urls = {w.sandbox.issue(REPO, n)["html_url"]: n for n in (done, live)}
        assert {e.id for e in feed.entries} == set(urls)  # one per incident, none for security
        assert SECRET_MARKER not in text
        entry = next(e for e in feed.entries if urls[e.id] == live)
        assert entry.title.startswith(f'#{live} Down <script>alert("x")</script> & ')
        assert entry.link == w.sandbox.issue(REPO, live)["html_url"]
        before = entry.updated_parsed

        w.clock.advance(minutes=10)
        await comment(w, "bob", live, "/update Failover done; errors falling")
        feed = feedparser.parse((await fetch(w, "/status/acme/web/feed.atom"))[1])
        entry = next(e for e in feed.entries if urls[e.id] == live)
        assert entry.updated_parsed > before  # the /update moved it (its webhook refreshed the page)
        assert "Failover done; errors falling" in entry.summary
        assert len(feed.entries) == 2
        resolved = next(e for e in feed.entries if urls[e.id] == done)
        assert "Resolved" in resolved.title and "after 1h 00m" in resolved.summary


async def test_no_feed_where_there_is_no_page() -> None:
    async with status_world(enabled=False) as w:
        status, _ = await fetch(w, "/status/acme/web/feed.atom")
        assert status == 404
