"""An outsider's report (the incident form filed without triage permission) pages nobody and
stays off the public page until a triager confirms it; confirming it announces it."""

from __future__ import annotations

from tests.harness import comment, world
from tests.notify.receivers import FAST_SENDS, receivers
from tests.people.test_outsider import REPO, file_form
from tests.statuspage.helpers import ENABLED, fetch


async def test_an_unconfirmed_report_sends_nothing_and_is_not_on_the_page_until_confirmed() -> None:
    async with receivers() as r, world(notify=r.settings(), notify_policy=FAST_SENDS) as w:
        w.sandbox.add_file(REPO, ".github/incidents.yml", ENABLED)
        number = await file_form(w, "mallory")  # severity 1 from the form: it would page
        assert not any(r.accepted.values())
        status, page = await fetch(w, f"/status/{REPO}")
        assert status == 200 and "Checkout down" not in page and "No active incidents." in page

        await comment(w, "dave", number, "/incident")  # dave triages: confirmed
        assert [b.body["event_action"] for b in r.accepted["pagerduty"]] == ["trigger"]
        assert [b.body["event"] for b in r.accepted["webhook"]] == ["declared"]
        status, page = await fetch(w, f"/status/{REPO}")
        assert status == 200 and "Checkout down" in page
