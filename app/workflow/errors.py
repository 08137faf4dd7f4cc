"""Errors about workflow and configuration files, each readable as one line.

A person fixes a config file from the message alone, often from a phone, so the
message names the file, the line, the key and what was expected, in that order:

    workflows/x.yml: line 12: severities[1].ack_within: expected a duration like 15m, 1h or 2d, got 'soon'
"""

from __future__ import annotations

from typing import Final


class _Unset:
    """Marks "no value was given", since None can itself be the offending value."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()


def _one_line(text: str) -> str:
    return " ".join(text.split())


class WorkflowError(ValueError):
    """A workflow or config file that cannot be used, and where and why."""

    def __init__(
        self,
        path: str,
        key_path: str,
        expected: str,
        line: int | None = None,
        *,
        column: int | None = None,
        got: object = UNSET,
        hint: str = "",
    ) -> None:
        self.path = path  # the file, as the person knows it
        self.key_path = key_path  # "severities[1].ack_within"; "" for the file as a whole
        self.expected = expected
        self.line = line  # 1-based; None when unknown
        self.column = column  # 1-based; None when unknown
        self.got = got
        self.hint = hint
        super().__init__(self.message)

    @property
    def detail(self) -> str:
        """The message without the file and line: what is wrong with which key."""
        text = f"expected {self.expected}"
        if not isinstance(self.got, _Unset):
            got = self.got
            if isinstance(got, str) and len(got) > 60:
                got = got[:57] + "..."
            text += f", got {got!r}"
        if self.hint:
            text += f"; {self.hint}"
        if self.key_path:
            text = f"{self.key_path}: {text}"
        return _one_line(text)

    @property
    def message(self) -> str:
        where = self.path
        if self.line is not None:
            where += f": line {self.line}"
        return f"{where}: {self.detail}"

    @property
    def annotation(self) -> str:
        """`FILE:LINE:COL: message`, the form editors and CI annotate (line 1 when unknown)."""
        return f"{self.path}:{self.line or 1}:{self.column or 1}: {self.detail}"

    def __str__(self) -> str:
        return self.message


class WorkflowErrors(WorkflowError):
    """Every error found in one file (at least one). It reads as the first, so whoever
    shows one line (the config-error notice) shows the first; check-config shows all."""

    def __init__(self, errors: list[WorkflowError]) -> None:
        flat = [e for error in errors for e in all_errors(error)]
        unique = list({(e.path, e.line, e.column, e.key_path, e.expected): e for e in flat}.values())
        first = unique[0]
        super().__init__(
            first.path,
            first.key_path,
            first.expected,
            first.line,
            column=first.column,
            got=first.got,
            hint=first.hint,
        )
        self.errors = unique


def all_errors(error: WorkflowError) -> list[WorkflowError]:
    """The errors a WorkflowError stands for: itself, or each of a WorkflowErrors'."""
    return list(error.errors) if isinstance(error, WorkflowErrors) else [error]


class ConfigError(WorkflowError):
    """A repository's `.github/incidents.yml` (or a file it extends) that cannot be used.

    The app does not fail on it: it runs the default workflow and posts this message
    once on the incident, so the message also says what happens until it is fixed.
    """

    FALLBACK: Final = (
        "Fix it on the default branch (check it with `python -m app check-config FILE`); "
        "until then the default workflow is used."
    )

    @classmethod
    def from_workflow_error(cls, error: WorkflowError) -> ConfigError:
        return cls(
            error.path,
            error.key_path,
            error.expected,
            error.line,
            column=error.column,
            got=error.got,
            hint=error.hint,
        )

    @property
    def message(self) -> str:
        base = super().message
        separator = " " if base.endswith(("?", ".", "!")) else ". "
        return f"{base}{separator}{self.FALLBACK}"
