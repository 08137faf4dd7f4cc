"""The report over a sandbox GitHub: incidents played through the app, then read back."""

from __future__ import annotations

import datetime as dt

import pytest

from app.cli.report import ReportError, gather, render_text
from tests.common import T0
from tests.harness import comment, open_issue, world
from tests.statuspage.helpers import seed


async def test_report_reads_incidents_since_the_date() -> None:
    async with world(seed()) as w:
        await open_issue(w, "carol", title="Before the period", labels=["incident", "severity: 1"])
        w.clock.advance(days=2)
        since = w.clock().date()
        first = await open_issue(w, "alice", title="Checkout down", labels=["incident", "severity: 1"])
        w.clock.advance(minutes=10)
        await comment(w, "alice", first, "/ack")
        w.clock.advance(minutes=20)
        await comment(w, "alice", first, "/status stabilized")
        w.clock.advance(minutes=30)
        await comment(w, "alice", first, "/status under investigation")
        w.clock.advance(minutes=60)
        await comment(w, "alice", first, "/resolve")
        await open_issue(w, "bob", title="Slow search", labels=["incident", "severity: 3"])
        await open_issue(w, "bob", title="Not an incident")

        report = await gather(w.github, "acme", "web", since)

    assert report.total.count == 2
    critical, minor = report.rows
    assert (critical.key, critical.count, minor.key, minor.count) == ("1", 1, "3", 1)
    assert critical.medians == {
        "acknowledge": dt.timedelta(minutes=10),
        "stabilize": dt.timedelta(minutes=30),
        "resolve": dt.timedelta(hours=2),
    }
    assert minor.medians["acknowledge"] is None
    assert report.leads == (("alice", 1), ("bob", 1))  # carol's was before the period
    assert "Checkout down" not in render_text(report)
    assert since > T0.date()


async def test_not_installed_is_one_clear_line() -> None:
    async with world(seed()) as w:
        for repo in ("uninstalled", "no-such-repo"):
            with pytest.raises(ReportError) as error:
                await gather(w.github, "acme", repo, T0.date())
            assert str(error.value) == (
                f"the app is not installed on acme/{repo} (or the repository does not exist): "
                "install it there first"
            )
