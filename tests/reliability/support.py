"""Shared by the reliability tests: a scripted incident, its observable end state, replicas.

`play` drives one incident through the sandbox the way people would (declare with the
form, commands from people with and without triage rights, a forbidden transition, a
follow-up, an update, a hand-off, resolution). `end_state` is everything a person could
see on the issue afterwards, so two runs are compared by what they left behind, not by
how they got there.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace

import aiohttp
from aiohttp import web

from app.cli.local import LocalWorld, settle_world
from app.core.clock import Clock
from app.sandbox import Sandbox
from app.service.notify import SendPolicy
from app.service.processor import Processor
from app.service.services import Services
from app.settings import NotifySettings, Settings
from app.web.server import PROCESSOR, SERVICES, create_app
from tests.common import FAST_RETRIES, T0
from tests.harness import app_requests, world
from tests.keys import SECRET, private_key_pem, public_key_pem

REPO = "acme/web"
BOT = "incident-bot[bot]"
FORM = """### What is broken?

Checkout fails for everyone.

### Severity

2 - Major: some users

### Security

- [ ] This is a security incident (do not write details here)
"""

# (who, comment): the people's side of one incident, after it was declared.
SCRIPT: tuple[tuple[str, str], ...] = (
    ("dave", "/severity 1"),
    ("erin", "/severity 3"),  # read access only: refused, changes nothing
    ("alice", "/status resolved"),  # not allowed from stabilization pending: refused
    ("alice", "/followup Add an alert on checkout errors"),
    ("bob", "/update Rolled back the deploy"),
    ("alice", "/status stabilized"),
    ("mallory", "/help"),
    ("alice", "/status under-investigation"),
    ("bob", "/lead @bob"),
    ("alice", "/status resolved"),
)

Settle = Callable[[], Awaitable[None]]


async def play(sandbox: Sandbox, settle: Settle, title: str = "Checkout down") -> int:
    """Declare an incident and run SCRIPT on it, settling after each step."""
    status, issue = await sandbox.user("alice").post(
        f"/repos/{REPO}/issues", json={"title": title, "body": FORM, "labels": ["incident"]}
    )
    assert status == 201, issue
    number = int(issue["number"])
    await settle()
    for who, body in SCRIPT:
        status, answer = await sandbox.user(who).post(
            f"/repos/{REPO}/issues/{number}/comments", json={"body": body}
        )
        assert status == 201, answer
        await settle()
    return number


# Times and ids differ between two runs that did the same thing; mask them.
_VOLATILE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d)?Z?( UTC)?|#\d+|reply-\d+|followup-\d+|\d{7,}")


@dataclass(frozen=True)
class EndState:
    labels: frozenset[str]
    assignees: tuple[str, ...]
    state: str
    bot_comments: tuple[str, ...]  # masked bodies, in order
    followups: tuple[str, ...]  # titles of the linked sub-issues
    open_followups: int  # open issues naming the incident, linked or not: no stray copies

    def counts(self) -> dict[str, int]:
        return {
            "bot comments": len(self.bot_comments),
            "follow-ups": len(self.followups),
            "labels": len(self.labels),
            "open follow-ups": self.open_followups,
        }


def end_state(sandbox: Sandbox, number: int) -> EndState:
    issue = sandbox.issue(REPO, number)
    comments = [c for c in sandbox.comments(REPO, number) if c["user"]["login"] == BOT]
    repo = sandbox.state.repo("acme", "web")
    assert repo is not None
    subs = [i for i in repo.issues.values() if i.parent_id == issue["id"] and not i.deleted]
    return EndState(
        labels=frozenset(label["name"] for label in issue["labels"]),
        assignees=tuple(sorted(a["login"] for a in issue["assignees"])),
        state=issue["state"],
        bot_comments=tuple(_VOLATILE.sub("…", c["body"]) for c in comments),
        followups=tuple(sorted(s.title for s in subs)),
        open_followups=sum(
            1
            for i in repo.issues.values()
            if not i.deleted and i.state == "open" and re.search(rf"incident #{number}\b", i.body or "")
        ),
    )


def writes(w: LocalWorld) -> int:
    return sum(1 for r in app_requests(w) if r.method != "GET")


async def reference(title: str = "Checkout down") -> EndState:
    """The end state of SCRIPT with no faults at all: what every faulty run must reach."""
    async with world() as w:
        number = await play(w.sandbox, w.settle, title)
        return end_state(w.sandbox, number)


# --- two replicas sharing one sandbox ----------------------------------------------------


@dataclass
class Replicas:
    sandbox: Sandbox
    servers: list[web.Application]
    clock: Clock
    dead: set[int] = field(default_factory=set)  # replicas the front no longer sends to
    killed: asyncio.Event = field(default_factory=asyncio.Event)  # set at every kill

    def kill(self, index: int) -> None:
        """As kill -9 would: its workers stop mid-pass, no lease is released, nothing drains."""
        self.dead.add(index)
        for task in self.processors[index]._workers:
            task.cancel()
        self.killed.set()  # a settle waiting on this replica stops waiting: it never idles now

    @property
    def processors(self) -> list[Processor]:
        return [s[PROCESSOR] for s in self.servers]

    async def settle(self, rounds: int = 100) -> None:
        async def idle_unless_killed(index: int, processor: Processor) -> None:
            waiting = asyncio.ensure_future(processor.wait_idle())
            killed = asyncio.ensure_future(self.killed.wait())
            while True:
                await asyncio.wait({waiting, killed}, return_when=asyncio.FIRST_COMPLETED)
                if waiting.done() or index in self.dead:
                    break
                self.killed.clear()  # another replica was killed: keep waiting for this one
                killed = asyncio.ensure_future(self.killed.wait())
            for task in (waiting, killed):
                task.cancel()

        async def idle() -> None:
            alive = [(i, p) for i, p in enumerate(self.processors) if i not in self.dead]
            await asyncio.gather(*(idle_unless_killed(i, p) for i, p in alive))
            await asyncio.gather(*(s[SERVICES].notifier.wait_idle() for s in self.servers))

        await settle_world(self.sandbox, idle, rounds)


@asynccontextmanager
async def replicas(
    count: int = 2,
    *,
    notify: NotifySettings | None = None,
    notify_policy: SendPolicy | None = None,
    claim_delay: float = 0.3,
    redis_url: str = "",
    dispatch: str = "all",
    lease_ms: int = 1500,
) -> AsyncIterator[Replicas]:
    """`count` app servers, each with its own queue, dedupe cache and caches, sharing one
    sandbox (and with `redis_url`, one Redis); the front in front gives every replica a copy
    of every delivery at once ("all"), each delivery to the next replica ("round-robin"), or
    to the next two replicas at once ("pairs"), skipping replicas killed."""
    clock = Clock(T0)
    sandbox = Sandbox(
        app_id=1,
        app_slug="incident-bot",
        app_public_key_pem=public_key_pem(),
        webhook_secret=SECRET,
        clock=clock,
    )
    api_url = await sandbox.start()
    settings = Settings(
        app_id="1",
        private_key=private_key_pem(),
        webhook_secret=SECRET,
        api_url=api_url,
        host="127.0.0.1",
        port=0,
        grace_period=5.0,
        notify=notify or NotifySettings(),
    )
    if redis_url:
        settings = replace(settings, redis_url=redis_url, lease_ms=lease_ms, poll=0.1)
    runners: list[web.AppRunner] = []
    servers: list[web.Application] = []
    urls: list[str] = []
    for _ in range(count):
        server = create_app(
            settings,
            policy=FAST_RETRIES,
            services_factory=lambda github: Services(github, now=clock),
            clock=lambda: clock().timestamp(),
            notify_policy=notify_policy,
            claim_delay=claim_delay,
        )
        runner = web.AppRunner(server)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        servers.append(server)
        urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}/webhook")

    session = aiohttp.ClientSession()
    turn = 0
    state: list[Replicas] = []

    def targets() -> list[str]:
        nonlocal turn
        dead = state[0].dead if state else set()
        alive = [u for i, u in enumerate(urls) if i not in dead]
        if dispatch == "all":
            return alive
        turn += 1
        wanted = 1 if dispatch == "round-robin" else 2
        return [alive[(turn + k) % len(alive)] for k in range(min(wanted, len(alive)))]

    async def fan_out(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}

        async def send(url: str) -> int:
            async with session.post(url, data=body, headers=headers) as r:
                await r.read()
                return r.status

        statuses = await asyncio.gather(*(send(u) for u in targets()))
        return web.Response(status=max(statuses))

    front = web.Application()
    front.router.add_post("/webhook", fan_out)
    front_runner = web.AppRunner(front)
    await front_runner.setup()
    front_site = web.TCPSite(front_runner, "127.0.0.1", 0)
    await front_site.start()
    sandbox.webhook_url = f"http://127.0.0.1:{front_runner.addresses[0][1]}/webhook"
    state.append(Replicas(sandbox, servers, clock))
    try:
        yield state[0]
    finally:
        await front_runner.cleanup()
        await session.close()
        for runner in runners:
            await runner.cleanup()
        await sandbox.stop()


def services(server: web.Application) -> Services:
    return server[SERVICES]


def differences(got: EndState, expected: EndState) -> str:
    """What differs, readably: for assertion messages."""
    import difflib

    out = []
    for name in ("labels", "assignees", "state", "followups", "open_followups"):
        if getattr(got, name) != getattr(expected, name):
            out.append(f"{name}: {getattr(got, name)!r}, expected {getattr(expected, name)!r}")
    if len(got.bot_comments) != len(expected.bot_comments):
        out.append(f"{len(got.bot_comments)} bot comments, expected {len(expected.bot_comments)}")
    for a, b in zip(expected.bot_comments, got.bot_comments, strict=False):
        out.extend(difflib.unified_diff(a.splitlines(), b.splitlines(), "expected", "got", lineterm=""))
    return "\n".join(out)
