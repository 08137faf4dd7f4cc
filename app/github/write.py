"""The one place actions become GitHub API calls.

The rules decide; this performs, in order, and skips what is already so (a label
already there, a comment already saying the same), so a repeated decision costs
no writes. It keeps its own view of the issue up to date as it goes, so a later
action sees the effect of an earlier one.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gidgethub import BadRequest
from gidgethub.abc import GitHubAPI

from app.core import markers
from app.core.actions import (
    Action,
    AddLabels,
    CloseIssue,
    EnsureLabels,
    LinkSubIssue,
    OpenFollowup,
    RemoveLabel,
    ReopenIssue,
    Reply,
    SetAssignees,
    UpsertComment,
)
from app.core.incident import Incident, SubIssue
from app.github import errors
from app.github.refs import IssueRef

log = logging.getLogger(__name__)

# Times the "re-read, create, keep the first" repair undid a copy another run had made at
# the same time ("comment", "follow-up"). Replicas sharing Redis never race on one issue, so
# with REDIS_URL this stays 0; /metrics shows it, the last line of defence seen firing.
REPAIRS: Counter[str] = Counter()


@dataclass(frozen=True)
class Refusal:
    """One write GitHub refused: which, why in one line for the summary, and GitHub's answer."""

    action: Action
    why: str
    error: BadRequest


@dataclass
class Outcome:
    """What the writer did: its log lines, and what it created, which only GitHub could number."""

    done: list[str] = field(default_factory=list)
    opened: list[SubIssue] = field(default_factory=list)  # follow-ups it opened, as GitHub answered
    comments: dict[str, int] = field(default_factory=dict)  # kind -> id of a comment it posted
    # Writes GitHub refused (422, 403, or a sub-resource's 404), each with why in one line:
    # the rest were still performed, and the summary says what could not be done.
    refused: list[Refusal] = field(default_factory=list)


LINK_TRIES = 4

# The delivery a pass works for, so the writer's log lines name it (set by the processor).
DELIVERY: contextvars.ContextVar[str] = contextvars.ContextVar("delivery", default="-")


