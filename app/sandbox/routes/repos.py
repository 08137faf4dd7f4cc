"""Repository endpoints: the repo, a person's permission, file contents, team members."""

from __future__ import annotations

import base64
from urllib.parse import quote

from .. import render
from ..access import repo_for, role_of, token_scope
from ..errors import ApiError, forbidden, not_found
from ..http import Ctx, Reply, Router
from .common import assignable

router = Router()

# permission keeps GitHub's legacy four values; role_name carries the precise role.
LEGACY = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
    "none": "none",
}


@router.add("GET", "/repos/{owner}/{repo}")
async def get_repo(ctx: Ctx) -> Reply:
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    return Reply(body=render.repository(ctx.world, repo, full=True))


@router.add("GET", "/repos/{owner}/{repo}/collaborators/{username}/permission")
async def permission(ctx: Ctx) -> Reply:
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    if ctx.actor.kind == "anonymous":
        raise ApiError(401, "Requires authentication")
    u = ctx.world.user(ctx.params["username"], create=False)
    if u is None:
        raise not_found()
    role = role_of(ctx.world, repo, u.login)
    user = render.user(ctx.world, u)
    user["permissions"] = {
        "admin": role == "admin",
        "maintain": role in ("admin", "maintain"),
        "push": role in ("admin", "maintain", "write"),
        "triage": role in ("admin", "maintain", "write", "triage"),
        "pull": role != "none",
    }
    user["role_name"] = role
    return Reply(body={"permission": LEGACY.get(role, "read"), "role_name": role, "user": user})


@router.add("GET", "/repos/{owner}/{repo}/assignees/{assignee}")
async def check_assignee(ctx: Ctx) -> Reply:
    # "If the assignee can be assigned to issues in the repository, a 204 header with no
    # content is returned. Otherwise a 404 status code is returned." Repository-wide, so a
    # person assignable only as a commenter on one issue is not counted here.
    repo = repo_for(ctx.world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    if assignable(ctx.world, repo, ctx.params["assignee"]):
        return Reply(204)
    raise not_found()


@router.add("GET", "/repos/{owner}/{repo}/contents/{path}")
async def get_contents(ctx: Ctx) -> Reply:
    world = ctx.world
    repo = repo_for(world, ctx.actor, ctx.params["owner"], ctx.params["repo"])
    if (
        ctx.actor.kind == "workflow"
        and repo.full_name.lower() == ctx.actor.repository
        and token_scope(ctx.actor, "contents") == "none"
    ):
        raise forbidden()  # a workflow that did not grant `contents: read`
    ref = ctx.request.query.get("ref") or repo.default_branch
    files = repo.branches.get(ref)
    path = ctx.params["path"].strip("/")
    f = files.get(path) if files is not None else None
    if f is None:
        raise not_found()
    raw = f.text.encode()
    b64 = base64.b64encode(raw).decode()
    # GitHub wraps base64 content at 60 characters, each line ending in "\n".
    wrapped = "".join(b64[i : i + 60] + "\n" for i in range(0, len(b64), 60))
    api = f"{world.api_url}/repos/{repo.full_name}"
    html = f"{world.api_url}/{repo.full_name}/blob/{ref}/{quote(path)}"
    url = f"{api}/contents/{quote(path)}?ref={quote(ref)}"
    git_url = f"{api}/git/blobs/{f.sha}"
    download = f"{world.api_url}/raw/{repo.full_name}/{ref}/{quote(path)}"
    return Reply(
        body={
            "name": path.rsplit("/", 1)[-1],
            "path": path,
            "sha": f.sha,
            "size": len(raw),
            "url": url,
            "html_url": html,
            "git_url": git_url,
            "download_url": download,
            "type": "file",
            "content": wrapped,
            "encoding": "base64",
            "_links": {"self": url, "git": git_url, "html": html},
        }
    )


@router.add("GET", "/orgs/{org}/teams/{team_slug}/members")
async def team_members(ctx: Ctx) -> Reply:
    world = ctx.world
    org = world.orgs.get(ctx.params["org"].lower())
    if ctx.actor.kind == "anonymous":
        raise ApiError(401, "Requires authentication")
    if org is None:
        raise not_found()
    if ctx.actor.kind == "workflow":
        # GITHUB_TOKEN has no organization permissions at all: no `members` scope exists
        # for it, so a team is never readable with it.
        raise forbidden()
    if ctx.actor.kind == "installation":
        # members: read, on the installation's own account only.
        inst = world.installations.get(ctx.actor.installation_id or 0)
        if inst is None or inst.account.lower() != org.login.lower():
            raise not_found()
    elif ctx.actor.kind == "user" and ctx.actor.login is not None:
        if ctx.actor.login.lower() not in {m.lower() for m in org.members | org.owners}:
            raise not_found()  # secret/closed teams are invisible to outsiders
    else:
        raise not_found()
    team = org.teams.get(ctx.params["team_slug"].lower())
    if team is None:
        raise not_found()
    return Reply(body=[render.user(world, m) for m in team.members], paginate=True)
