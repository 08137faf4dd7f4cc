"""Local receivers that answer as PagerDuty, Slack and a signed-webhook consumer do.

Each checks the request shape its service documents and refuses what it would refuse:
- PagerDuty Events API v2 ("Send an Alert Event"): `routing_key` (the integration key),
  `event_action` trigger/acknowledge/resolve, `dedup_key` of at most 255 characters, and
  for a trigger `payload.summary` (at most 1024), `payload.source` and `payload.severity`
  (critical, error, warning, info); 202 `{"status": "success", ...}`, else 400
  `{"status": "invalid event", ...}` ("Response Codes & Retry Logic").
- A Slack incoming webhook: JSON with `text` or `blocks`; 200 `ok`, else 400 `no_text`.
- The generic webhook: the receiver recomputes `X-Incident-Bot-Signature-256` with the
  shared secret and refuses (401) a body it does not match.
`fail_next(name, 429, 503, ...)` makes a receiver answer those first (429 with a
Retry-After of 0 seconds), to prove that the sender retries.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict, deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from app.service.notify import SendPolicy
from app.settings import NotifySettings

ROUTING_KEY = "R0UTINGKEY0123456789abcdefABCDEF"  # 32 characters, as PagerDuty's are
WEBHOOK_SECRET = "shared-secret-for-the-receiver"
FAST_SENDS = SendPolicy(attempts=4, base_delay=0.01, max_delay=0.05, timeout=5.0)
PD_ACTIONS = {"trigger", "acknowledge", "resolve"}
PD_SEVERITIES = {"critical", "error", "warning", "info"}


@dataclass
class Received:
    body: Any
    headers: dict[str, str]


@dataclass
class Receivers:
    base: str = ""
    accepted: dict[str, list[Received]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, list[tuple[int, Any]]] = field(default_factory=lambda: defaultdict(list))
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    _faults: dict[str, deque[int]] = field(default_factory=lambda: defaultdict(deque))

    def fail_next(self, name: str, *statuses: int) -> None:
        self._faults[name].extend(statuses)

    def settings(self, *names: str) -> NotifySettings:
        """Settings that point the chosen channels (default: all three) at these receivers."""
        names = names or ("pagerduty", "slack", "webhook")
        return NotifySettings(
            pagerduty_routing_key=ROUTING_KEY if "pagerduty" in names else "",
            pagerduty_events_url=f"{self.base}/pagerduty/v2/enqueue",
            slack_webhook_url=f"{self.base}/slack/services/T000/B000/XXXX" if "slack" in names else "",
            webhook_url=f"{self.base}/hook" if "webhook" in names else "",
            webhook_secret=WEBHOOK_SECRET if "webhook" in names else "",
        )

    def pagerduty(self) -> list[tuple[str, str]]:
        """(event_action, payload.summary or "") of every accepted PagerDuty event."""
        return [
            (r.body["event_action"], (r.body.get("payload") or {}).get("summary", ""))
            for r in self.accepted["pagerduty"]
        ]

    def events(self) -> list[str]:
        """The generic webhook's events, in the order they arrived."""
        return [r.body["event"] for r in self.accepted["webhook"]]

    def everything(self) -> str:
        """Every byte every receiver was sent, headers included: for leak checks."""
        parts = [json.dumps(r.body) + json.dumps(r.headers) for rs in self.accepted.values() for r in rs]
        return "\n".join(parts)


async def _fault(receivers: Receivers, name: str) -> web.Response | None:
    receivers.attempts[name] += 1
    faults = receivers._faults[name]
    if not faults:
        return None
    status = faults.popleft()
    headers = {"Retry-After": "0"} if status == 429 else {}
    return web.Response(status=status, text="try again later", headers=headers)


def _pagerduty_problems(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["Event object is invalid"]
    problems = []
    if body.get("routing_key") != ROUTING_KEY:
        problems.append("'routing_key' is invalid")
    if body.get("event_action") not in PD_ACTIONS:
        problems.append("'event_action' is invalid")
    dedup = body.get("dedup_key")
    if not isinstance(dedup, str) or not dedup or len(dedup) > 255:
        problems.append("'dedup_key' is invalid")  # we always send one: the issue
    if body.get("event_action") == "trigger":
        payload = body.get("payload") or {}
        summary = payload.get("summary")
        if not isinstance(summary, str) or not summary or len(summary) > 1024:
            problems.append("'payload.summary' is missing or too long")
        if not isinstance(payload.get("source"), str) or not payload.get("source"):
            problems.append("'payload.source' is missing")
        if payload.get("severity") not in PD_SEVERITIES:
            problems.append("'payload.severity' is invalid")
        for link in body.get("links") or []:
            if not isinstance(link, dict) or not str(link.get("href", "")).startswith("http"):
                problems.append("'links' is invalid")
    return problems


@asynccontextmanager
async def receivers() -> AsyncIterator[Receivers]:
    state = Receivers()

    async def pagerduty(request: web.Request) -> web.Response:
        if (answer := await _fault(state, "pagerduty")) is not None:
            return answer
        try:
            body = await request.json()
        except ValueError:
            body = None
        problems = _pagerduty_problems(body)
        if problems:
            answer_body = {
                "status": "invalid event",
                "message": "Event object is invalid",
                "errors": problems,
            }
            state.refused["pagerduty"].append((400, body))
            return web.json_response(answer_body, status=400)
        state.accepted["pagerduty"].append(Received(body, dict(request.headers)))
        return web.json_response(
            {"status": "success", "message": "Event processed", "dedup_key": body["dedup_key"]}, status=202
        )

    async def slack(request: web.Request) -> web.Response:
        if (answer := await _fault(state, "slack")) is not None:
            return answer
        body = await request.json()
        if not isinstance(body, dict) or not (body.get("text") or body.get("blocks")):
            state.refused["slack"].append((400, body))
            return web.Response(status=400, text="no_text")
        state.accepted["slack"].append(Received(body, dict(request.headers)))
        return web.Response(text="ok")

    async def hook(request: web.Request) -> web.Response:
        if (answer := await _fault(state, "webhook")) is not None:
            return answer
        raw = await request.read()
        expected = "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        given = request.headers.get("X-Incident-Bot-Signature-256", "")
        if not hmac.compare_digest(expected, given):
            state.refused["webhook"].append((401, raw))
            return web.Response(status=401, text="bad signature")
        body = json.loads(raw)
        if body.get("id") != request.headers.get("X-Incident-Bot-Delivery"):
            state.refused["webhook"].append((400, body))
            return web.Response(status=400, text="the delivery header must name the event id")
        state.accepted["webhook"].append(Received(body, dict(request.headers)))
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/pagerduty/v2/enqueue", pagerduty)
    app.router.add_post("/slack/services/T000/B000/XXXX", slack)
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    state.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield state
    finally:
        await runner.cleanup()
