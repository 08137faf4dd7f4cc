"""Fetch a repository's incident config from GitHub: the files `resolve_config` asks for, and no more.

https://docs.github.com/en/rest/repos/contents#get-repository-content answers a file
with its base64 content, 404 when absent, and 403 when the app may not read contents.
"""

from __future__ import annotations

import base64
import binascii

import gidgethub
from gidgethub.abc import GitHubAPI

from app.github import errors
from app.workflow.config import (
    CONFIG_PATH,
    MAX_EXTENDS,
    FileKey,
    RepoConfig,
    file_label,
    missing_file,
    resolve_config,
)
from app.workflow.errors import ConfigError
from app.workflow.loader import default_workflow


async def fetch_config(gh: GitHubAPI, owner: str, repo: str, path: str = CONFIG_PATH) -> RepoConfig:
    """Fetch `.github/incidents.yml` (or `path`, and what it extends) and resolve it.

    Errors other than "not found" propagate (the caller retries), except that a
    refusal to read contents becomes a config error naming the missing permission.
    """
    files: dict[FileKey, str | None] = {}
    # Own file, org fallback, and a bounded `_extends` chain: never more than this.
    for _ in range(MAX_EXTENDS + 3):
        key = missing_file(files, owner, repo, path)
        if key is None:
            break
        try:
            files[key] = await _fetch_text(gh, key)
        except gidgethub.BadRequest as error:
            if not errors.is_forbidden(error):
                raise
            problem = ConfigError(
                file_label(key),
                "",
                "the app to be allowed to read it",
                hint=f"GitHub answered 403 ({error}); grant the app 'Contents: read'",
            )
            return RepoConfig(default_workflow(), source=file_label(key), error=problem)
    return resolve_config(files, owner, repo, path)


async def _fetch_text(gh: GitHubAPI, key: FileKey) -> str | None:
    owner, _, repo = key[0].partition("/")
    try:
        # `{+path}`: reserved expansion keeps the path's "/" unescaped.
        item = await gh.getitem(
            "/repos/{owner}/{repo}/contents/{+path}",
            {"owner": owner, "repo": repo, "path": key[1]},
        )
    except gidgethub.BadRequest as error:
        if errors.is_not_found(error):
            return None
        raise
    if not isinstance(item, dict) or item.get("type", "file") != "file":
        return None  # a directory of that name is not a config file
    content = item.get("content")
    if not isinstance(content, str):
        return None
    try:
        raw = base64.b64decode(content)  # GitHub wraps the base64 in lines; b64decode skips them
    except (binascii.Error, ValueError):
        return ""
    return raw.decode("utf-8", errors="replace")
