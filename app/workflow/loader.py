"""Workflow files to `Workflow` objects: presets by name, files by path, overrides.

Presets ship in `workflows/NAME.yml`: the repository's top-level folder, which a
built package carries as package data (see `app.shipped`). They are parsed once
per process (functools caches): handlers ask for a workflow on every event.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import app
from app.workflow.errors import WorkflowError
from app.workflow.model import Workflow
from app.workflow.schema import build_workflow
from app.workflow.yamltree import Doc, merge, parse

PRESETS_DIR = app.shipped("workflows")
DEFAULT_PRESET = "default"

# A preset name becomes a file name: keep it to one path segment (no "../").
_PRESET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@cache
def preset_names() -> tuple[str, ...]:
    return tuple(sorted(p.stem for p in PRESETS_DIR.glob("*.yml")))


def preset_source(name: str) -> str:
    """How messages name a preset's file."""
    return f"workflows/{name}.yml"


@cache
def preset_doc(name: str) -> Doc:
    """The parsed (not yet validated) preset, for merging a repository's overrides over it.

    Raises WorkflowError for an unknown preset, naming the known ones.
    """
    if not _PRESET_NAME.match(name) or name not in preset_names():
        known = preset_names()
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else ""
        raise WorkflowError(
            preset_source(name) if _PRESET_NAME.match(name) else "workflows/",
            "workflow",
            f"a preset name, one of {', '.join(known)}",
            got=name,
            hint=hint,
        )
    path = PRESETS_DIR / f"{name}.yml"
    return parse(path.read_text(encoding="utf-8"), preset_source(name))


@cache
def load_preset(name: str) -> Workflow:
    """The validated preset `workflows/NAME.yml`; raises WorkflowError."""
    return build_workflow(preset_doc(name))


def default_workflow() -> Workflow:
    return load_preset(DEFAULT_PRESET)


def load_workflow_text(text: str, source: str) -> Workflow:
    """A whole workflow file's text; `source` names it in errors."""
    return build_workflow(parse(text, source))


def load_workflow_file(path: Path | str) -> Workflow:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise WorkflowError(str(path), "", "a readable file", hint=error.strerror or "") from None
    return load_workflow_text(text, str(path))


def with_overrides(preset: str, overrides: Doc) -> Workflow:
    """A preset with a document's keys merged over it (mappings merge, lists replace)."""
    if isinstance(overrides.data, Mapping) and not overrides.data:
        return load_preset(preset)  # nothing overridden: the cached preset itself
    return build_workflow(merge(preset_doc(preset), overrides))
