"""`python -m app check-config PATH...`: validate a config or workflow file offline.

A file with top-level `severities` (and no `workflow` or `_extends`) is a whole
workflow (a preset); anything else is a repository's `.github/incidents.yml`.
Prints `ok: PATH (workflow NAME)`, or every error found on stderr, one per line
as `FILE:LINE:COL: message` (the form editors and CI annotations read), in the
order of the file; the exit status is 0 when every file is fine, else 1.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path

from app.workflow.config import load_repo_config_text
from app.workflow.errors import WorkflowError, all_errors
from app.workflow.loader import load_workflow_text
from app.workflow.yamltree import parse

USAGE = "usage: python -m app check-config PATH [PATH...]"


def check_file(path: str) -> str:
    """The "ok" line for one file; raises WorkflowError."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise WorkflowError(path, "", "a readable file", hint=error.strerror or str(error)) from None
    doc = parse(text, path)
    # A repository config may override `severities` too, but it never says `workflow:`
    # or `_extends:` when it is a whole workflow.
    data = doc.data
    if isinstance(data, Mapping) and "severities" in data and not {"workflow", "_extends"} & set(data):
        workflow = load_workflow_text(text, path)
        return f"ok: {path} (workflow {workflow.name})"
    config, extends = load_repo_config_text(text, path)
    line = f"ok: {path} (workflow {config.workflow.name})"
    if extends is not None:
        line += f"; _extends {extends!r} is not followed offline"
    return line


def main(argv: list[str]) -> int:
    """Entry point; `argv` may start with the subcommand name `check-config`."""
    paths = argv[1:] if argv[:1] == ["check-config"] else list(argv)
    if not paths or paths[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not paths else sys.stdout)
        return 2 if not paths else 0
    status = 0
    for path in paths:
        try:
            print(check_file(path))
        except WorkflowError as error:
            # This file's errors first, then those located in a preset it builds on.
            for each in sorted(all_errors(error), key=lambda e: (e.path != path, e.line or 0, e.column or 0)):
                print(each.annotation, file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
