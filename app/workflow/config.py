"""A repository's `.github/incidents.yml`: which preset, what overrides, where from.

Probot's convention (https://probot.github.io/docs/configuration/): read the file
from the repository's default branch; when absent, the same path in the owner's
`.github` repository; `_extends: repo | owner/repo | repo:path.yml` names another
config merged under this one. Merge order: preset < extended < own.

Resolution is pure (`resolve_config` over a mapping of file texts), so every rule
is testable without HTTP; `app.github.config.fetch_config` only fetches the files it asks for. A
broken file never raises: the default workflow runs and `RepoConfig.error` says,
in one line, which file, which line, what is wrong and what to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from app.workflow.errors import ConfigError, WorkflowError, WorkflowErrors, all_errors
from app.workflow.loader import DEFAULT_PRESET, default_workflow, preset_source, with_overrides
from app.workflow.model import Workflow
from app.workflow.schema import REPO_KEYS, check_repo_keys, repo_fail
from app.workflow.yamltree import Doc, merge, parse, without_keys

CONFIG_PATH: Final = ".github/incidents.yml"
# Another path may be chosen (the GitHub Action's `config` input): a relative path to a
# YAML file, the same shape `_extends` accepts, with no `..` segment.
_PATH: Final = re.compile(r"^[-_.A-Za-z0-9]+(?:/[-_.A-Za-z0-9]+)*\.ya?ml$")
MAX_EXTENDS: Final = 5  # a chain longer than this is a mistake, not a design

FileKey = tuple[str, str]  # ("owner/repo", "path/in/repo.yml")
Files = Mapping[FileKey, str | None]  # None: the file does not exist (404)

# Probot's `_extends` syntax: [owner/]repo[:path.yml]
_EXTENDS = re.compile(
    r"^(?:(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})/)?"
    r"(?P<repo>[-_.A-Za-z0-9]+)"
    r"(?::(?P<path>[-_./A-Za-z0-9]+\.ya?ml))?$"
)


@dataclass(frozen=True)
class RepoConfig:
    workflow: Workflow
    status_page: bool = False  # publish this repository's incidents on the status page
    source: str = preset_source(DEFAULT_PRESET)  # the file the config came from
    error: ConfigError | None = None  # set when a file was broken and the default is used


class _Missing(Exception):
    """A file resolution needs that the caller has not fetched yet."""

    def __init__(self, key: FileKey) -> None:
        super().__init__(key)
        self.key = key


def file_label(key: FileKey) -> str:
    """How messages name a file: `acme/web:.github/incidents.yml`."""
    return f"{key[0]}:{key[1]}"


def valid_config_path(path: str) -> bool:
    """A path inside a repository to a .yml/.yaml file, without `..`: what may be read as a config."""
    return bool(_PATH.match(path)) and ".." not in path.split("/")


def resolve_config(files: Files, owner: str, repo: str, path: str = CONFIG_PATH) -> RepoConfig:
    """The repository's configuration from the files given; a file not given counts as absent."""
    return _resolve_cached(tuple(sorted(files.items())), owner, repo, path)


@lru_cache(maxsize=256)
def _resolve_cached(
    files: tuple[tuple[FileKey, str | None], ...], owner: str, repo: str, path: str
) -> RepoConfig:
    # Every event of a repository resolves the same texts again: validate them once.
    return _resolve(dict(files).get, owner, repo, path)


def missing_file(files: Files, owner: str, repo: str, path: str = CONFIG_PATH) -> FileKey | None:
    """The next file `resolve_config` would read that `files` lacks, or None when complete."""

    def lookup(key: FileKey) -> str | None:
        if key not in files:
            raise _Missing(key)
        return files[key]

    try:
        _resolve(lookup, owner, repo, path)
    except _Missing as missing:
        return missing.key
    return None


# --- resolution ------------------------------------------------------------------------


