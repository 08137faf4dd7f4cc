"""Security incidents: no bot text ever carries the issue's title or body."""

from __future__ import annotations

from app.core.actions import Action
from app.core.rules import Closed, Labeled, Opened, Sweep
from tests.rules.factories import FakeIssue, context, default_workflow, form, run, say, texts

WF = default_workflow()
SECRET_TITLE = "zq-title-7f3a leaked AWS key"
SECRET_BODY = "zq-body-91c2 the key is AKIA..."


def _security_issue(**fields: object) -> FakeIssue:
    return FakeIssue(
        title=SECRET_TITLE,
        body=SECRET_BODY,
        labels=["incident", "security"],
        author="stranger",
        association="NONE",
        **fields,  # type: ignore[arg-type]
    )


def _whole_life(issue: FakeIssue) -> list[Action]:
    everything: list[Action] = []
    everything += run(issue, Opened("stranger"), WF)
    everything += say(issue, "/severity 1\n/ack", author=issue.assignees[0])[1]
    everything += say(issue, "/status stabilized")[1]
    everything += say(issue, "/followup Rotate the credentials")[1]
    everything += say(issue, "/status under investigation\n/update contained")[1]
    issue.set_state("closed", "alice")
    everything += run(issue, Closed("alice"), WF)
    everything += say(issue, "/retro\n/help")[1]
    everything += run(issue, Sweep(), WF)
    return everything


def test_no_action_text_contains_the_title_or_body() -> None:
    issue = _security_issue()
    written = texts(_whole_life(issue))
    assert written  # the bot did write things
    for secret in ("zq-title-7f3a", "zq-body-91c2"):
        assert secret not in written


def test_the_summary_uses_a_neutral_title_and_points_to_a_private_advisory() -> None:
    issue = _security_issue()
    run(issue, Opened("stranger"), WF)
    summary = issue.bot_comments("summary")[0]
    assert "Security incident #7" in summary
    assert "https://github.com/acme/web/security/advisories/new" in summary
    assert "Discuss in a private security advisory" in summary


def test_a_form_that_says_security_makes_it_a_security_incident() -> None:
    issue = FakeIssue(title=SECRET_TITLE, body=SECRET_BODY, labels=["incident"])
    actions = run(issue, Opened("reporter"), WF, context(form=form(security=True)))
    assert "security" in issue.labels
    assert "zq-" not in texts(actions)
    assert "advisories/new" in issue.bot_comments("summary")[0]


def test_labeling_security_later_switches_the_summary() -> None:
    issue = FakeIssue(title=SECRET_TITLE, labels=["incident"])
    run(issue, Opened("reporter"), WF)
    issue.label("security", actor="alice")
    run(issue, Labeled("security", "alice"), WF)
    assert "Security incident #7" in issue.bot_comments("summary")[0]


def test_the_summary_puts_the_private_channel_first() -> None:
    issue = _security_issue()
    run(issue, Opened("stranger"), WF)
    steps = issue.bot_comments("summary")[0].split("#### Next steps")[1].splitlines()
    assert steps[1] == "- [ ] Discuss in a private security advisory"
    assert steps[2] == "- [ ] Roll back first if a recent change caused it"
