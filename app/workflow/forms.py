"""Reading the answers out of an issue-form body.

GitHub submits a form as markdown: `### <label>`, a blank line, the value;
`_No response_` for an empty field; `- [X] label` / `- [ ] label` for checkboxes;
a multi-select dropdown joined with `, `. People edit bodies afterwards and type
their own `###` lines, so a heading only starts a section when it is one of the
form's known labels; anything else stays part of the value it sits in.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Final, TypeVar

from app.workflow.model import FormFields, Severity, Status, Workflow

T = TypeVar("T")

NO_RESPONSE: Final = "_No response_"

_HEADING = re.compile(r"^ {0,3}###[ \t]+(?P<text>.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_CHECKBOX = re.compile(r"^\s*[-*+]\s+\[(?P<mark>[ xX])\]\s*(?P<label>.*?)\s*$")
_LEADING_NUMBER = re.compile(r"^\s*(?:sev(?:erity)?\s*)?(\d+)\b", re.IGNORECASE)
# How option texts separate the name from its explanation: "1 - Critical: all users".
_SEPARATORS: Final = (" - ", " – ", " — ", ": ", " (", ", ")
_YES: Final = frozenset({"yes", "y", "true", "x"})


@dataclass(frozen=True)
class FormFacts:
    """What the form tells the rules, mapped onto the workflow."""

    severity: Severity | None  # the dropdown's choice, None when unanswered or unknown
    security: bool  # the security box is ticked
    status: Status | None  # the status dropdown's choice
    production: bool  # the bug report's "breaking production" box is ticked


def _fold(heading: str) -> str:
    # Forgive edits that do not change meaning: case, spacing, a trailing colon.
    return " ".join(heading.split()).rstrip(":").strip().casefold()


def form_headings(fields: FormFields) -> tuple[str, ...]:
    """Every heading of the workflow's forms: the ones read and the `other` delimiters."""
    headings: list[str] = []
    for fld in dataclasses.fields(fields):
        value = getattr(fields, fld.name)
        headings.extend(value if isinstance(value, tuple) else (value,))
    return tuple(headings)


def parse_form(body: str | None, headings: Iterable[str]) -> dict[str, str | None]:
    """Map each known heading found in `body` to its value (None for no response).

    Keys are the headings as given in `headings`; a heading missing from the body is
    missing from the result. Only the first occurrence of a heading starts a
    section: GitHub writes each once, so a repeat is the person's own text.
    """
    known = {_fold(h): h for h in headings}
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    fence: str | None = None
    for line in (body or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        fence_match = _FENCE.match(line)
        if fence_match:  # no headings inside a code block the person pasted
            marker = fence_match.group(1)
            fence = None if fence == marker else (fence or marker)
        heading = _HEADING.match(line) if fence is None else None
        name = known.get(_fold(heading["text"])) if heading else None
        if name is not None and name not in sections:
            current = sections[name] = []
        elif current is not None:
            current.append(line.rstrip())
    return {name: _value(lines) for name, lines in sections.items()}


def _value(lines: list[str]) -> str | None:
    text = "\n".join(lines).strip("\n")
    if not text.strip() or text.strip() == NO_RESPONSE:
        return None
    return text


def checked_boxes(value: str | None) -> list[str]:
    """The labels of the ticked checkboxes in a section's value."""
    ticked = []
    for line in (value or "").split("\n"):
        match = _CHECKBOX.match(line)
        if match and match["mark"] in "xX":
            ticked.append(match["label"])
    return ticked


def _ticked(value: str | None) -> bool:
    # A checkbox field; tolerate a team's own form asking the same as a yes/no dropdown.
    if checked_boxes(value):
        return True
    return value is not None and value.strip().casefold() in _YES


def choice(value: str | None, lookup: Callable[[str], T | None]) -> T | None:
    """Match a dropdown answer like `1 - Critical: all users` with `lookup` (name -> item)."""
    if value is None:
        return None
    first = next((line.strip() for line in value.split("\n") if line.strip()), "")
    candidates = [first]
    for separator in _SEPARATORS:
        if separator in first:
            candidates.append(first.split(separator, 1)[0])
    number = _LEADING_NUMBER.match(first)
    if number:
        candidates.append(number.group(1))
    for candidate in candidates:
        found = lookup(candidate.strip())
        if found is not None:
            return found
    return None


def form_facts(body: str | None, workflow: Workflow) -> FormFacts:
    fields = workflow.form
    answers = parse_form(body, form_headings(fields))
    return FormFacts(
        severity=choice(answers.get(fields.severity), workflow.severity),
        security=_ticked(answers.get(fields.security)),
        status=choice(answers.get(fields.status), workflow.status),
        production=_ticked(answers.get(fields.production)),
    )