def _resolve(lookup: Callable[[FileKey], str | None], owner: str, repo: str, path: str) -> RepoConfig:
    own = (f"{owner}/{repo}", path)
    text = lookup(own)
    found = own
    if text is None and repo != ".github":
        found = (f"{owner}/.github", path)
        text = lookup(found)
    if text is None:
        return RepoConfig(default_workflow())
    source = file_label(found)
    try:
        return _build(_chain(lookup, owner, found, text), source)
    except WorkflowError as error:
        return RepoConfig(default_workflow(), source=source, error=ConfigError.from_workflow_error(error))


def _chain(lookup: Callable[[FileKey], str | None], owner: str, key: FileKey, text: str) -> Doc:
    """The config merged over everything it extends (own last, so it wins)."""
    docs: list[Doc] = []
    seen = {key}
    while True:
        doc = parse(text, file_label(key))
        check_repo_keys(doc)
        docs.append(doc)
        assert isinstance(doc.data, Mapping)
        extends = doc.data.get("_extends")
        if extends is None:
            break
        target = _extends_target(doc, extends, owner)
        if target in seen:
            raise repo_fail(doc, ("_extends",), "no cycle of _extends", got=extends)
        if len(docs) > MAX_EXTENDS:
            raise repo_fail(doc, ("_extends",), f"at most {MAX_EXTENDS} levels of _extends")
        seen.add(target)
        extended = lookup(target)
        if extended is None:
            raise repo_fail(
                doc,
                ("_extends",),
                "an existing config file",
                got=extends,
                hint=f"{file_label(target)} was not found on its default branch",
            )
        key, text = target, extended
    result = docs[-1]
    for doc in reversed(docs[:-1]):
        result = merge(result, doc)
    return result


def _extends_target(doc: Doc, value: object, owner: str) -> FileKey:
    match = _EXTENDS.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise repo_fail(doc, ("_extends",), "'repo', 'owner/repo' or 'repo:path.yml'", got=value)
    return (
        f"{match['owner'] or owner}/{match['repo']}",
        match["path"] or CONFIG_PATH,
    )


def _build(doc: Doc, source: str) -> RepoConfig:
    """The config from its merged document; raises WorkflowErrors with every error found."""
    assert isinstance(doc.data, Mapping)
    problems: list[WorkflowError] = []
    preset = doc.data.get("workflow", DEFAULT_PRESET)
    if not isinstance(preset, str):
        problems.append(repo_fail(doc, ("workflow",), "a preset name like 'openverse'", got=preset))
    status_page = doc.data.get("status_page", False)
    if not isinstance(status_page, bool):
        problems.append(repo_fail(doc, ("status_page",), "true or false", got=status_page))
        status_page = False
    workflow = None
    if isinstance(preset, str):
        try:
            overrides = without_keys(doc, frozenset(REPO_KEYS))
            workflow = with_overrides(preset.strip(), overrides)
        except WorkflowError as error:
            if error.key_path == "workflow":  # an unknown preset: point at the config's line
                error = repo_fail(doc, ("workflow",), error.expected, got=preset, hint=error.hint)
            problems.extend(all_errors(error))
    if problems or workflow is None:
        raise WorkflowErrors(problems)
    return RepoConfig(workflow, status_page, source)


def load_repo_config_text(text: str, source: str) -> tuple[RepoConfig, object]:
    """A repository config read on its own (offline): no fallback, `_extends` not followed.

    Returns the config and the `_extends` value (None when absent), since a
    check without network cannot follow it. Raises WorkflowErrors with every error.
    """
    doc = parse(text, source)
    problems: list[WorkflowError] = []
    try:
        check_repo_keys(doc)
    except WorkflowError as error:
        if not isinstance(doc.data, Mapping):
            raise
        problems.extend(all_errors(error))
    assert isinstance(doc.data, Mapping)
    extends = doc.data.get("_extends")
    if extends is not None:
        try:
            _extends_target(doc, extends, "owner")
        except WorkflowError as error:
            problems.append(error)
    try:
        config = _build(doc, source)
    except WorkflowError as error:
        problems.extend(all_errors(error))
    if problems:
        raise WorkflowErrors(problems)
    return config, extends
