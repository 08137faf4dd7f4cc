"""Which installation of the app covers a repository: `GET /repos/{owner}/{repo}/installation`.

Webhook handlers get the installation id from the delivery; the status page and
the report start from a repository name instead, so they ask GitHub (with the
app's JWT). Names are checked first: a malformed one never reaches GitHub.
"""

from __future__ import annotations

import re
from typing import Final

from gidgethub.abc import GitHubAPI

from app.github import errors

# GitHub's rules: owners are alphanumeric with single inner hyphens (39 at most);
# repository names are letters, digits, ".", "-" and "_" (100 at most), not "." or "..".
_OWNER: Final = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_REPO: Final = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class BadRepoName(ValueError):
    """str() is the one line to show."""


def valid_repo(owner: str, repo: str) -> bool:
    return bool(_OWNER.match(owner) and _REPO.match(repo)) and repo not in (".", "..")


def split_repo(full_name: str) -> tuple[str, str]:
    """`OWNER/REPO` → (owner, repo), or BadRepoName saying what was expected."""
    owner, slash, repo = full_name.strip().partition("/")
    if not slash or not valid_repo(owner, repo):
        raise BadRepoName(f"{full_name!r} is not a repository name: expected OWNER/REPO, e.g. acme/web")
    return owner, repo


async def repo_installation(app_client: GitHubAPI, owner: str, repo: str) -> int | None:
    """The id of the app's installation on owner/repo, or None when the app is not installed.

    `app_client` must authenticate as the app (JWT). GitHub answers 404 both for
    "not installed" and for a repository the app cannot see, and so do we: None.
    """
    if not valid_repo(owner, repo):
        return None
    try:
        answer = await app_client.getitem(
            "/repos/{owner}/{repo}/installation", {"owner": owner, "repo": repo}
        )
    except Exception as exc:
        if errors.is_not_found(exc):
            return None
        raise
    return int(answer["id"])


async def owner_installation(app_client: GitHubAPI, owner: str) -> tuple[int, str] | None:
    """(id, repository_selection) of the app's installation on an account (a user or an
    organisation), or None when it is not installed there.

    `GET /users/{username}/installation` answers organisations too
    (https://docs.github.com/rest/apps/apps#get-a-user-installation-for-the-authenticated-app).
    Asking by account, not by repository, costs the same for a repository that does
    not exist as for a private one: the status page relies on that.
    """
    if not _OWNER.match(owner):
        return None
    try:
        answer = await app_client.getitem("/users/{owner}/installation", {"owner": owner})
    except Exception as exc:
        if errors.is_not_found(exc):
            return None
        raise
    return int(answer["id"]), str(answer.get("repository_selection") or "all")
