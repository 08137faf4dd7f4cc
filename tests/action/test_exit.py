"""How a job ends: 0 done, 1 GitHub refused (one line), 2 bad input; what the log and the
job summary show, and that no text can turn into a workflow command or leak the token."""

from __future__ import annotations

import logging
from pathlib import Path

from app.cli.action import ActionsFormatter, Notes, Outcome, summary
from tests.action.helpers import REPO, actions


def _errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("::error::")]


async def test_an_event_it_does_not_run_on_is_bad_input(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        run = await a.run("push", {"ref": "refs/heads/main"})
        assert run.code == 2
        assert _errors(run.log) == [
            "::error::incident-bot: the 'push' event is not one this bot runs on: use issues, "
            "issue_comment, schedule or workflow_dispatch (see docs/action.md)"
        ]
        assert "### Incident Bot: bad input" in run.summary


async def test_unreadable_payloads_and_settings_are_bad_input(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        cases = {
            "not JSON": ({"GITHUB_EVENT_PATH": str(tmp_path / "broken.json")}, "is not JSON"),
            "missing": ({"GITHUB_EVENT_PATH": str(tmp_path / "absent.json")}, "cannot be read"),
            "config": ({"config": "../../etc/passwd.yml"}, "is not a path to a .yml file"),
            "sweep": ({"sweep": "sometimes"}, "sweep: expected true or false"),
            "no token": ({"github_token": " ", "GITHUB_TOKEN": ""}, "no token"),
        }
        (tmp_path / "broken.json").write_text("{not json")
        payload = {"action": "opened", "issue": {"number": 1}, "repository": {"full_name": REPO}}
        for name, (inputs, expected) in cases.items():
            run = await a.run("issues", payload, process=False, **inputs)
            assert run.code == 2, name
            assert len(_errors(run.log)) == 1 and expected in _errors(run.log)[0], (name, run.log)
        other = {**payload, "repository": {"full_name": "evil/elsewhere"}}
        run = await a.run("issues", other, process=False)
        assert run.code == 2 and "not GITHUB_REPOSITORY acme/web" in run.log
        run = await a.run("issue_comment", [1, 2], process=False)  # type: ignore[arg-type]
        assert run.code == 2 and "not a JSON object" in run.log


async def test_github_refusing_ends_the_job_with_one_line_and_no_token(tmp_path: Path) -> None:
    """A workflow that did not grant `issues: write`: the first write is refused."""
    async with actions(tmp_path) as a:
        status, _ = await a.sandbox.user("carol").post(
            f"/repos/{REPO}/issues", json={"title": "Down", "labels": ["incident"]}
        )
        assert status == 201
        token = a.sandbox.workflow_token(REPO, {"issues": "read", "contents": "read", "metadata": "read"})
        event = a.pending()[0]
        run = await a.run(event.event, event.payload, process=False, token=token)
        assert run.code == 1
        [line] = _errors(run.log)
        assert line.startswith(
            "::error::incident-bot: GitHub refused 403: Resource not accessible by integration"
        )
        assert "issues: write" in line
        assert "### Incident Bot: refused" in run.summary
        assert token not in run.log and token not in run.summary


async def test_a_revoked_token_is_refused(tmp_path: Path) -> None:
    async with actions(tmp_path) as a:
        await a.sandbox.user("carol").post(
            f"/repos/{REPO}/issues", json={"title": "Down", "labels": ["incident"]}
        )
        event = a.pending()[0]
        revoked = "ghs_" + "x" * 36
        run = await a.run(event.event, event.payload, process=False, token=revoked)
        assert run.code == 1 and "GitHub refused 401: Bad credentials" in run.log
        assert revoked not in run.log


def _record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("app", level, __file__, 1, message, None, None)


def test_no_text_becomes_a_workflow_command() -> None:
    fmt = ActionsFormatter("%(message)s")
    hostile = "label x\n::add-mask::secret\r\n::stop-commands::abc 100%"
    warning = fmt.format(_record(logging.WARNING, hostile))
    assert "\n" not in warning and "\r" not in warning
    assert warning == "::warning::label x%0A::add-mask::secret%0D%0A::stop-commands::abc 100%25"
    info = fmt.format(_record(logging.INFO, hostile))
    assert all(not line.startswith("::") for line in info.splitlines())


def test_the_summary_keeps_peoples_text_inert_and_short() -> None:
    notes = Notes()
    for n in range(100):
        notes.emit(_record(logging.INFO, f"line {n} ```\n<img src=x> [link](http://e.example) " + "y" * 500))
    text = summary(Outcome("issues.opened on acme/web#1 <b>", details=["a *b* `c`"]), notes)
    assert "<b>" not in text and "\\<b\\>" in text
    assert "a \\*b\\* \\`c\\`" in text
    fence = "````"  # longer than any backtick run in the lines it encloses
    assert text.count(fence) == 2
    assert len(notes.lines) == 40 and "... and 60 more lines" in text
    assert max(len(line) for line in text.splitlines()) < 400
