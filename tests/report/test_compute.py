"""The report's arithmetic and output, without HTTP: incidents built from GitHub JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.cli.report import compute, median, render_json, render_text
from app.core.incident import Incident
from app.core.ledger import Ack, Ledger
from app.workflow.loader import default_workflow
from tests.common import T0

SINCE = dt.date(2026, 10, 1)
WORKFLOW = default_workflow()
PENDING, STABILIZED, RESOLVED = "status: stabilization pending", "status: stabilized", "status: resolved"


def labeled(label: str, minutes: float, actor: str = "alice") -> dict[str, Any]:
    at = T0 + dt.timedelta(minutes=minutes)
    return {
        "event": "labeled",
        "actor": {"login": actor},
        "label": {"name": label},
        "created_at": at.isoformat().replace("+00:00", "Z"),
    }


def incident(
    number: int,
    severity: str | None,
    lead: str | None,
    *,
    ack: float | None = None,
    stabilized: float | None = None,
    resolved: float | None = None,
    labels: tuple[str, ...] = ("incident",),
) -> Incident:
    """Declared at T0 by alice; the stages reached after so many minutes."""
    current = [*labels, PENDING] + ([f"severity: {severity}"] if severity else [])
    events = [labeled(name, 0) for name in current]
    for label, minutes in ((STABILIZED, stabilized), (RESOLVED, resolved)):
        if minutes is not None:
            events.append(labeled(label, minutes))
            current.append(label)
    issue = {
        "number": number,
        "title": f"secret title {number}",
        "state": "open",
        "user": {"login": "alice"},
        "labels": [{"name": n} for n in current],
        "assignees": [{"login": lead}] if lead else [],
        "created_at": "2026-11-02T09:00:00Z",
        "html_url": f"https://github.com/acme/web/issues/{number}",
    }
    found = Incident.from_github(issue, [], events, bot_login="incident-bot[bot]")
    acks = (Ack(lead or "alice", T0 + dt.timedelta(minutes=ack), 1),) if ack is not None else ()
    return found.with_ledger(Ledger(declared_by="alice", declared_at=T0, acks=acks))


INCIDENTS = [
    incident(1, "1", "alice", ack=10, stabilized=30, resolved=120),
    incident(2, "1", "bob", ack=20, stabilized=90),
    incident(3, "1", "alice", ack=60),
    incident(4, "3", "bob"),
    incident(5, None, None, ack=5),
    incident(6, "2", "carol", labels=()),  # the incident label was removed: not an incident any more
]


def test_median_of_odd_even_and_nothing() -> None:
    minutes = [dt.timedelta(minutes=m) for m in (30, 10, 20)]
    assert median(minutes) == dt.timedelta(minutes=20)
    assert median(minutes[:2]) == dt.timedelta(minutes=20)
    assert median([]) is None


def test_counts_medians_and_leads() -> None:
    report = compute(INCIDENTS, WORKFLOW, "acme/web", SINCE)
    by_name = {row.label: row for row in report.rows}
    assert [row.label for row in report.rows] == ["1 Critical", "3 Minor", "no severity"]
    critical = by_name["1 Critical"]
    assert critical.count == 3
    assert critical.medians == {
        "acknowledge": dt.timedelta(minutes=20),
        "stabilize": dt.timedelta(minutes=60),  # of 30 and 90; the third never stabilized
        "resolve": dt.timedelta(minutes=120),  # resolved counts as stabilized too, not the reverse
    }
    assert by_name["3 Minor"].medians == {"acknowledge": None, "stabilize": None, "resolve": None}
    assert report.total.count == 5
    assert report.total.medians["acknowledge"] == dt.timedelta(minutes=15)  # of 5, 10, 20, 60
    assert report.leads == (("alice", 2), ("bob", 2), ("(no lead)", 1))


def test_text_is_an_aligned_table_and_never_shows_titles() -> None:
    text = render_text(compute(INCIDENTS, WORKFLOW, "acme/web", SINCE))
    assert text == (
        "Incidents in acme/web created since 2026-10-01: 5\n"
        "\n"
        "severity     incidents  to acknowledge  to stabilize  to resolve\n"
        "-----------  ---------  --------------  ------------  ----------\n"
        "1 Critical           3             20m        1h 00m      2h 00m\n"
        "3 Minor              1               —             —           —\n"
        "no severity          1              5m             —           —\n"
        "all                  5             15m        1h 00m      2h 00m\n"
        "\n"
        "Times are medians from the declaration, over the incidents that got that far.\n"
        "\n"
        "lead       incidents led\n"
        "---------  -------------\n"
        "alice                  2\n"
        "bob                    2\n"
        "(no lead)              1\n"
    )
    assert "secret title" not in text


def test_json_shape() -> None:
    data = render_json(compute(INCIDENTS, WORKFLOW, "acme/web", SINCE))
    assert data["repository"] == "acme/web" and data["since"] == "2026-10-01"
    assert data["by_severity"][0] == {
        "severity": {"key": "1", "name": "Critical"},
        "incidents": 3,
        "median_seconds": {"acknowledge": 1200, "stabilize": 3600, "resolve": 7200},
    }
    assert data["by_severity"][2]["severity"] is None
    assert data["all"]["incidents"] == 5
    assert data["leads"][0] == {"login": "alice", "incidents": 2}


def test_no_incidents_is_one_line() -> None:
    assert render_text(compute([], WORKFLOW, "acme/web", SINCE)) == (
        "Incidents in acme/web created since 2026-10-01: 0\n"
    )
