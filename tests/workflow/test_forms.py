"""Issue-form bodies as GitHub submits them, and as people edit them afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.workflow.forms import checked_boxes, form_facts, form_headings, parse_form
from app.workflow.loader import load_preset
from app.workflow.model import FormFields

TEMPLATES = Path(__file__).resolve().parents[2] / ".github" / "ISSUE_TEMPLATE"
HEADINGS = form_headings(FormFields())

SUBMITTED = """### Security

- [ ] This is a security incident — do not write details here

### What is broken?

Search returns 500 for every query since 14:05 UTC.

### Who and how many are affected?

Everyone using search, ~300 errors a minute.

### Will it get worse if nobody acts?

_No response_

### Which downstream dependencies are affected?

The WordPress integration.

### Severity

1 - Critical: all users, all functionality

### Status

Stabilization pending - still disrupting service

### Links

https://grafana.example.com/d/search"""


def test_parses_a_submitted_incident_form() -> None:
    answers = parse_form(SUBMITTED, HEADINGS)
    assert answers["What is broken?"] == "Search returns 500 for every query since 14:05 UTC."
    assert answers["Will it get worse if nobody acts?"] is None
    assert answers["Severity"] == "1 - Critical: all users, all functionality"
    assert answers["Links"] == "https://grafana.example.com/d/search"
    assert "Steps to reproduce" not in answers  # missing sections are missing


def test_form_facts_of_a_submitted_form() -> None:
    wf = load_preset("default")
    facts = form_facts(SUBMITTED, wf)
    assert facts.severity is wf.severity_by_key("1")
    assert facts.status is wf.status_by_key("stabilization-pending")
    assert facts.security is False
    assert facts.production is False


def test_crlf_extra_blank_lines_and_trailing_spaces() -> None:
    body = (
        "### Severity   \r\n\r\n\r\n2 - Major: many users   \r\n\r\n\r\n"
        "### Security\r\n\r\n- [x] This is a security incident  \r\n"
    )
    answers = parse_form(body, HEADINGS)
    assert answers == {"Severity": "2 - Major: many users", "Security": "- [x] This is a security incident"}
    facts = form_facts(body, load_preset("default"))
    assert facts.security is True
    assert facts.severity is not None and facts.severity.key == "2"


def test_reordered_and_missing_sections() -> None:
    body = "### Links\n\nnone\n\n### Severity\n\n3 - Minor\n\n### What is broken?\n\nthe logo"
    answers = parse_form(body, HEADINGS)
    assert answers == {"Links": "none", "Severity": "3 - Minor", "What is broken?": "the logo"}


def test_users_own_headings_stay_in_the_value() -> None:
    body = (
        "### What is broken?\n\nThe export.\n\n### Details\n\nIt fails at step 3.\n"
        "```\n### Severity\n```\n\n### Severity\n\n2"
    )
    answers = parse_form(body, HEADINGS)
    assert answers["What is broken?"] == (
        "The export.\n\n### Details\n\nIt fails at step 3.\n```\n### Severity\n```"
    )
    assert answers["Severity"] == "2"


def test_a_repeated_heading_is_text_not_a_new_section() -> None:
    body = "### Links\n\na\n\n### Links\n\nb"
    assert parse_form(body, HEADINGS) == {"Links": "a\n\n### Links\n\nb"}


def test_heading_matching_forgives_case_spacing_and_colon() -> None:
    body = "###   severity:\n\nSev 2\n"
    assert parse_form(body, HEADINGS) == {"Severity": "Sev 2"}


def test_no_response_and_empty_body() -> None:
    assert parse_form("### Severity\n\n_No response_\n", HEADINGS) == {"Severity": None}
    assert parse_form("", HEADINGS) == {}
    assert parse_form(None, HEADINGS) == {}
    facts = form_facts(None, load_preset("default"))
    assert facts.severity is None and facts.status is None and not facts.security


def test_checkboxes_any_case_and_multi_select() -> None:
    value = "- [X] one\n- [ ] two\n* [x] three\n- [ ]four"
    assert checked_boxes(value) == ["one", "three"]
    body = "### Steps to reproduce\n\nWindows, macOS\n"
    assert parse_form(body, HEADINGS) == {"Steps to reproduce": "Windows, macOS"}


