"""`python -m app demo`: a whole incident, played against the sandbox, printed as people see it.

No GitHub account and no network: the sandbox GitHub and the server run on
loopback ports of their own, with a key and webhook secret made for this run.
PagerDuty, the chat webhook and the signed webhook point at a local receiver
(`Outbox`) that prints what the bot would have sent them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import re
import secrets
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TextIO

from aiohttp import web

from app.cli.local import Credentials, LocalWorld, local_world
from app.core.clock import Clock
from app.settings import NotifySettings

REPO = "acme/web"
HIDDEN = re.compile(r"\s*<!--.*?-->", re.DOTALL)
FORM_BODY = """### What is broken?

Search returns HTTP 500 for every query since the 09:10 deploy.

### Who and how many are affected?

All users of the website and the public API.

### Severity

1 - Critical: all users

### Security

- [ ] This is a security incident (do not write details here)

### Links

https://status.example.com
"""


@dataclass
class Outbox:
    """Stands in for PagerDuty, Slack and a webhook consumer: keeps one line per delivery."""

    secret: str = field(default_factory=lambda: secrets.token_hex(16))
    lines: list[str] = field(default_factory=list)
    base: str = ""

    def settings(self) -> NotifySettings:
        return NotifySettings(
            pagerduty_routing_key="demo-routing-key",
            pagerduty_events_url=f"{self.base}/pagerduty",
            slack_webhook_url=f"{self.base}/chat",
            webhook_url=f"{self.base}/hook",
            webhook_secret=self.secret,
        )

    async def _pagerduty(self, request: web.Request) -> web.Response:
        body = await request.json()
        summary = (body.get("payload") or {}).get("summary", "")
        self.lines.append(f"PagerDuty {body['event_action']}" + (f": {summary}" if summary else ""))
        return web.json_response({"status": "success", "dedup_key": body["dedup_key"]}, status=202)

    async def _chat(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.lines.append(f"chat: {body['text'].splitlines()[0]}")
        return web.Response(text="ok")

    async def _hook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        expected = "sha256=" + hmac.new(self.secret.encode(), raw, hashlib.sha256).hexdigest()
        signed = hmac.compare_digest(expected, request.headers.get("X-Incident-Bot-Signature-256", ""))
        body = json.loads(raw)
        self.lines.append(f"webhook {body['event']} ({body['id']}, signature {'ok' if signed else 'BAD'})")
        return web.Response(status=204)

    def new(self, seen: int) -> list[str]:
        return self.lines[seen:]


@asynccontextmanager
async def outbox() -> AsyncIterator[Outbox]:
    box = Outbox()
    app = web.Application()
    app.router.add_post("/pagerduty", box._pagerduty)
    app.router.add_post("/chat", box._chat)
    app.router.add_post("/hook", box._hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    box.base = f"http://127.0.0.1:{runner.addresses[0][1]}"
    try:
        yield box
    finally:
        await runner.cleanup()


def _print_sent(box: Outbox, seen: int, out: TextIO) -> int:
    for line in box.new(seen):
        print(f"    ⇢ {line}", file=out)
    return len(box.lines)


async def _comment(world: LocalWorld, login: str, number: int, body: str) -> None:
    status, _ = await world.user(login).post(f"/repos/{REPO}/issues/{number}/comments", json={"body": body})
    assert status == 201, f"commenting failed with {status}"


def _steps(number: int) -> list[tuple[int, str, str, Callable[[LocalWorld], Awaitable[Any]]]]:
    """(minutes later, who, what they do, how): the scenario, as a person would tell it."""

    def say(login: str, body: str) -> Callable[[LocalWorld], Awaitable[Any]]:
        return lambda world: _comment(world, login, number, body)

    def close(login: str, issue: int) -> Callable[[LocalWorld], Awaitable[Any]]:
        return lambda world: world.user(login).patch(
            f"/repos/{REPO}/issues/{issue}", json={"state": "closed", "state_reason": "completed"}
        )

    return [
        (2, "alice", "hands the lead to bob", say("alice", "/lead @bob")),
        (4, "bob", "acknowledges", say("bob", "/ack\nLooking at the deploy log now.")),
        (11, "bob", "posts an update", say("bob", "/update Rolled back deploy 412; errors falling.")),
        (3, "bob", "opens a follow-up", say("bob", "/followup Alert when search errors pass 1%")),
        (6, "bob", "marks it stabilized", say("bob", "/status stabilized")),
        (3, "carol", "tries to jump straight to resolved", say("carol", "/status resolved")),
        (20, "bob", "starts the investigation", say("bob", "/status under investigation")),
        (70, "carol", "closes follow-up #2: the alert shipped", close("carol", number + 1)),
        (25, "bob", "resolves it", say("bob", "/resolve")),
    ]


def _summary(world: LocalWorld, number: int) -> str:
    for comment in world.sandbox.comments(REPO, number):
        if "<!-- incident-bot:summary" in comment["body"]:
            return _visible(comment["body"])
    return "(no summary comment)"


def _headline(summary: str) -> str:
    """The summary's first lines (state and lead) and its follow-ups."""
    lines = [line for line in summary.splitlines() if line.strip()]
    followups = [line for line in lines if line.startswith(("- [ ] #", "- [x] #"))]
    return "\n".join(lines[:2] + followups)


