"""Who may do what, computed the way GitHub documents it.

A person's role on a repository is the highest of: an explicit collaborator role, org
ownership (admin), org membership (the org's base permission) and, on a public repository,
``read`` for everyone. The app's installation has the permissions in ``AppInfo.permissions``
on the repositories of its installation only. A workflow's ``GITHUB_TOKEN`` acts as
``github-actions[bot]`` on its own repository only, with the ``permissions:`` its workflow
granted; like any token it reads public repositories too.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import ApiError, forbidden, not_found
from .model import Repo, World, role_rank


@dataclass(frozen=True)
class Actor:
    """Who sent a request: anonymous, a person, the app (JWT) or one of its installations."""

    kind: str  # "anonymous" | "user" | "app" | "installation" | "workflow"
    login: str | None = None  # the person, or the app's bot login for an installation
    installation_id: int | None = None
    repository: str | None = None  # a workflow token's repository (lower case)
    permissions: tuple[tuple[str, str], ...] = ()  # a workflow token's, as (scope, level)

    @property
    def label(self) -> str:
        if self.kind == "installation":
            return f"installation:{self.installation_id}"
        if self.kind == "workflow":
            return f"workflow:{self.repository}"
        if self.kind == "user":
            return self.login or ""
        return self.kind

    @property
    def via_app(self) -> bool:
        return self.kind == "installation"


def role_of(world: World, repo: Repo, login: str) -> str:
    key = login.lower()
    roles = ["none"]
    explicit = {k.lower(): v for k, v in repo.collaborators.items()}
    if key in explicit:
        roles.append(explicit[key])
    if repo.owner.lower() == key:
        roles.append("admin")
    org = world.org_of(repo)
    if org is not None:
        if key in {o.lower() for o in org.owners}:
            roles.append("admin")
        elif key in {m.lower() for m in org.members}:
            roles.append(org.default_permission)
    if not repo.private:
        roles.append("read")
    return max(roles, key=role_rank)


def author_association(world: World, repo: Repo, login: str) -> str:
    """OWNER / MEMBER / COLLABORATOR / CONTRIBUTOR / NONE as GitHub computes it for a person."""
    key = login.lower()
    user = world.users.get(key)
    if user is not None and user.type == "Bot":
        return "NONE"
    if repo.owner.lower() == key:
        return "OWNER"
    org = world.org_of(repo)
    if org is not None and key in {m.lower() for m in org.members | org.owners}:
        return "MEMBER"
    if key in {k.lower() for k in repo.collaborators if repo.collaborators[k] != "none"}:
        return "COLLABORATOR"
    # GitHub says CONTRIBUTOR for people who committed to the repository; the sandbox has no
    # commits, so it counts people who opened an issue there before (closest observable fact).
    return "NONE"


def token_scope(actor: Actor, scope: str) -> str:
    """A workflow token's level for one scope: "none", "read" or "write"."""
    return dict(actor.permissions).get(scope, "none")


def can_see(world: World, actor: Actor, repo: Repo) -> bool:
    if actor.kind == "installation":
        return repo.installation_id == actor.installation_id
    if actor.kind == "workflow":
        return repo.full_name.lower() == actor.repository or not repo.private
    if actor.kind == "user" and actor.login:
        return role_rank(role_of(world, repo, actor.login)) >= role_rank("read")
    return not repo.private


def repo_for(world: World, actor: Actor, owner: str, name: str) -> Repo:
    """The repository if the actor may see it; GitHub answers 404, never 403, otherwise."""
    repo = world.repo(owner, name)
    if repo is None or not can_see(world, actor, repo):
        raise not_found()
    if actor.kind == "app":
        # A JWT only reaches the /app endpoints; GitHub refuses it elsewhere.
        raise forbidden("Resource not accessible by integration")
    return repo


def has_role(world: World, actor: Actor, repo: Repo, role: str) -> bool:
    """Whether the actor holds ``role`` (or more). The installation counts as issues: write."""
    if actor.kind == "installation":
        return repo.installation_id == actor.installation_id
    if actor.kind == "workflow":
        # `issues: write` is what lets GITHUB_TOKEN label, assign and comment.
        return repo.full_name.lower() == actor.repository and token_scope(actor, "issues") == "write"
    if actor.kind == "user" and actor.login:
        return role_rank(role_of(world, repo, actor.login)) >= role_rank(role)
    return False


def require_role(world: World, actor: Actor, repo: Repo, role: str) -> None:
    if actor.kind == "anonymous":
        raise ApiError(401, "Requires authentication")
    if not has_role(world, actor, repo, role):
        if actor.kind == "workflow":
            raise forbidden()  # a token missing a permission: "Resource not accessible by integration"
        raise forbidden(
            "Must have push access to repository"
            if role_rank(role) >= 3
            else "Must have triage access to repository"
        )
