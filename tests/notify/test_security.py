"""A security incident sends only "Security incident #N in OWNER/REPO" and the link, on every
channel, for every event: no title, no body, no update, no names, no state."""

from __future__ import annotations

from tests.harness import comment, open_issue, world
from tests.notify.receivers import FAST_SENDS, receivers
from tests.people.helpers import REPO, configure, sweep_after

MARK = "ZEBRA-7731-EMBARGOED"  # in the title, body, update and follow-up only
FORM_SECURITY = f"""### What is broken?

Customer tokens {MARK} were exposed in logs.

### Severity

1 - Critical: all users

### Security

- [X] This is a security incident (do not write details here)
"""


async def test_a_security_incident_leaks_nothing_to_any_channel() -> None:
    async with receivers() as r, world(notify=r.settings(), notify_policy=FAST_SENDS) as w:
        configure(w, "lead:\n  escalation: [dave]\n")
        by_label = await open_issue(
            w,
            "alice",
            title=f"Leak {MARK}",
            body=f"Details: {MARK}",
            labels=["incident", "security", "severity: 1"],
        )
        # The form's box alone (no label yet when the issue opens) is enough.
        by_form = await open_issue(
            w, "alice", title=f"Tokens {MARK}", body=FORM_SECURITY, labels=["incident"]
        )
        for number in (by_label, by_form):
            await comment(w, "alice", number, f"/update rotated the {MARK} keys")
            await comment(w, "alice", number, "/lead @bob")
        await sweep_after(w, minutes=20)  # bob never acknowledged: escalated to dave
        for number in (by_label, by_form):
            await comment(w, "bob", number, "/ack")
            await comment(w, "bob", number, "/severity 2")
            await comment(w, "bob", number, "/status stabilized")

        sent = r.everything()
        assert MARK not in sent
        for word in ("Leak", "Tokens", "Details", "@bob", "bob", "alice", "dave", "Critical", "Stabilized"):
            assert word not in sent, word
        names = {f"Security incident #{n} in {REPO}" for n in (by_label, by_form)}
        urls = {w.sandbox.issue(REPO, n)["html_url"] for n in (by_label, by_form)}

        texts = [m.body["text"] for m in r.accepted["slack"]]
        assert texts and {t.split("\n")[0] for t in texts} == names
        assert {t.split("\n")[1] for t in texts} == urls

        events = {m.body["event"] for m in r.accepted["webhook"]}
        assert {"declared", "lead_changed", "escalated", "acknowledged", "severity_changed"} <= events
        for m in r.accepted["webhook"]:
            assert set(m.body["incident"]) == {"repository", "number", "url", "title", "security"}
            assert m.body["incident"]["security"] is True and m.body["change"] == {}
            assert m.body["incident"]["title"] == m.body["text"] and m.body["text"] in names

        actions = [b.body["event_action"] for b in r.accepted["pagerduty"]]
        assert actions.count("trigger") >= 2 and "acknowledge" in actions  # still paged
        for b in r.accepted["pagerduty"]:
            payload = b.body.get("payload")
            if payload is not None:
                assert payload["summary"] in names and "custom_details" not in payload
                assert [link["text"] for link in b.body["links"]] == [payload["summary"]]
        assert not any(r.refused.values())
