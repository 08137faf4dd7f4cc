"""What an incident costs in API calls: no write twice, repeated reads conditional."""

from __future__ import annotations

from tests.harness import app_requests, comment, open_issue, world

REPO = "acme/web"


async def test_a_followup_edits_the_summary_once() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", labels=["incident"])
        before = len(w.sandbox.requests)
        await comment(w, "alice", number, "/followup Alert on checkout errors")
        after = [r for r in w.sandbox.requests[before:] if r in app_requests(w)]
        edits = [r for r in after if r.method == "PATCH" and "/issues/comments/" in r.path]
        assert len(edits) == 1, [f"{r.method} {r.path}" for r in after]


async def test_a_second_delivery_for_the_same_incident_rereads_conditionally() -> None:
    async with world() as w:
        number = await open_issue(w, "alice", title="Checkout down", labels=["incident"])
        await comment(w, "alice", number, "/update Rolled back.")
        before = len(w.sandbox.requests)
        await comment(w, "alice", number, "/update Errors gone.")
        reads = [r for r in w.sandbox.requests[before:] if r.method == "GET" and r in app_requests(w)]
        # Nothing labelled or assigned since the last look: the events list is answered 304.
        assert any(r.status == 304 and r.path.endswith("/events") for r in reads), [
            (r.path, r.status) for r in reads
        ]
