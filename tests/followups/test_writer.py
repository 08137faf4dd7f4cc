"""What the writer reports: the follow-ups it opened, so one pass writes the summary once, listing them."""

from __future__ import annotations

from tests.followups.helpers import REPO, declare, sub_issue_numbers, summary
from tests.harness import app_requests, comment, world


async def test_a_followup_pass_edits_the_summary_once_with_the_new_number() -> None:
    async with world() as w:
        number = await declare(w, severity="2")
        summary_id = next(
            c["id"]
            for c in w.sandbox.comments(REPO, number)
            if c["body"].startswith("<!-- incident-bot:summary")
        )
        before = len(app_requests(w))
        await comment(w, "alice", number, "/update rolled back\n/followup Add a cache stampede guard")
        (followup,) = sub_issue_numbers(w, number)
        edits = [
            r
            for r in app_requests(w)[before:]
            if r.method == "PATCH" and r.path == f"/repos/{REPO}/issues/comments/{summary_id}"
        ]
        assert len(edits) == 1  # rendered once, after the writer opened the follow-up
        body = summary(w, number)
        assert f"#{followup} Add a cache stampede guard" in body
        assert "Update: rolled back" in body  # the same pass's ledger, not a second pass's


async def test_the_writer_reports_the_followups_it_opened_as_github_numbered_them() -> None:
    from app.core.actions import OpenFollowup
    from app.core.markers import body, followup
    from app.github.read import load_incident
    from app.github.refs import IssueRef
    from app.github.write import Executor
    from tests.reliability.test_input import INSTALLATION

    async with world() as w:
        number = await declare(w, severity="2")
        gh = w.github.installation(INSTALLATION)
        ref = IssueRef("acme", "web", number)
        incident = await load_incident(gh, ref, await w.services.bot_login())
        kind = followup(4242)
        action = OpenFollowup(kind, "Add a guard", body(kind, "why"), ("follow-up",))
        outcome = await Executor(gh, ref, incident).run([action])
        (opened,) = outcome.opened
        assert opened.number in sub_issue_numbers(w, number)
        assert (opened.title, opened.state) == ("Add a guard", "open")
        assert w.sandbox.issue(REPO, opened.number)["id"] == opened.id
        # Asked again, it sees its own follow-up on GitHub and reports nothing new.
        again = await Executor(gh, ref, await load_incident(gh, ref, await w.services.bot_login())).run(
            [action]
        )
        assert again.opened == [] and sub_issue_numbers(w, number) == [opened.number]