@dataclass
class Executor:
    gh: GitHubAPI
    issue: IssueRef
    incident: Incident
    outcome: Outcome = field(default_factory=Outcome)
    # The repository's labels as the last pass left them (shared by passes, kept for minutes
    # by the caller): a pass whose labels all exist reads and writes none of them.
    known_labels: set[str] | None = None

    @property
    def done(self) -> list[str]:
        """What the writer did, for logs and tests: ("post comment", ...)."""
        return self.outcome.done

    def __post_init__(self) -> None:
        self._labels = {name.lower(): name for name in self.incident.labels}
        self._assignees = tuple(self.incident.assignees)
        self._state = self.incident.state
        self._bot_comments = {  # comment id -> body, the bot's own
            c.id: c.body for c in self.incident.comments if c.author == self.incident.bot_login
        }
        self._repo_labels: set[str] | None = None

    async def run(self, actions: list[Action]) -> Outcome:
        """Perform the actions in order; what was done, created and refused, so far.

        One write GitHub refuses does not abort the others: an unassignable lead must not
        cost the incident its summary, its thanks and its next steps.
        """
        for action in actions:
            try:
                await self._perform(action)
            except BadRequest as exc:
                why = _refusal(action, exc)
                if why is None:
                    raise
                self.outcome.refused.append(Refusal(action, why, exc))
                log.warning(
                    "delivery=%s %s/%s#%d: GitHub refused a write (%s): %s",
                    DELIVERY.get(),
                    self.issue.owner,
                    self.issue.repo,
                    self.issue.number,
                    errors.status_of(exc),
                    why,
                )
        return self.outcome

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
                    await self._post_comment(body, kind)
            case OpenFollowup():
                await self._open_followup(action)
            case LinkSubIssue(sub_issue_id, number):
                await self._link(sub_issue_id)
                self.done.append(f"link follow-up #{number}")
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
        if self.known_labels is not None and all(spec.name.lower() in self.known_labels for spec in labels):
            return
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
                if not errors.is_unprocessable(exc):  # 422: another replica created it first
                    raise
            self._repo_labels.add(spec.name.lower())
        if self.known_labels is not None:
            self.known_labels.update(self._repo_labels)

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
            if not errors.is_not_found(exc):  # already gone: what we wanted
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
        return next((cid for cid, body in self._bot_comments.items() if markers.kind_of(body) == kind), None)

    async def _upsert_comment(self, kind: str, body: str) -> None:
        comment_id = self._bot_comment_id(kind)
        if comment_id is None:
            comment_id = await self._post_comment(body, kind)
        if comment_id is None or self._bot_comments[comment_id] == body:
            return
        await self._edit_comment(comment_id, body, kind)

    async def _edit_comment(self, comment_id: int, body: str, kind: str) -> None:
        await self.gh.patch(
            "/repos/{owner}/{repo}/issues/comments/{id}",
            {**self.issue.vars, "id": comment_id},
            data={"body": body},
        )
        self._bot_comments[comment_id] = body
        self.done.append(f"edit comment {kind}")

    # Replicas. Each replica dedupes only the deliveries it received itself, so two
    # replicas given the same delivery (or two deliveries about one issue) may run at
    # once, and both decide to post the same comment. Labels, assignees and the issue's
    # state are idempotent writes; a new comment is not. So a comment is posted in three
    # steps: re-read the comments (the same URL the incident was loaded from, so when
    # nothing changed it is a conditional request answered 304, which costs no quota),
    # post, then read them again and keep only the first copy (the lowest id: every
    # replica that posted a later copy also sees that one, so all agree on it) and delete
    # our own if it came later. One extra read per comment the bot creates, which is rare
    # (the summary once, a reply per command); no lock or shared store is needed, and
    # GitHub stays the only state.

    async def _post_comment(self, body: str, kind: str | None = None) -> int | None:
        """Post `body` unless another run already did; the id of the comment that stays."""
        earlier = await self._copies(body, kind)
        if earlier:
            return self._adopt(earlier[0])
        created = await self.gh.post(
            "/repos/{owner}/{repo}/issues/{number}/comments", self.issue.vars, data={"body": body}
        )
        own = int(created["id"])
        self._bot_comments[own] = body
        self.done.append("post comment")
        if kind is not None:
            self.outcome.comments[kind] = own
        first = min(await self._copies(body, kind), key=lambda c: c[0], default=(own, body))
        if first[0] == own:
            return own
        try:
            await self.gh.delete("/repos/{owner}/{repo}/issues/comments/{id}", {**self.issue.vars, "id": own})
        except BadRequest as exc:
            if not errors.is_not_found(exc):  # already gone: what we wanted
                raise
        del self._bot_comments[own]
        self.done.append("delete duplicate comment")
        REPAIRS["comment"] += 1
        return self._adopt(first)

    def _adopt(self, comment: tuple[int, str]) -> int:
        self._bot_comments[comment[0]] = comment[1]
        return comment[0]

    async def _copies(self, body: str, kind: str | None) -> list[tuple[int, str]]:
        """The bot's comments that are this one: same marker, or (unmarked) same text, new.

        An unmarked comment counts only if it was not there when the incident was read:
        saying the same thing again later (a second refused transition) is legitimate.
        """
        known = {c.id for c in self.incident.comments}
        url = "/repos/{owner}/{repo}/issues/{number}/comments?per_page=100"
        found = []
        async for c in self.gh.getiter(url, self.issue.vars):
            if (c.get("user") or {}).get("login") != self.incident.bot_login:
                continue
            text = str(c.get("body") or "")
            if kind is not None:
                same = markers.kind_of(text) == kind
            else:
                same = text == body and int(c["id"]) not in known
            if same:
                found.append((int(c["id"]), text))
        return sorted(found)

    # --- the issue itself ----------------------------------------------------------------

    async def _patch_issue(self, data: dict[str, Any]) -> None:
        await self.gh.patch("/repos/{owner}/{repo}/issues/{number}", self.issue.vars, data=data)
        self.done.append(f"update issue {', '.join(sorted(data))}")

    async def _open_followup(self, action: OpenFollowup) -> None:
        if any(markers.kind_of(sub.body) == action.kind for sub in self.incident.sub_issues):
            return
        # Replicas, as for comments above: re-read, create, re-read and keep the first.
        if await self._followups(action.kind):
            return
        created = await self.gh.post(
            "/repos/{owner}/{repo}/issues",
            self.issue.vars,
            data={"title": action.title, "body": action.body, "labels": list(action.labels)},
        )
        await self._link_created(int(created["id"]))
        self.done.append(f"open follow-up #{created['number']}")
        self.outcome.opened.append(SubIssue.from_github(created))
        # Issues cannot be deleted through the REST API, so a later copy is unlinked and
        # closed as a duplicate. The check runs after linking, so whichever run links last
        # sees every copy and closes all but the first (lowest number); an earlier run
        # that saw only some of them never closes the first, as it is the lowest of any.
        for number, sub_id in (await self._followups(action.kind))[1:]:
            await self._drop_followup(number, sub_id)
            self.outcome.opened = [s for s in self.outcome.opened if s.number != number]

    async def _link_created(self, sub_issue_id: int) -> None:
        """Link the follow-up just opened, trying again if GitHub failed: an issue opened and not
        linked is one no later pass can find, so it would be opened twice. Linking twice is
        harmless (GitHub answers 422: it has that parent already)."""
        for attempt in range(LINK_TRIES):
            try:
                await self._link(sub_issue_id)
                return
            except Exception as exc:
                if errors.is_unprocessable(exc) and attempt:
                    return  # the earlier try did link it; only its answer was lost
                if attempt + 1 == LINK_TRIES or not errors.is_transient(exc):
                    raise
                await asyncio.sleep(0.2 * 2**attempt)

    async def _link(self, sub_issue_id: int) -> None:
        await self.gh.post(
            "/repos/{owner}/{repo}/issues/{number}/sub_issues",
            self.issue.vars,
            data={"sub_issue_id": sub_issue_id},
        )

    async def _followups(self, kind: str) -> list[tuple[int, int]]:
        """(number, id) of the incident's sub-issues of this kind, the first first."""
        url = "/repos/{owner}/{repo}/issues/{number}/sub_issues?per_page=100"
        found = [
            (int(sub["number"]), int(sub["id"]))
            async for sub in self.gh.getiter(url, self.issue.vars)
            if markers.kind_of(str(sub.get("body") or "")) == kind
        ]
        return sorted(found)

    async def _drop_followup(self, number: int, sub_id: int) -> None:
        try:
            await self.gh.delete(
                "/repos/{owner}/{repo}/issues/{number}/sub_issue",
                self.issue.vars,
                data={"sub_issue_id": sub_id},
            )
            await self.gh.patch(
                "/repos/{owner}/{repo}/issues/{number}",
                {**self.issue.vars, "number": number},
                data={"state": "closed", "state_reason": "duplicate"},
            )
        except BadRequest as exc:
            if not (errors.is_not_found(exc) or errors.is_unprocessable(exc)):  # another run dropped it
                raise
        self.done.append(f"close duplicate follow-up #{number}")
        REPAIRS["follow-up"] += 1


