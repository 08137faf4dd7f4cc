"""Which notifications are due: decided purely from the incident and its ledger."""

from __future__ import annotations

from dataclasses import replace

from app.core import ledger as codec
from app.core.actions import Action, Notify
from app.core.ledger import Ledger, Notified, Recorded
from app.core.notifications import NotifyContext, claimed
from app.core.rules import CommentCreated, Labeled, Opened, Sweep
from app.workflow.model import NotificationPolicy
from tests.rules.factories import MINUTE, T0, FakeIssue, context, default_workflow, run

ALL = NotifyContext(frozenset({"page", "chat", "webhook"}), "me")
WF = default_workflow(notifications=NotificationPolicy(page=("1",)))


def notices(actions: list[Action]) -> list[Notify]:
    return [a for a in actions if isinstance(a, Notify)]


def declared(labels: list[str], ctx: NotifyContext = ALL) -> tuple[FakeIssue, list[Notify]]:
    issue = FakeIssue(labels=labels)
    return issue, notices(run(issue, Opened("alice"), WF, context(notify=ctx)))


def act(issue: FakeIssue, body: str, author: str = "alice") -> list[Notify]:
    """A person comments with write access; the notifications the pass records."""
    comment_id = issue.comment(body, author)
    trigger = CommentCreated(comment_id=comment_id, author=author, body=body, role_name="write")
    return notices(run(issue, trigger, WF, context(issue.now, notify=ALL)))


def test_declaring_a_paging_severity_triggers_and_repeating_it_sends_nothing() -> None:
    issue, sent = declared(["incident", "severity: 1"])
    (notice,) = sent
    assert (notice.event, notice.seq, notice.page, notice.chat, notice.webhook) == (
        "declared",
        1,
        "trigger",
        True,
        True,
    )
    assert notice.page_severity == "critical" and notice.url == "https://github.com/acme/web/issues/7"
    assert notice.event_id == "acme/web#7/1"
    assert notices(run(issue, Opened("alice"), WF, context(notify=ALL))) == []  # redelivered
    assert notices(run(issue, Sweep(), WF, context(notify=ALL))) == []  # the sweep


def test_no_channel_configured_records_nothing() -> None:
    issue, sent = declared(["incident", "severity: 1"], NotifyContext())
    assert sent == []
    assert issue.incident().ledger.notified is None


def test_a_severity_raised_into_the_paging_list_triggers_then_ack_and_resolve_follow() -> None:
    issue, sent = declared(["incident", "severity: 2"])
    assert [(n.event, n.page) for n in sent] == [("declared", None)]
    issue.now += MINUTE
    assert [(n.event, n.page) for n in act(issue, "/severity 1")] == [("severity_changed", "trigger")]
    lead = issue.incident().lead
    assert lead is not None
    assert [(n.event, n.page) for n in act(issue, "/ack", author=lead)] == [("acknowledged", "acknowledge")]
    for status in ("stabilized", "under investigation"):
        act(issue, f"/status {status}")
    resolved = act(issue, "/status resolved")
    assert [(n.event, n.page) for n in resolved] == [
        ("status_changed", None),
        ("resolved", "resolve"),
        ("retrospective", None),
    ]
    assert [n.seq for n in resolved] == [6, 7, 8]
    assert resolved[1].change["to_resolve_seconds"] == 60  # declared at T0, all else a minute on


def test_an_incident_from_before_notifications_starts_from_its_state_and_sends_nothing_for_it() -> None:
    issue, _ = declared(["incident", "severity: 1"], NotifyContext())  # recorded, nothing tracked
    issue.now += 10 * MINUTE
    assert notices(run(issue, Sweep(), WF, context(issue.now, notify=ALL))) == []
    start = issue.incident().ledger.notified
    assert start is not None and start.severity == "1" and start.count == 0 and start.page == ""
    # From there on, changes are news (no page: it never paged, so it does not resolve one).
    assert [(n.event, n.page) for n in act(issue, "/severity 2")] == [("severity_changed", None)]


def test_the_chat_list_and_the_webhook_list_choose_the_events() -> None:
    workflow = replace(WF, notifications=NotificationPolicy(page=(), chat=("resolved",), webhook=()))
    issue = FakeIssue(labels=["incident", "severity: 1"])
    assert notices(run(issue, Opened("alice"), workflow, context(notify=ALL))) == []
    assert issue.incident().ledger.notified is not None  # the state still moves on


def test_only_the_recording_process_may_send_what_it_recorded() -> None:
    record = Notified(count=2, recorded=(Recorded(1, "declared", "a"), Recorded(2, "acknowledged", "b")))
    ledger = Ledger(notified=record)
    assert claimed(ledger, "a") == {1} and claimed(ledger, "b") == {2} and claimed(Ledger(), "a") == set()


def test_the_ledger_keeps_the_record_and_reads_old_and_damaged_ones() -> None:
    record = Notified(
        severity="1",
        status="stabilized",
        lead="bob",
        acknowledged=True,
        escalated_at=T0,
        page="acknowledged",
        count=5,
        recorded=(Recorded(5, "acknowledged", "x"),),
    )
    ledger = Ledger(declared_by="alice", notified=record)
    assert codec.decode(codec.encode(ledger)) == ledger
    old = codec.encode(Ledger(declared_by="alice"))  # written before notifications: no "ntf"
    assert '"ntf"' not in old and codec.decode(old).notified is None
    damaged = codec.encode(ledger).replace('"n":5', '"n":"five"')
    assert codec.decode(damaged) == Ledger(declared_by="alice")  # the rest of the history stays


def test_a_security_incident_notice_carries_no_words_of_the_issue() -> None:
    issue = FakeIssue(title="Leak of SECRET-42", body="SECRET-42 everywhere", labels=["incident", "security"])
    (notice,) = notices(run(issue, Labeled("security", "alice"), WF, context(notify=ALL)))
    assert notice.security and notice.title == notice.text == "Security incident #7 in acme/web"
    assert notice.severity is None and notice.status is None and notice.lead is None and notice.change == {}
    assert "SECRET" not in repr(notice)
