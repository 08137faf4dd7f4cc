"""Issue forms as GitHub submits them: the template's answers rendered into the issue body.

From "Syntax for issue forms" and "Syntax for GitHub's form schema" (docs.github.com,
communities/using-templates-to-encourage-useful-issues-and-pull-requests): a form lives in
``.github/ISSUE_TEMPLATE/*.yml``; "their responses for each input are converted to markdown
and added to the body of an issue"; ``labels`` "will automatically be added to issues
created with this template. If a label does not already exist in the repository, it will
not be automatically added"; ``required`` "is only supported in public repositories".
Where the docs do not spell out the markdown, the sandbox writes what submitted forms on
GitHub show: ``### <label>``, a blank line, the answer; ``_No response_`` for an empty one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

TEMPLATE_DIR = ".github/ISSUE_TEMPLATE"
NO_RESPONSE = "_No response_"
# "None is a reserved word in an options set because it is used to indicate non-choice when
# a dropdown is not required" (Common validation errors when creating issue forms).
NO_CHOICE = "None"


class FormError(ValueError):
    """What the form page would not let a person submit (or a template GitHub refuses)."""


@dataclass(frozen=True)
class Submission:
    title: str
    body: str
    labels: list[str]
    assignees: list[str]


def _listed(value: Any) -> list[str]:
    """``labels`` / ``assignees``: "Array or comma-delimited string"."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return [str(part).strip() for part in value if str(part).strip()]


def submit(
    template_text: str,
    answers: dict[str, Any],
    *,
    title: str | None,
    public: bool,
) -> Submission:
    """The issue GitHub creates from ``answers`` (keyed by an element's ``id`` or ``label``).

    A checkbox group takes a list of the ticked option labels; a multi-select dropdown a
    list of options; anything else a string.
    """
    form = yaml.safe_load(template_text)
    if not isinstance(form, dict) or not isinstance(form.get("body"), list):
        raise FormError("not an issue form: it needs name, description and body")
    parts: list[str] = []
    for element in form["body"]:
        kind = element.get("type")
        attrs = element.get("attributes") or {}
        if kind == "markdown":
            continue  # shown on the form, never submitted
        label = str(attrs.get("label", ""))
        key = element.get("id") if element.get("id") in answers else label
        given = answers.get(key)
        required = bool((element.get("validations") or {}).get("required")) and public
        parts.append(f"### {label}\n\n{_render(kind, attrs, given, required, label)}")
    chosen = title if title is not None else str(form.get("title") or "")
    if not chosen.strip():
        raise FormError("a title is required")
    return Submission(
        title=chosen,
        body="\n\n".join(parts),
        labels=_listed(form.get("labels")),
        assignees=_listed(form.get("assignees")),
    )


def _render(kind: str | None, attrs: dict[str, Any], given: Any, required: bool, label: str) -> str:
    if kind == "checkboxes":
        ticked = {str(x) for x in (given or [])}
        options = [str(o.get("label", "")) for o in attrs.get("options") or []]
        unknown = ticked - set(options)
        if unknown:
            raise FormError(f"{label!r} has no option {sorted(unknown)[0]!r}")
        for option in attrs.get("options") or []:
            if option.get("required") and str(option.get("label")) not in ticked:
                raise FormError(f"{label!r}: {option.get('label')!r} must be ticked")
        return "\n".join(f"- [{'X' if o in ticked else ' '}] {o}" for o in options)
    if kind == "dropdown":
        options = [str(o) for o in attrs.get("options") or []]
        picked = [given] if isinstance(given, str) else [str(x) for x in (given or [])]
        if not picked and attrs.get("default") is not None:
            picked = [options[int(attrs["default"])]]
        if any(p not in options for p in picked):
            raise FormError(f"{label!r} has no option {next(p for p in picked if p not in options)!r}")
        if len(picked) > 1 and not attrs.get("multiple"):
            raise FormError(f"{label!r} takes one option")
        if not picked:
            if required:
                raise FormError(f"{label!r} is required")
            return NO_CHOICE
        return ", ".join(picked)
    text = str(given) if given is not None else str(attrs.get("value") or "")
    if not text.strip():
        if required:
            raise FormError(f"{label!r} is required")
        return NO_RESPONSE
    if kind == "textarea" and attrs.get("render"):
        return f"```{attrs['render']}\n{text}\n```"
    return text