def _refusal(action: Action, exc: BadRequest) -> str | None:
    """Why GitHub refused this write, in one line for the summary; None when the error is not
    a refusal of this one write (the issue gone, a rate limit, a server error: the pass fails)."""
    sub_resource = isinstance(action, LinkSubIssue | RemoveLabel)
    if not (
        errors.is_unprocessable(exc)
        or errors.is_forbidden(exc)
        or (sub_resource and errors.is_not_found(exc))
    ):
        return None
    reason = "not allowed for the app" if errors.is_forbidden(exc) else "GitHub refused it"
    match action:
        case SetAssignees(logins):
            who = ", ".join(f"@{login}" for login in logins)
            if errors.is_unprocessable(exc):
                reason = "not assignable in this repository"
            return f"could not assign {who}: {reason}"
        case AddLabels(names):
            return f"could not add the labels {', '.join(names)}: {reason}"
        case RemoveLabel(name):
            return f"could not remove the label {name}: {reason}"
        case OpenFollowup(title=title):
            return f"could not open the follow-up {title!r}: {reason}"
        case LinkSubIssue(number=number):
            return f"could not link #{number} as a follow-up: {reason}"
        case CloseIssue() | ReopenIssue():
            return f"could not change the issue's state: {reason}"
        case _:
            return f"could not write a comment: {reason}"
