"""World objects rendered as the JSON GitHub returns (field sets from the OpenAPI schemas).

API ``url`` fields point at the sandbox itself so clients can follow them; ``html_url`` fields
use the same host (nothing is served there, as on api.github.com vs github.com).
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from .access import author_association
from .model import Comment, Installation, Issue, IssueEvent, Label, Org, Repo, User, World

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def ts(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def node_id(kind: str, ident: int) -> str:
    """GitHub's legacy global node id: base64 of ``<len>:<Type><id>``."""
    return base64.b64encode(f"0{len(kind)}:{kind}{ident}".encode()).decode()


def user(world: World, u: User | str) -> dict[str, Any]:
    if isinstance(u, str):
        found = world.user(u)
        assert found is not None
        u = found
    api = f"{world.api_url}/users/{u.login}"
    return {
        "login": u.login,
        "id": u.id,
        "node_id": node_id(u.type, u.id),
        "avatar_url": f"{world.api_url}/avatars/u/{u.id}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{world.api_url}/{u.login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": u.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def organization(world: World, org: Org) -> dict[str, Any]:
    api = f"{world.api_url}/orgs/{org.login}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("Organization", org.id),
        "url": api,
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events",
        "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": f"{world.api_url}/avatars/u/{org.id}?v=4",
        "description": None,
    }


_REPO_TEMPLATES = {
    "forks_url": "/forks",
    "keys_url": "/keys{/key_id}",
    "collaborators_url": "/collaborators{/collaborator}",
    "teams_url": "/teams",
    "hooks_url": "/hooks",
    "issue_events_url": "/issues/events{/number}",
    "events_url": "/events",
    "assignees_url": "/assignees{/user}",
    "branches_url": "/branches{/branch}",
    "tags_url": "/tags",
    "blobs_url": "/git/blobs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "trees_url": "/git/trees{/sha}",
    "statuses_url": "/statuses/{sha}",
    "languages_url": "/languages",
    "stargazers_url": "/stargazers",
    "contributors_url": "/contributors",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "commits_url": "/commits{/sha}",
    "git_commits_url": "/git/commits{/sha}",
    "comments_url": "/comments{/number}",
    "issue_comment_url": "/issues/comments{/number}",
    "contents_url": "/contents/{+path}",
    "compare_url": "/compare/{base}...{head}",
    "merges_url": "/merges",
    "archive_url": "/{archive_format}{/ref}",
    "downloads_url": "/downloads",
    "issues_url": "/issues{/number}",
    "pulls_url": "/pulls{/number}",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "labels_url": "/labels{/name}",
    "releases_url": "/releases{/id}",
    "deployments_url": "/deployments",
}


def repository(world: World, repo: Repo, *, full: bool = False) -> dict[str, Any]:
    api = f"{world.api_url}/repos/{repo.full_name}"
    html = f"{world.api_url}/{repo.full_name}"
    owner = world.user(repo.owner)
    assert owner is not None
    open_count = sum(1 for i in repo.issues.values() if i.state == "open" and not i.deleted)
    out: dict[str, Any] = {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "private": repo.private,
        "visibility": "private" if repo.private else "public",  # "internal" needs an enterprise
        "owner": user(world, owner),
        "html_url": html,
        "description": repo.description,
        "fork": False,
        "url": api,
    }
    out.update({k: api + v for k, v in _REPO_TEMPLATES.items()})
    out.update(
        {
            "created_at": ts(repo.created_at),
            "updated_at": ts(repo.updated_at),
            "pushed_at": ts(repo.updated_at),
            "git_url": f"git://{html.split('://', 1)[-1]}.git",
            "ssh_url": f"git@sandbox:{repo.full_name}.git",
            "clone_url": f"{html}.git",
            "svn_url": html,
            "homepage": None,
            "size": 0,
            "stargazers_count": 0,
            "watchers_count": 0,
            "language": None,
            "has_issues": True,
            "has_projects": True,
            "has_downloads": True,
            "has_wiki": True,
            "has_pages": False,
            "has_discussions": False,
            "forks_count": 0,
            "mirror_url": None,
            "archived": False,
            "disabled": False,
            "open_issues_count": open_count,
            "license": None,
            "allow_forking": True,
            "is_template": False,
            "web_commit_signoff_required": False,
            "topics": [],
            "visibility": "private" if repo.private else "public",
            "forks": 0,
            "open_issues": open_count,
            "watchers": 0,
            "default_branch": repo.default_branch,
            "custom_properties": {},
        }
    )
    if full:
        out["network_count"] = 0
        out["subscribers_count"] = 0
        org = world.org_of(repo)
        if org is not None:
            out["organization"] = user(world, repo.owner)
    return out


def label(world: World, repo: Repo, lb: Label) -> dict[str, Any]:
    from urllib.parse import quote

    return {
        "id": lb.id,
        "node_id": node_id("Label", lb.id),
        "url": f"{world.api_url}/repos/{repo.full_name}/labels/{quote(lb.name, safe='')}",
        "name": lb.name,
        "color": lb.color,
        "default": lb.default,
        "description": lb.description,
    }


