"""`python -m app demo`: a whole incident, played against the sandbox, printed as people see it.

No GitHub account and no network: the sandbox GitHub and the server run on
loopback ports of their own, with a key and webhook secret made for this run.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import textwrap
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from .local import Credentials, LocalWorld, local_world

REPO = "acme/web"
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


async def _comment(world: LocalWorld, login: str, number: int, body: str) -> None:
    status, _ = await world.user(login).post(
        f"/repos/{REPO}/issues/{number}/comments", json={"body": body}
    )
    assert status == 201, f"commenting failed with {status}"


def _steps(number: int) -> list[tuple[str, str, Callable[[LocalWorld], Awaitable[Any]]]]:
    """(who, what they do, how): the scenario, as a person would tell it."""

    def say(login: str, body: str) -> Callable[[LocalWorld], Awaitable[Any]]:
        return lambda world: _comment(world, login, number, body)

    return [
        ("alice", "hands the lead to bob", say("alice", "/lead @bob")),
        ("bob", "acknowledges as lead", say("bob", "/ack\nLooking at the deploy log now.")),
        ("bob", "posts an update", say("bob", "/update Rolled back deploy 412; errors falling.")),
        ("bob", "marks it stabilized", say("bob", "/status stabilized")),
        ("carol", "tries to jump straight to resolved", say("carol", "/status resolved")),
        ("bob", "starts the investigation", say("bob", "/status under investigation")),
        ("bob", "resolves it", say("bob", "/resolve")),
    ]


def _print_summary(world: LocalWorld, number: int, out: TextIO) -> None:
    for comment in world.sandbox.comments(REPO, number):
        if "<!-- incident-bot:summary" in comment["body"]:
            print(textwrap.indent(_visible(comment["body"]), "    | "), file=out)


def _visible(body: str) -> str:
    """What GitHub renders: hidden HTML comments dropped."""
    lines = [line for line in body.splitlines() if not line.strip().startswith("<!--")]
    return "\n".join(lines).strip()


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
    async with local_world(credentials=Credentials.generate()) as world:
        print(f"sandbox GitHub at {world.sandbox.base_url}, app at {world.url}", file=out)
        status, issue = await world.user("alice").post(
            f"/repos/{REPO}/issues",
            json={"title": "Search is down", "body": FORM_BODY, "labels": ["incident"]},
        )
        if status != 201:
            print(f"demo: the sandbox refused to open the issue ({status})", file=sys.stderr)
            return 1
        number = int(issue["number"])
        await world.settle()
        print("\n>>> alice declares an incident with the issue form", file=out)
        _print_summary(world, number, out)
        for who, what, act in _steps(number):
            await act(world)
            await world.settle()
            print(f"\n>>> {who} {what}", file=out)
            _print_summary(world, number, out)
        print_thread(world, number, out)
    return 0


def main() -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    return asyncio.run(play())
