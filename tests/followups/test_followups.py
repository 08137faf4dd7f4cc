"""Follow-ups through the sandbox: opened, linked, listed, ticked; picked up when made by hand."""

from __future__ import annotations

from tests.followups.helpers import REPO, declare, investigate, set_state, sub_issue_numbers, summary
from tests.harness import assert_requests_conform, comment, labels, open_issue, world


async def test_a_severity_1_followup_is_critical_linked_and_listed_at_once() -> None:
    async with world() as w:
        number = await declare(w, severity="1")
        await comment(w, "alice", number, "/followup Add a cache stampede guard")
        (followup,) = sub_issue_numbers(w, number)
        assert labels(w, REPO, followup) == {"follow-up", "critical"}
        issue = w.sandbox.issue(REPO, followup)
        assert issue["title"] == "Add a cache stampede guard"
        assert issue["parent_issue_url"].endswith(f"/repos/{REPO}/issues/{number}")
        assert f"incident #{number}" in issue["body"] and "**Why:**" in issue["body"]
        # Listed right away, not on the next event: the bot looked again after opening it.
        assert f"- [ ] #{followup} Add a cache stampede guard · `critical` (open)" in summary(w, number)
        assert_requests_conform(w)


async def test_critical_when_asked_even_for_severity_3() -> None:
    async with world() as w:
        number = await declare(w, severity="3")
        await comment(w, "carol", number, "/followup critical Add an alert")
        await comment(w, "carol", number, "/followup Write the runbook")
        critical, plain = sub_issue_numbers(w, number)
        assert labels(w, REPO, critical) == {"follow-up", "critical"}
        assert labels(w, REPO, plain) == {"follow-up"}


async def test_closing_a_followup_ticks_it_and_reopening_unticks_it() -> None:
    async with world() as w:
        number = await declare(w)
        await comment(w, "alice", number, "/followup Fix the cache")
        (followup,) = sub_issue_numbers(w, number)
        await set_state(w, "bob", followup, "closed")
        assert f"- [x] #{followup} Fix the cache · `critical` (closed)" in summary(w, number)
        await set_state(w, "bob", followup, "open")
        assert f"- [ ] #{followup} Fix the cache · `critical` (open)" in summary(w, number)


async def test_a_sub_issue_linked_by_hand_is_listed_and_unlisted() -> None:
    async with world() as w:
        number = await declare(w)
        other = await open_issue(w, "carol", title="Audit the retry settings")
        issue_id = w.sandbox.issue(REPO, other)["id"]
        status, _ = await w.user("carol").post(
            f"/repos/{REPO}/issues/{number}/sub_issues", json={"sub_issue_id": issue_id}
        )
        assert status == 201
        await w.settle()
        assert f"#{other} Audit the retry settings (open)" in summary(w, number)
        status, _ = await w.user("carol").delete(
            f"/repos/{REPO}/issues/{number}/sub_issue", json={"sub_issue_id": issue_id}
        )
        assert status == 200
        await w.settle()
        assert f"#{other}" not in summary(w, number)


async def test_a_followup_made_by_hand_that_names_the_incident_is_linked() -> None:
    async with world() as w:
        number = await declare(w)
        other = await open_issue(
            w, "carol", title="Add a canary", body=f"Came out of #{number}.", labels=["follow-up"]
        )
        assert sub_issue_numbers(w, number) == [other]
        assert f"#{other} Add a canary (open)" in summary(w, number)


async def test_an_issue_that_only_mentions_the_incident_is_left_alone() -> None:
    async with world() as w:
        number = await declare(w)
        await open_issue(w, "carol", title="Question", body=f"Is this related to #{number}?")
        assert sub_issue_numbers(w, number) == []


async def test_a_discussion_followup_is_opened_on_resolve_when_the_workflow_asks() -> None:
    async with world() as w:
        w.sandbox.add_file(REPO, ".github/incidents.yml", "followups:\n  discussion_on_resolve: true\n")
        number = await declare(w, severity="3")
        await investigate(w, number)
        await comment(w, "alice", number, "/resolve")
        (discussion,) = sub_issue_numbers(w, number)
        issue = w.sandbox.issue(REPO, discussion)
        assert issue["title"] == f"Discussion: preventing a repeat of incident #{number}"
        assert f"#{discussion}" in summary(w, number)


async def test_a_followup_in_the_same_comment_as_an_update_keeps_the_update() -> None:
    async with world() as w:
        number = await declare(w)
        await comment(w, "alice", number, "/update Rolled back the deploy\n/followup Add an alert")
        (followup,) = sub_issue_numbers(w, number)
        text = summary(w, number)
        assert "Rolled back the deploy" in text and f"#{followup} Add an alert" in text
