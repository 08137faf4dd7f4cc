"""Webhook payloads shaped like GitHub's (key order and keys from octokit/webhooks examples)."""

from __future__ import annotations

from typing import Any

from . import render
from .access import Actor
from .model import Comment, Issue, Label, Repo, World


def sender(world: World, actor: Actor) -> dict[str, Any]:
    # An installation acts as "<slug>[bot]", type Bot; GitHub names it so in `sender`.
    return render.user(world, actor.login or "ghost")


def notify(
    world: World,
    repo: Repo,
    actor: Actor,
    event: str,
    action: str,
    *,
    issue: Issue | None = None,
    comment: Comment | None = None,
    label: Label | None = None,
    assignee: str | None = None,
    changes: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Build the payload now (a snapshot, as GitHub does) and hand it on (``World.emit``).

    The payload carries ``installation`` only for a repository the app is installed on:
    GitHub delivers an app's webhooks for its installations only, while a workflow in the
    repository sees every event (as ``GITHUB_EVENT_PATH``, without ``installation``).
    """
    payload: dict[str, Any] = {"action": action}
    if issue is not None:
        payload["issue"] = render.issue(world, issue)
    if comment is not None:
        payload["comment"] = render.comment(world, comment)
    if label is not None:
        payload["label"] = render.label(world, repo, label)
    if assignee is not None:
        payload["assignee"] = render.user(world, assignee)
    if changes is not None:
        payload["changes"] = changes
    payload.update(extra or {})
    payload["repository"] = render.repository(world, repo)
    org = world.org_of(repo)
    if org is not None:
        payload["organization"] = render.organization(world, org)
    payload["sender"] = sender(world, actor)
    if repo.installation_id is not None and repo.installation_id in world.installations:
        payload["installation"] = {
            "id": repo.installation_id,
            "node_id": render.node_id("IntegrationInstallation", repo.installation_id),
        }
    world.emit(event, action, payload)
