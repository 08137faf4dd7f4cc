"""What the page lists, decided without HTTP: security incidents never, however they are marked."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core.incident import Incident
from app.web.statuspage.model import build_page
from app.web.statuspage.render import html_page, json_page
from app.workflow.loader import default_workflow
from tests.common import T0

WORKFLOW = default_workflow()
TICKED = "### What is broken?\n\nLogins\n\n### Security\n\n- [X] This is a security incident\n"


def incident(number: int, title: str, *labels: str, body: str = "", state: str = "open") -> Incident:
    issue: dict[str, Any] = {
        "number": number,
        "title": title,
        "body": body,
        "state": state,
        "user": {"login": "alice"},
        "labels": [{"name": name} for name in labels],
        "created_at": "2026-11-02T08:00:00Z",
        "html_url": f"https://github.com/acme/web/issues/{number}",
    }
    return Incident.from_github(issue, [], [], bot_login="incident-bot[bot]")


def test_security_by_label_or_by_ticked_form_is_left_out() -> None:
    incidents = [
        incident(1, "Checkout down", "incident", "severity: 2"),
        incident(2, "Leaked token", "incident", "security"),
        # Search results lag: a form-declared security incident not yet labelled.
        incident(3, "Odd logins", "incident", body=TICKED),
        incident(4, "Not an incident"),
        incident(5, "Over", "incident", state="closed"),
    ]
    page = build_page("acme/web", incidents, WORKFLOW, T0)
    assert [e.number for e in page.incidents] == [1]
    for text in (html_page(page), str(json_page(page))):
        assert "Leaked token" not in text and "Odd logins" not in text


def test_order_severity_then_age_and_no_severity_last() -> None:
    incidents = [
        incident(1, "Minor", "incident", "severity: 3"),
        incident(2, "Unset", "incident"),
        incident(3, "Critical", "incident", "severity: 1"),
    ]
    page = build_page("acme/web", incidents, WORKFLOW, T0)
    assert [e.number for e in page.incidents] == [3, 1, 2]
    assert page.incidents[0].since_declared == dt.timedelta(hours=1)
    assert "Not set" in html_page(page)