@pytest.mark.parametrize(
    ("answer", "key"),
    [
        ("1", "1"),
        ("1 - Critical: all users, all functionality", "1"),
        ("Sev 1", "1"),
        ("Critical", "1"),
        ("critical: all users", "1"),
        ("Severity 2 (major)", "2"),
        ("3 – Minor", "3"),
        ("severity: 3", "3"),
    ],
)
def test_severity_answers(answer: str, key: str) -> None:
    wf = load_preset("default")
    facts = form_facts(f"### Severity\n\n{answer}\n", wf)
    assert facts.severity is wf.severity_by_key(key)


def test_unknown_severity_is_none() -> None:
    wf = load_preset("default")
    assert form_facts("### Severity\n\nApocalyptic\n", wf).severity is None
    # a one-level workflow does not know "2"
    assert form_facts("### Severity\n\n2 - Major\n", load_preset("wellcome")).severity is None


def test_status_answers() -> None:
    wf = load_preset("default")
    body = "### Status\n\nStabilized - no longer disrupting service\n"
    assert form_facts(body, wf).status is wf.status_by_key("stabilized")
    assert form_facts("### Status\n\nStabilised\n", wf).status is wf.status_by_key("stabilized")


def test_bug_report_production_box() -> None:
    wf = load_preset("default")
    body = (
        "### What is broken?\n\nCheckout fails.\n\n### Steps to reproduce\n\n1. Pay\n\n"
        "### What did you expect?\n\nA receipt.\n\n### Production impact\n\n"
        "- [X] This is breaking production for users\n\n### Links\n\n_No response_"
    )
    facts = form_facts(body, wf)
    assert facts.production is True and facts.security is False
    unticked = body.replace("- [X]", "- [ ]")
    assert form_facts(unticked, wf).production is False


def _template_labels(name: str) -> list[str]:
    form = yaml.safe_load((TEMPLATES / name).read_text())
    return [item["attributes"]["label"] for item in form["body"] if item["type"] != "markdown"]


def test_incident_template_matches_form_fields() -> None:
    fields = load_preset("default").form
    assert fields == FormFields()  # default.yml spells out the model's defaults
    labels = _template_labels("incident.yml")
    read = [
        fields.security,
        fields.summary,
        fields.affected,
        fields.worse,
        fields.downstream,
        fields.severity,
        fields.status,
        fields.links,
    ]
    assert sorted(labels) == sorted(read)


def test_incident_template_is_a_valid_issue_form() -> None:
    form = yaml.safe_load((TEMPLATES / "incident.yml").read_text())
    assert {"name", "description", "body"} <= set(form)
    assert form["labels"] == ["incident"]
    for item in form["body"]:
        assert item["type"] in {"markdown", "textarea", "input", "dropdown", "checkboxes"}
    ids = [item["id"] for item in form["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    wf = load_preset("default")
    severity = next(i for i in form["body"] if i.get("id") == "severity")
    for option in severity["attributes"]["options"]:
        assert form_facts(f"### Severity\n\n{option}\n", wf).severity is not None
    status = next(i for i in form["body"] if i.get("id") == "status")
    for option in status["attributes"]["options"]:
        assert form_facts(f"### Status\n\n{option}\n", wf).status is not None
    security = next(i for i in form["body"] if i.get("id") == "security")
    ticked = "### Security\n\n- [X] " + security["attributes"]["options"][0]["label"]
    assert form_facts(ticked, wf).security


def test_bug_report_template_headings_are_known() -> None:
    form = yaml.safe_load((TEMPLATES / "bug_report.yml").read_text())
    assert "incident" not in form.get("labels", [])
    labels = _template_labels("bug_report.yml")
    assert set(labels) <= set(HEADINGS)
    assert FormFields().production in labels
    production = next(i for i in form["body"] if i.get("id") == "production")
    assert production["attributes"]["options"][0]["label"] == "This is breaking production for users"
