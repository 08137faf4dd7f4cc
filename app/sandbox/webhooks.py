"""Delivery of webhooks to the app: one at a time, in order, from a background task.

GitHub does not retry: a delivery answered non-2xx, or whose connection fails, is recorded
(``status`` None for a connection failure) and the queue moves on.

Order rules (what an app may observe):
- a payload is a snapshot taken when the change happens; deliveries leave in change order;
- issue creation: ``issues.opened`` (already showing every label and assignee), then one
  ``issues.labeled`` per label, then one ``issues.assigned`` per assignee;
- one PATCH of an issue: ``edited`` (title/body, one delivery with both ``changes``), then
  ``closed``/``reopened``, then ``unlabeled``/``labeled`` for the label difference, then
  ``unassigned``/``assigned`` for the assignee difference;
- sub-issues: ``sub_issue_added`` (parent's repo) then ``parent_issue_added`` (sub's repo);
  ``replace_parent`` first sends the two ``*_removed`` for the old parent;
- only subscribed events, and only for repositories of one of the app's installations.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

HOOKSHOT = "GitHub-Hookshot/5a1b2c3"
TIMEOUT = aiohttp.ClientTimeout(total=10)  # GitHub gives up after 10 s


@dataclass
class Delivery:
    """One delivery attempt, as listed in GitHub's "Recent deliveries"."""

    id: str
    event: str
    action: str | None
    payload: dict[str, Any]
    body: bytes
    headers: dict[str, str]
    status: int | None = None
    redelivery: bool = False
    error: str | None = None
    dropped: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)


def sign(secret: str, body: bytes) -> dict[str, str]:
    key = secret.encode()
    return {
        "X-Hub-Signature": "sha1=" + hmac.new(key, body, hashlib.sha1).hexdigest(),
        "X-Hub-Signature-256": "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest(),
    }


@dataclass
class DeliveryFaults:
    """Webhook-side faults: drop, duplicate or reorder deliveries (seeded, reproducible)."""

    drop_share: float = 0.0
    duplicate_share: float = 0.0
    reorder_window: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(0))

    def clear(self) -> None:
        self.drop_share = self.duplicate_share = 0.0
        self.reorder_window = 0


class DeliveryQueue:
    def __init__(
        self,
        *,
        app_id: int,
        hook_id: int,
        secret: str,
        url: str | None,
        events: tuple[str, ...],
        faults: DeliveryFaults,
    ) -> None:
        self.app_id = app_id
        self.hook_id = hook_id
        self.secret = secret
        self.url = url
        self.events = events
        self.faults = faults
        self.deliveries: list[Delivery] = []
        self._queue: asyncio.Queue[Delivery] | None = None
        self._held: list[Delivery] = []  # reorder window
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        self._task = asyncio.create_task(self._worker())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def emit(self, event: str, action: str, payload: dict[str, Any]) -> None:
        if event not in self.events or "installation" not in payload:
            return  # not subscribed, or not a repository of the app's installations
        body = json.dumps(payload, separators=(",", ":")).encode()
        delivery_id = str(uuid.uuid4())
        headers = {
            "Content-Type": "application/json",
            "User-Agent": HOOKSHOT,
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery_id,
            "X-GitHub-Hook-ID": str(self.hook_id),
            "X-GitHub-Hook-Installation-Target-ID": str(self.app_id),
            "X-GitHub-Hook-Installation-Target-Type": "integration",
            **sign(self.secret, body),
        }
        d = Delivery(id=delivery_id, event=event, action=action, payload=payload, body=body, headers=headers)
        self.deliveries.append(d)
        f = self.faults
        if f.drop_share and f.rng.random() < f.drop_share:
            d.dropped = True
            d.done.set()
            return
        copies = [d]
        if f.duplicate_share and f.rng.random() < f.duplicate_share:
            dup = Delivery(
                id=d.id,
                event=event,
                action=action,
                payload=payload,
                body=body,
                headers=dict(headers),
                redelivery=True,
            )
            self.deliveries.append(dup)
            copies.append(dup)
        for c in copies:
            self._put(c)

    def _put(self, d: Delivery) -> None:
        if self.faults.reorder_window > 1:
            self._held.append(d)
            if len(self._held) >= self.faults.reorder_window:
                self._flush_held()
            return
        self._enqueue(d)

    def _flush_held(self) -> None:
        held, self._held = self._held, []
        self.faults.rng.shuffle(held)
        for d in held:
            self._enqueue(d)

    def _enqueue(self, d: Delivery) -> None:
        if self._queue is None or self.url is None:
            d.done.set()  # recorded, not sent: no webhook_url or not started
            return
        self._queue.put_nowait(d)

    def redeliver(self, delivery_id: str) -> Delivery:
        original = next((d for d in self.deliveries if d.id == delivery_id), None)
        if original is None:
            raise KeyError(delivery_id)
        # Same X-GitHub-Delivery and body; GitHub re-signs with the current secret.
        again = Delivery(
            id=original.id,
            event=original.event,
            action=original.action,
            payload=original.payload,
            body=original.body,
            headers={**original.headers, **sign(self.secret, original.body)},
            redelivery=True,
        )
        self.deliveries.append(again)
        self._enqueue(again)
        return again

    async def settle(self, timeout: float = 10) -> None:
        self._flush_held()
        if self._queue is not None:
            await asyncio.wait_for(self._queue.join(), timeout)

    async def _worker(self) -> None:
        assert self._queue is not None
        while True:
            d = await self._queue.get()
            try:
                await self._send(d)
            finally:
                d.done.set()
                self._queue.task_done()

    async def _send(self, d: Delivery) -> None:
        url, session = self.url, self._session
        if url is None or session is None:
            return
        try:
            async with session.post(url, data=d.body, headers=d.headers) as resp:
                await resp.read()
                d.status = resp.status
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            d.error = type(exc).__name__
        if d.status is None or not 200 <= d.status < 300:
            # GitHub's "Recent deliveries" shows these; a sandbox in its own process has no
            # other way to tell a soak (bench/soak.py) that a delivery was not taken.
            log.warning(
                "delivery %s %s.%s failed: %s",
                d.id,
                d.event,
                d.action or "-",
                d.status if d.status is not None else d.error,
            )