def app(world: World) -> dict[str, Any]:
    a = world.app
    owner = user(world, a.owner)
    return {
        "id": a.id,
        "slug": a.slug,
        "node_id": node_id("Integration", a.id),
        "client_id": a.client_id,
        "owner": owner,
        "name": a.name,
        "description": a.description,
        "external_url": f"{world.api_url}/apps/{a.slug}",
        "html_url": f"{world.api_url}/apps/{a.slug}",
        "created_at": ts(a.created_at),
        "updated_at": ts(a.created_at),
        "permissions": dict(a.permissions),
        "events": list(a.events),
        "installations_count": len(world.installations),
    }


def installation(world: World, inst: Installation) -> dict[str, Any]:
    account = world.user(inst.account)
    assert account is not None
    return {
        "id": inst.id,
        "client_id": world.app.client_id,
        "account": user(world, account),
        "repository_selection": inst.repository_selection,
        "access_tokens_url": f"{world.api_url}/app/installations/{inst.id}/access_tokens",
        "repositories_url": f"{world.api_url}/installation/repositories",
        "html_url": f"{world.api_url}/organizations/{inst.account}/settings/installations/{inst.id}",
        "app_id": world.app.id,
        "app_slug": world.app.slug,
        "target_id": account.id,
        "target_type": account.type,
        "permissions": dict(world.app.permissions),
        "events": list(world.app.events),
        "created_at": ts(inst.created_at),
        "updated_at": ts(inst.created_at),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


def reactions_rollup(url: str, contents: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"url": url, "total_count": len(contents)}
    out.update({c: contents.count(c) for c in REACTIONS})
    return out


def sub_issues_summary(world: World, issue: Issue) -> dict[str, int]:
    subs = [world.issues[i] for i in issue.sub_issue_ids if i in world.issues]
    done = sum(1 for s in subs if s.state == "closed")
    pct = (done * 100) // len(subs) if subs else 0
    return {"total": len(subs), "completed": done, "percent_completed": pct}


def issue(world: World, iss: Issue) -> dict[str, Any]:
    repo = world.repos[iss.repo]
    api = f"{world.api_url}/repos/{repo.full_name}/issues/{iss.number}"
    labels = [label(world, repo, lb) for lid in iss.labels if (lb := repo.label_by_id(lid))]
    assignees = [user(world, a) for a in iss.assignees]
    parent = world.issues.get(iss.parent_id) if iss.parent_id else None
    return {
        "url": api,
        "repository_url": f"{world.api_url}/repos/{repo.full_name}",
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": f"{world.api_url}/{repo.full_name}/issues/{iss.number}",
        "id": iss.id,
        "node_id": node_id("Issue", iss.id),
        "number": iss.number,
        "title": iss.title,
        "user": user(world, iss.user),
        "labels": labels,
        "state": iss.state,
        "locked": iss.locked,
        "assignee": assignees[0] if assignees else None,
        "assignees": assignees,
        "milestone": iss.milestone,
        "comments": len(iss.comment_ids),
        "created_at": ts(iss.created_at),
        "updated_at": ts(iss.updated_at),
        "closed_at": ts(iss.closed_at),
        "closed_by": user(world, iss.closed_by) if iss.closed_by and iss.state == "closed" else None,
        "author_association": author_association(world, repo, iss.user),
        "type": {"name": iss.type} if iss.type else None,
        "active_lock_reason": None,
        "sub_issues_summary": sub_issues_summary(world, iss),
        "parent_issue_url": f"{world.api_url}/repos/{world.repos[parent.repo].full_name}/issues/"
        f"{parent.number}"
        if parent
        else None,
        "body": iss.body,
        "reactions": reactions_rollup(f"{api}/reactions", []),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": app(world) if iss.via_app else None,
        "state_reason": iss.state_reason,
    }


def comment(world: World, c: Comment) -> dict[str, Any]:
    iss = world.issues[c.issue_id]
    repo = world.repos[iss.repo]
    api = f"{world.api_url}/repos/{repo.full_name}/issues/comments/{c.id}"
    return {
        "url": api,
        "html_url": f"{world.api_url}/{repo.full_name}/issues/{iss.number}#issuecomment-{c.id}",
        "issue_url": f"{world.api_url}/repos/{repo.full_name}/issues/{iss.number}",
        "id": c.id,
        "node_id": node_id("IssueComment", c.id),
        "user": user(world, c.user),
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "author_association": author_association(world, repo, c.user),
        "body": c.body,
        "reactions": reactions_rollup(f"{api}/reactions", [r.content for r in c.reactions]),
        "performed_via_github_app": app(world) if c.via_app else None,
    }


def event(world: World, ev: IssueEvent) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ev.id,
        "node_id": node_id("Event", ev.id),
        "url": f"{world.api_url}/repos/{world.repos[world.issues[ev.issue_id].repo].full_name}"
        f"/issues/events/{ev.id}",
        "actor": user(world, ev.actor),
        "event": ev.event,
        "commit_id": None,
        "commit_url": None,
        "created_at": ts(ev.created_at),
        "performed_via_github_app": app(world) if ev.via_app else None,
    }
    for key, value in ev.extra.items():
        out[key] = user(world, value) if key in ("assignee", "assigner") else value
    return out
