"""The one place actions become GitHub API calls.

The rules decide; this performs, in order, and skips what is already so (a label
already there, a comment already saying the same), so a repeated decision costs
no writes. It keeps its own view of the issue up to date as it goes, so a later
action sees the effect of an earlier one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from .actions import (
    Action,
    AddLabels,
    CloseIssue,
    EnsureLabels,
    OpenFollowup,
    RemoveLabel,
    ReopenIssue,
    Reply,
    SetAssignees,
    UpsertComment,
    marker,
)
from .incident import Incident

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssueRef:
    owner: str
    repo: str
    number: int

    @property
    def vars(self) -> dict[str, Any]:
        return {"owner": self.owner, "repo": self.repo, "number": self.number}


@dataclass
class Executor:
    gh: GitHubAPI
    issue: IssueRef
    incident: Incident
    # What the executor did, for logs and tests: ("POST comment", ...).
    done: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._labels = {name.lower(): name for name in self.incident.labels}
        self._assignees = tuple(self.incident.assignees)
        self._state = self.incident.state
        self._bot_comments = {  # comment id -> body, the bot's own
            c.id: c.body for c in self.incident.comments if c.author == self.incident.bot_login
        }
        self._repo_labels: set[str] | None = None

    async def run(self, actions: list[Action]) -> list[str]:
        for action in actions:
            await self._perform(action)
        return self.done

    async def _perform(self, action: Action) -> None:
        match action:
            case EnsureLabels(labels):
                await self._ensure_labels(labels)
            case AddLabels(names):
                await self._add_labels(names)
            case RemoveLabel(name):
                await self._remove_label(name)
            case SetAssignees(logins):
                await self._set_assignees(logins)
            case UpsertComment(kind, body):
                await self._upsert_comment(kind, body)
            case Reply(body, kind):
                if kind is None or self._bot_comment_id(kind) is None:
                    await self._post_comment(body)
            case OpenFollowup():
                await self._open_followup(action)
            case CloseIssue(reason):
                if self._state != "closed":
                    await self._patch_issue({"state": "closed", "state_reason": reason})
                    self._state = "closed"
            case ReopenIssue():
                if self._state != "open":
                    await self._patch_issue({"state": "open"})
                    self._state = "open"

    # --- labels --------------------------------------------------------------------------

    async def _ensure_labels(self, labels: Any) -> None:
        if self._repo_labels is None:
            url = "/repos/{owner}/{repo}/labels?per_page=100"
            self._repo_labels = {
                str(label["name"]).lower() async for label in self.gh.getiter(url, self.issue.vars)
            }
        for spec in labels:
            if spec.name.lower() in self._repo_labels:
                continue
            data = {"name": spec.name, "color": spec.color, "description": spec.description}
            try:
                await self.gh.post("/repos/{owner}/{repo}/labels", self.issue.vars, data=data)
                self.done.append(f"create label {spec.name}")
            except BadRequest as exc:
                if int(exc.status_code) != 422:  # 422: another replica created it first
                    raise
            self._repo_labels.add(spec.name.lower())

    async def _add_labels(self, names: tuple[str, ...]) -> None:
        missing = [n for n in names if n.lower() not in self._labels]
        if not missing:
            return
        await self.gh.post(
            "/repos/{owner}/{repo}/issues/{number}/labels", self.issue.vars, data={"labels": missing}
        )
        self._labels.update({n.lower(): n for n in missing})
        self.done.append(f"add labels {', '.join(missing)}")

    async def _remove_label(self, name: str) -> None:
        current = self._labels.get(name.lower())
        if current is None:
            return
        try:
            await self.gh.delete(
                "/repos/{owner}/{repo}/issues/{number}/labels/{name}",
                {**self.issue.vars, "name": current},
            )
        except BadRequest as exc:
            if int(exc.status_code) != 404:  # already gone: what we wanted
                raise
        del self._labels[name.lower()]
        self.done.append(f"remove label {current}")

    # --- people --------------------------------------------------------------------------

    async def _set_assignees(self, logins: tuple[str, ...]) -> None:
        if sorted(x.lower() for x in logins) == sorted(x.lower() for x in self._assignees):
            return
        await self._patch_issue({"assignees": list(logins)})
        self._assignees = tuple(logins)

    # --- comments ------------------------------------------------------------------------

    def _bot_comment_id(self, kind: str) -> int | None:
        tag = marker(kind)
        return next((cid for cid, body in self._bot_comments.items() if tag in body), None)

    async def _upsert_comment(self, kind: str, body: str) -> None:
        comment_id = self._bot_comment_id(kind)
        if comment_id is None:
            await self._post_comment(body)
            return
        if self._bot_comments[comment_id] == body:
            return
        await self.gh.patch(
            "/repos/{owner}/{repo}/issues/comments/{id}",
            {**self.issue.vars, "id": comment_id},
            data={"body": body},
        )
        self._bot_comments[comment_id] = body
        self.done.append(f"edit comment {kind}")

    async def _post_comment(self, body: str) -> None:
        created = await self.gh.post(
            "/repos/{owner}/{repo}/issues/{number}/comments", self.issue.vars, data={"body": body}
        )
        self._bot_comments[int(created["id"])] = body
        self.done.append("post comment")

    # --- the issue itself ----------------------------------------------------------------

    async def _patch_issue(self, data: dict[str, Any]) -> None:
        await self.gh.patch("/repos/{owner}/{repo}/issues/{number}", self.issue.vars, data=data)
        self.done.append(f"update issue {', '.join(sorted(data))}")

    async def _open_followup(self, action: OpenFollowup) -> None:
        tag = marker(action.kind)
        if any(tag in sub.body for sub in self.incident.sub_issues):
            return
        created = await self.gh.post(
            "/repos/{owner}/{repo}/issues",
            self.issue.vars,
            data={"title": action.title, "body": action.body, "labels": list(action.labels)},
        )
        await self.gh.post(
            "/repos/{owner}/{repo}/issues/{number}/sub_issues",
            self.issue.vars,
            data={"sub_issue_id": int(created["id"])},
        )
        self.done.append(f"open follow-up #{created['number']}")
