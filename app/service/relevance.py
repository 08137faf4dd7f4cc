"""Whether a delivery can matter, decided at the acknowledgement from its payload alone.

The queue holds issues, and most deliveries GitHub sends an installation cannot change
an incident: the app's own echoes, labels on issues that are neither incidents nor
follow-ups, conversation without a command. Those are answered at once and never
queued, so a burst of them costs no pass and no API call. When in doubt (a repository
whose config is not cached yet names its labels otherwise), a delivery is relevant:
the pass reads the config and decides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from app.core import markers
from app.core.commands import grammar
from app.service.webhook import Delivery

# (owner/repo) -> the label names that make an issue the bot's business there.
LabelsOf = Callable[[str], Iterable[str]]


def relevant(delivery: Delivery, *, bot_login: str | None, labels_of: LabelsOf) -> bool:
    data = delivery.event.data
    sender = _login(data.get("sender"))
    if bot_login and sender == bot_login:
        return False  # our own change: the pass that made it already reconciled the issue
    match delivery.event.event:
        case "issue_comment":
            return _comment_matters(data)
        case "issues":
            return _issue_matters(data, {x.lower() for x in labels_of(delivery.repository or "")})
    return True


def _comment_matters(data: dict[str, Any]) -> bool:
    issue, comment = data.get("issue"), data.get("comment")
    if not isinstance(issue, dict) or not isinstance(comment, dict) or data.get("action") != "created":
        return False
    if issue.get("pull_request"):
        return False  # a pull request's conversation, not an incident
    user = comment.get("user")
    if not isinstance(user, dict) or user.get("type") == "Bot":
        return False  # no integration writes commands for people
    if grammar.has_command_line(str(comment.get("body") or "")):
        return True
    assignees = issue.get("assignees") if isinstance(issue.get("assignees"), list) else []
    lead = _login(assignees[0]) if assignees else None
    return bool(lead) and lead == _login(user)  # the lead's plain comment may acknowledge


def _issue_matters(data: dict[str, Any], interesting: set[str]) -> bool:
    issue = data.get("issue")
    if not isinstance(issue, dict) or issue.get("pull_request"):
        return False
    names = {str(x.get("name", "")).lower() for x in issue.get("labels") or () if isinstance(x, dict)}
    changed = data.get("label")
    label = str(changed.get("name", "")).lower() if isinstance(changed, dict) else ""
    if names & interesting or label in interesting:
        return True  # an incident or a follow-up (or it just stopped being one)
    if issue.get("parent_issue_url"):
        return True  # a sub-issue: maybe of an incident
    return markers.is_followup(markers.kind_of(str(issue.get("body") or "")))


def _login(user: Any) -> str | None:
    login = user.get("login") if isinstance(user, dict) else None
    return login if isinstance(login, str) else None
