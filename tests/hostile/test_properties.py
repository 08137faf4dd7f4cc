"""Property tests for every parser and renderer of people's text (hypothesis).

For any input: nothing raises but the parser's own error type, the work is bounded,
no rendered bot text exceeds GitHub's 65,536 characters, and no human text produces
a marker the bot trusts (a body's first line, a summary's last line).
"""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core import ledger as codec
from app.core import markers
from app.core.actions import Reply, UpsertComment
from app.core.commands.grammar import COMMANDS_MAX, parse
from app.core.ledger import Ledger, Update
from app.core.texts import fit, summary
from app.core.texts.summary import AGE_MARK
from app.workflow.config import load_repo_config_text
from app.workflow.errors import WorkflowError
from app.workflow.forms import form_facts
from tests.rules.factories import T0, default_workflow, recorded, say

WF = default_workflow()
PIECES = st.sampled_from(
    [
        "<!--",
        "-->",
        "<!-- incident-bot:summary -->",
        "<!-- incident-bot:ledger ",
        "incident-bot:",
        "/update ",
        "/severity 1",
        "/status stabilized",
        "/lead @",
        "/followup ",
        "/x",
        "\n",
        "\r\n",
        "```",
        "> ",
        "`",
        "|",
        "@alice",
        "{",
        '"',
        "\\u002d",
        "### ",
        "- [x] ",
        " ",
    ]
)
HOSTILE = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=60).map("".join)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def trusted_markers(body: str) -> list[str]:
    """Lines past the first (and a summary's last) that a reader scanning raw text could take
    for the bot's own: anything that opens or closes an HTML comment or names the prefix."""
    lines = body.split("\n")[1:]
    if markers.kind_of(body) == markers.SUMMARY:
        lines = lines[:-1]
    lines = [line.replace(AGE_MARK, "") for line in lines]
    return [line for line in lines if "<!--" in line or "-->" in line or "incident-bot:" in line]


@FAST
@given(HOSTILE)
def test_the_grammar_takes_any_text(body: str) -> None:
    parsed = parse(body, WF, author="mallory")
    assert len(parsed.commands) + len(parsed.errors) <= COMMANDS_MAX


@FAST
@given(HOSTILE)
def test_the_form_reader_takes_any_body(body: str) -> None:
    facts = form_facts(body, WF)
    assert facts.severity is None or facts.severity in WF.severities


@FAST
@given(st.one_of(HOSTILE, st.text(max_size=400)))
def test_the_config_loader_reports_any_text_as_a_config_error_at_most(text: str) -> None:
    try:
        config, _ = load_repo_config_text(text, ".github/incidents.yml")
    except WorkflowError:
        return  # its own error type: reported as one config-error notice
    assert config.workflow is not None


def test_the_config_loader_refuses_an_alias_bomb_before_expanding_it() -> None:
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for n in range(1, 10):
        bomb += (
            f"{chr(97 + n)}: &{chr(97 + n)} [*{chr(96 + n)},*{chr(96 + n)},*{chr(96 + n)},*{chr(96 + n)}]\n"
        )
    try:
        config, _ = load_repo_config_text(bomb, ".github/incidents.yml")
    except WorkflowError as exc:
        assert "value" in str(exc) or "alias" in str(exc)
    else:
        assert config.error is not None


@FAST
@given(HOSTILE)
def test_the_ledger_decodes_any_comment(body: str) -> None:
    assert isinstance(codec.decode(body), Ledger)


def test_the_ledger_decodes_twenty_thousand_unterminated_openers() -> None:
    """Quadratic before (66 s): the block is now looked for on the last line only."""
    body = (codec.LEDGER_OPEN + "{") * 20_000
    assert codec.decode(body) == Ledger()


@FAST
@given(st.lists(HOSTILE, min_size=1, max_size=300))
def test_any_updates_encode_within_the_bound_and_read_back(texts: list[str]) -> None:
    updates = tuple(Update("bob", T0 + dt.timedelta(minutes=i), t, i) for i, t in enumerate(texts))
    ledger = Ledger(declared_by="alice", declared_at=T0, updates=updates)
    block = codec.encode(ledger)
    assert len(block) <= codec.ENCODED_MAX and "\n" not in block
    back = codec.decode(f"{markers.tag(markers.SUMMARY)}\nbody\n{block}")
    assert back.declared_by == "alice" and len(back.updates) == min(len(texts), codec.ENTRIES_MAX)


@FAST
@given(st.lists(HOSTILE, max_size=300), st.lists(HOSTILE, max_size=5))
def test_the_summary_fits_and_carries_no_marker_people_wrote(updates: list[str], titles: list[str]) -> None:
    issue = recorded(WF)
    ledger = issue.incident().ledger
    for i, text in enumerate(updates):
        ledger = ledger.with_update(Update("dave", T0 + dt.timedelta(minutes=i), text, 5000 + i))
    incident = issue.incident().with_ledger(ledger)
    body = summary.render(incident, WF, T0 + dt.timedelta(hours=1))
    assert len(body) <= fit.COMMENT_LIMIT
    assert markers.kind_of(body) == markers.SUMMARY
    assert trusted_markers(body) == []
    assert codec.decode(body).declared_by == ledger.declared_by


@FAST
@given(HOSTILE, st.sampled_from(["mallory", "alice"]), st.sampled_from(["none", "triage", "admin"]))
def test_every_reply_to_any_comment_fits_and_carries_no_marker_people_wrote(
    body: str, author: str, role: str
) -> None:
    issue = recorded(WF)
    _, actions = say(issue, body, author=author, role=role)
    for action in actions:
        if isinstance(action, Reply | UpsertComment):
            assert len(action.body) <= fit.COMMENT_LIMIT
            assert markers.kind_of(action.body) == action.kind or action.kind is None
            assert trusted_markers(action.body) == [], action.body
