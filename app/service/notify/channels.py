"""The three channels, each a request shape and what its answers mean.

- PagerDuty Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/):
  `POST /v2/enqueue` with `routing_key`, `event_action` (trigger, acknowledge, resolve) and a
  `dedup_key`; a trigger carries `payload.summary` (at most 1024 characters), `payload.source`
  and `payload.severity` (critical, error, warning, info), and `links`. It answers 202;
  400 is a bad event (not retried); 429 and 5xx are retried later ("Response Codes & Retry
  Logic").
- A Slack incoming webhook (https://api.slack.com/messaging/webhooks): a JSON `text`,
  answered 200 `ok`; Mattermost and Rocket.Chat accept the same. In Slack's text `&`, `<`
  and `>` are control characters and must be escaped (https://api.slack.com/reference/surfaces/formatting).
- A generic webhook of our own, signed as GitHub signs its deliveries: HMAC-SHA256 of the
  raw body with the shared secret, hex, in `X-Incident-Bot-Signature-256: sha256=…`
  (docs/notifications.md has the JSON schema).

A request is built only from a `Notify`, which for a security incident carries nothing
but its neutral name and link: no channel can leak what it was not given.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from app.core.actions import Notify

USER_AGENT = "incident-bot"
SUMMARY_MAX = 1024  # PagerDuty's limit for payload.summary
DEDUP_MAX = 255  # PagerDuty's limit for dedup_key
SIGNATURE_HEADER = "X-Incident-Bot-Signature-256"
# Words that notify a whole chat channel when posted as plain text (Mattermost reads them).
_BROADCAST = re.compile(r"@(channel|here|all|everyone)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Request:
    body: bytes
    headers: dict[str, str]


class Channel(Protocol):
    @property
    def name(self) -> str:
        """For metrics and logs: pagerduty, slack, webhook."""
        ...

    @property
    def kind(self) -> str:
        """The workflow's name for it: page, chat, webhook."""
        ...

    @property
    def url(self) -> str: ...

    def request(self, notice: Notify) -> Request | None:
        """What to send for this notification, or None when it is not for this channel."""
        ...


def _json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _iso(notice: Notify) -> str:
    return notice.at.strftime("%Y-%m-%dT%H:%M:%SZ")


def dedup_key(notice: Notify) -> str:
    """Stable per incident: its issue's URL, so re-sending never opens a second page."""
    if len(notice.url) <= DEDUP_MAX:
        return notice.url
    return hashlib.sha256(notice.url.encode()).hexdigest()


@dataclass(frozen=True)
class PagerDuty:
    routing_key: str = field(repr=False)
    url: str = field(repr=False)
    name: str = "pagerduty"
    kind: str = "page"

    def request(self, notice: Notify) -> Request | None:
        if notice.page is None:
            return None
        data: dict[str, Any] = {
            "routing_key": self.routing_key,
            "event_action": notice.page,
            "dedup_key": dedup_key(notice),
        }
        if notice.page == "trigger":
            payload: dict[str, Any] = {
                "summary": _bounded(notice.text, SUMMARY_MAX),
                "source": notice.repository,
                "severity": notice.page_severity,
                "timestamp": _iso(notice),
                "class": notice.event,
            }
            if not notice.security:
                payload["custom_details"] = _details(notice)
            data["payload"] = payload
            data["links"] = [{"href": notice.url, "text": _bounded(notice.title, SUMMARY_MAX)}]
            data["client"] = "Incident Bot"
            data["client_url"] = notice.url
        return Request(_json(data), {"Content-Type": "application/json", "User-Agent": USER_AGENT})


def _details(notice: Notify) -> dict[str, Any]:
    return {
        "issue": notice.url,
        "event": notice.event,
        "severity": notice.severity[1] if notice.severity else None,
        "status": notice.status[1] if notice.status else None,
        "lead": notice.lead,
    }


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slack_escape(text: str) -> str:
    """Slack's three control characters as entities; broadcast words defused."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@\u200b" + m.group(1), text)


@dataclass(frozen=True)
class Slack:
    url: str = field(repr=False)  # the URL is the credential
    name: str = "slack"
    kind: str = "chat"

    def request(self, notice: Notify) -> Request | None:
        if not notice.chat:
            return None
        text = f"{slack_escape(notice.text)}\n{notice.url}"
        return Request(_json({"text": text}), {"Content-Type": "application/json", "User-Agent": USER_AGENT})


def webhook_event(notice: Notify) -> dict[str, Any]:
    """The generic webhook's JSON (docs/notifications.md, "Generic webhook")."""
    incident: dict[str, Any] = {
        "repository": notice.repository,
        "number": notice.number,
        "url": notice.url,
        "title": notice.title,
        "security": notice.security,
    }
    if not notice.security:
        incident["severity"] = (
            {"key": notice.severity[0], "name": notice.severity[1]} if notice.severity else None
        )
        incident["status"] = {"key": notice.status[0], "name": notice.status[1]} if notice.status else None
        incident["lead"] = notice.lead
    return {
        "id": notice.event_id,
        "event": notice.event,
        "sequence": notice.seq,
        "at": _iso(notice),
        "incident": incident,
        "change": {} if notice.security else dict(notice.change),
        "text": notice.text,
    }


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignedWebhook:
    url: str = field(repr=False)
    secret: str = field(repr=False)
    name: str = "webhook"
    kind: str = "webhook"

    def request(self, notice: Notify) -> Request | None:
        if not notice.webhook:
            return None
        body = _json(webhook_event(notice))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Incident-Bot-Event": notice.event,
            "X-Incident-Bot-Delivery": notice.event_id,
            SIGNATURE_HEADER: sign(self.secret, body),
        }
        return Request(body, headers)