def _visible(body: str) -> str:
    """What GitHub renders: hidden HTML comments dropped."""
    return HIDDEN.sub("", body).strip()


def print_thread(world: LocalWorld, number: int, out: TextIO) -> None:
    issue = world.sandbox.issue(REPO, number)
    labels = ", ".join(label["name"] for label in issue["labels"])
    assignees = ", ".join(a["login"] for a in issue["assignees"]) or "nobody"
    print(f"\n=== {REPO}#{number}: {issue['title']} [{issue['state']}]", file=out)
    print(f"    labels: {labels}\n    assignees: {assignees}\n", file=out)
    print(f"--- @{issue['user']['login']} opened the issue", file=out)
    print(textwrap.indent(issue["body"] or "", "    "), file=out)
    for comment in world.sandbox.comments(REPO, number):
        print(f"--- @{comment['user']['login']} commented", file=out)
        print(textwrap.indent(_visible(comment["body"]), "    "), file=out)


async def play(out: TextIO = sys.stdout) -> int:
    async with (
        outbox() as box,
        local_world(credentials=Credentials.generate(), clock=Clock(), notify=box.settings()) as world,
    ):
        print(f"sandbox GitHub at {world.sandbox.base_url}, app at {world.url}", file=out)
        print(f"PagerDuty, chat and webhook notifications go to {box.base} (⇢ lines)", file=out)
        status, issue = await world.user("alice").post(
            f"/repos/{REPO}/issues",
            json={"title": "Search is down", "body": FORM_BODY, "labels": ["incident"]},
        )
        if status != 201:
            print(f"demo: the sandbox refused to open the issue ({status})", file=sys.stderr)
            return 1
        number = int(issue["number"])
        await world.settle()
        print("\n>>> alice declares an incident with the issue form; the bot's summary:", file=out)
        print(textwrap.indent(_summary(world, number), "    | "), file=out)
        sent = _print_sent(box, 0, out)
        for minutes, who, what, act in _steps(number):
            world.clock.advance(minutes=minutes)
            seen = len(world.sandbox.comments(REPO, number))
            await act(world)
            await world.settle()
            print(f"\n>>> {minutes} min later, {who} {what}", file=out)
            for comment in world.sandbox.comments(REPO, number)[seen + 1 :]:
                print(f"    @{comment['user']['login']} replies:", file=out)
                print(textwrap.indent(_visible(comment["body"]), "    > "), file=out)
            print(textwrap.indent(_headline(_summary(world, number)), "    | "), file=out)
            sent = _print_sent(box, sent, out)
        print("\n>>> The whole thread, as people read it on GitHub:", file=out)
        print_thread(world, number, out)
    return 0


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    return asyncio.run(play())
