"""The shipped presets load, validate, and carry the seeds' rules."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from app.workflow.loader import PRESETS_DIR, load_preset, preset_doc, preset_names

PRESETS = ("default", "openverse", "sourcegraph", "nodejs-release-worker", "wellcome")


def test_all_five_presets_ship() -> None:
    assert set(preset_names()) == set(PRESETS)


@pytest.mark.parametrize("name", PRESETS)
def test_preset_loads(name: str) -> None:
    workflow = load_preset(name)
    assert workflow.name == name
    assert workflow.resolved_status.resolved
    assert workflow.severity_by_key(workflow.default_severity)
    assert workflow.status_by_key(workflow.initial_status)
    for label in workflow.all_labels():
        assert re.fullmatch(r"[0-9a-f]{6}", label.color)
        assert len(label.name) <= 50 and len(label.description) <= 100


@pytest.mark.parametrize("name", PRESETS)
def test_every_status_can_reach_resolved_and_back(name: str) -> None:
    workflow = load_preset(name)
    resolved = workflow.resolved_status.key
    for status in workflow.statuses:
        seen, todo = {status.key}, [status.key]
        while todo:
            for nxt in workflow.transitions.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        assert resolved in seen or status.key == resolved
    assert workflow.transitions[resolved], "a resolved incident can be destabilized"


@pytest.mark.parametrize("name", [n for n in PRESETS if n != "default"])
def test_runbook_presets_cite_their_runbook_for_rules(name: str) -> None:
    """Each rule names the published runbook and section it comes from, not a file outside the repo."""
    text = (PRESETS_DIR / f"{name}.yml").read_text()
    workflow = load_preset(name)
    assert workflow.sources
    for source in workflow.sources:
        assert text.count(f"# {source}, ") + text.count(f"; {source}, ") >= 3, source
    assert not re.search(r"seed 00|[0-9a-f]{16}\.txt|SPEC", text)


def test_presets_are_cached() -> None:
    assert load_preset("openverse") is load_preset("openverse")
    assert preset_doc("default") is preset_doc("default")


def test_default_matches_spec_section_2() -> None:
    wf = load_preset("default")
    names = {label.name for label in wf.all_labels()}
    assert names == {
        "incident",
        "severity: 1",
        "severity: 2",
        "severity: 3",
        "status: stabilization pending",
        "status: stabilized",
        "status: under investigation",
        "status: resolved",
        "critical",
        "follow-up",
        "security",
    }
    assert dict(wf.transitions) == {
        "stabilization-pending": ("stabilized",),
        "stabilized": ("under-investigation", "stabilization-pending"),
        "under-investigation": ("stabilization-pending", "resolved"),
        "resolved": ("stabilization-pending",),
    }
    cadences = {s.key: (s.ack_within, s.update_every) for s in wf.severities}
    minutes = dt.timedelta(minutes=1)
    assert cadences == {
        "1": (15 * minutes, 60 * minutes),
        "2": (30 * minutes, 60 * minutes),
        "3": (4 * 60 * minutes, dt.timedelta(days=1)),
    }
    assert wf.default_severity == "2"
    assert wf.initial_status == wf.reopen_status == "stabilization-pending"
    assert [s.key for s in wf.severities if s.critical_followups] == ["1", "2"]
    assert len(wf.triage_questions) == 3
    assert wf.reporter_thanks


def test_default_names_match_forgivingly() -> None:
    wf = load_preset("default")
    assert wf.severity("Sev 1") is wf.severity("critical") is wf.severity_by_key("1")
    assert wf.status("under investigation") is wf.status_by_key("under-investigation")
    assert wf.status("Stabilised") is wf.status_by_key("stabilized")


def test_openverse_rotation_and_critical_followups() -> None:
    wf = load_preset("openverse")
    assert wf.lead.rotation is not None and wf.lead.rotation.period == "weekly"
    assert wf.lead.rotation.team == "msr" and not wf.lead.rotation.members  # the org's MSR team
    assert all(s.update_every == dt.timedelta(hours=1) for s in wf.severities)
    assert wf.lead.assign_declarer_last


def test_sourcegraph_assumes_the_worst_and_acks_by_comment() -> None:
    wf = load_preset("sourcegraph")
    assert wf.default_severity == wf.severities[0].key
    assert wf.lead.ack_by_any_comment
    assert wf.lead.rotation is not None and wf.lead.rotation.team == "on-call"  # the on-call owns it
    assert wf.lead.escalation == ()  # the repository config names whom to page: a preset pings no one
    assert wf.reporter_thanks


def test_nodejs_opens_a_discussion_followup() -> None:
    wf = load_preset("nodejs-release-worker")
    assert wf.followups.discussion_on_resolve
    assert "{number}" in wf.followups.discussion_title
    assert any("status page" in step for step in wf.security.next_steps)


def test_wellcome_delivery_manager_resolves() -> None:
    wf = load_preset("wellcome")
    dm = wf.role("DM")
    assert dm is not None and dm.required_to_resolve and not dm.required_to_declare
    assert dm.notify == ()  # the repository config names its delivery managers: a preset pings no one
    assert wf.role("supporting colleague") is not None
    assert len(wf.triage_questions) == 3
