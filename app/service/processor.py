"""Work after the acknowledgement: a bounded queue of deliveries and a few workers.

GitHub wants an answer within 10 s, so the HTTP handler only queues. Workers
run every matching handler, one issue at a time (deliveries for the same issue
are serialised, because handlers read the issue, decide and write), and one
handler's failure is logged with the delivery id without stopping the others.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import cachetools
from gidgethub.routing import Router

from app.github import errors
from app.github.write import DELIVERY
from app.service.webhook import Delivery

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[None]]
# Builds the extra arguments every handler gets after the event: (gh, services).
Arguments = Callable[[Delivery], tuple[Any, ...]]

SEEN_FOR = 3600  # a delivery id seen in the last hour is not processed again
STALL_AFTER = 300.0  # a queue that has not moved for this long means the workers are stuck
# ...of at most this many ids (~300 B each: ~15 MB). Past 14 deliveries/s for an hour the
# oldest are forgotten early; a late duplicate then runs again, which handlers make
# harmless (they are idempotent: RELIABILITY.md "Idempotency, 5x"). 200,000 cost ~60 MB.
SEEN_MAX = 50_000

# Acknowledging comes first: GitHub counts a delivery as failed after 10 s, while the work
# after it can wait a moment. When deliveries arrive in a burst (BURST_ACKS of them within
# BURST_SPAN seconds: 100 a second or more), workers hold off and leave the event loop to
# the acknowledgements, until the burst pauses, the backlog reaches half the queue, or a
# delivery has waited MAX_DEFER seconds. A few deliveries at once (an issue form opened
# with three labels) are no burst and are worked on at once.
BURST_ACKS = 10
BURST_SPAN = 0.1
BURST_PAUSE = 0.02
MAX_DEFER = 5.0


class Burst:
    """Whether deliveries are arriving in a burst right now, measured in real time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._arrivals: deque[float] = deque(maxlen=BURST_ACKS)

    def arrived(self) -> None:
        self._arrivals.append(self._clock())

    def on(self) -> bool:
        full = len(self._arrivals) == BURST_ACKS
        return full and self._clock() - self._arrivals[0] < BURST_SPAN


@dataclass
class ProcessorStats:
    processed: int = 0
    failed_handlers: int = 0
    duplicates: int = 0
    by_outcome: dict[str, int] = field(default_factory=dict)
    # (event, outcome) -> deliveries: the metrics' deliveries_total; the event without
    # its action keeps the number of series small.
    by_event: Counter[tuple[str, str]] = field(default_factory=Counter)


class Processor:
    def __init__(
        self,
        router: Router,
        arguments: Arguments,
        *,
        workers: int = 4,
        queue_size: int = 1000,
        clock: Callable[[], float] = time.monotonic,
        burst: Burst | None = None,
    ) -> None:
        self._router = router
        self._arguments = arguments
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(queue_size)
        self._burst = burst or Burst()
        self._backlog_limit = max(1, queue_size // 2)
        self._workers_wanted = workers
        self._workers: list[asyncio.Task[None]] = []
        self._seen: cachetools.TTLCache[str, bool] = cachetools.TTLCache(SEEN_MAX, SEEN_FOR, clock)
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.draining = False
        self.stats = ProcessorStats()
        self._clock = clock
        self._moved_at = clock()

    @property
    def depth(self) -> int:
        return self._queue.qsize() + self._busy

    def start(self) -> None:
        for n in range(self._workers_wanted):
            self._workers.append(asyncio.create_task(self._work(), name=f"worker-{n}"))

    def accept(self, delivery: Delivery) -> str:
        """Queue a delivery; answer 'queued', 'duplicate', 'draining' or 'full'."""
        if self.draining:
            return "draining"
        if delivery.id in self._seen:
            self.stats.duplicates += 1
            return "duplicate"
        if not self.depth:
            self._moved_at = self._clock()  # idle until now: the stall clock starts here
        try:
            self._queue.put_nowait(delivery)
        except asyncio.QueueFull:
            return "full"  # not marked seen: a redelivery can still be processed
        self._seen[delivery.id] = True
        self._burst.arrived()
        self._idle.clear()
        return "queued"

    async def wait_idle(self) -> None:
        """Until nothing is queued or running (tests and the demo settle on this)."""
        while self.depth:
            self._idle.clear()
            await self._idle.wait()

    async def drain(self, grace: float) -> bool:
        """Stop accepting, finish queued work within `grace` seconds, stop the workers."""
        self.draining = True
        finished = True
        try:
            await asyncio.wait_for(self._queue.join(), grace)
        except TimeoutError:
            finished = False
            log.error("shutdown: %d deliveries not processed within %.0fs", self.depth, grace)
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        return finished

    async def _work(self) -> None:
        while True:
            delivery = await self._queue.get()
            self._busy += 1
            try:
                await self._yield_to_burst()
                await self._process(delivery)
            except Exception:
                # A worker outlives any delivery: a payload of the wrong shape (signed, so
                # it got this far) is one log line, never four dead workers and a queue
                # that accepts with 202 and never moves.
                self.stats.failed_handlers += 1
                log.exception("delivery=%s could not be processed; the worker goes on", delivery.id)
            finally:
                self._busy -= 1
                self._moved_at = self._clock()
                self._queue.task_done()
                if not self.depth:
                    self._idle.set()

    def health(self) -> list[str]:
        """What is wrong, for /healthz: no worker left, or a queue that has not moved."""
        problems = []
        alive = sum(1 for task in self._workers if not task.done())
        if self._workers and alive < self._workers_wanted and not self.draining:
            problems.append(f"{self._workers_wanted - alive} of {self._workers_wanted} workers stopped")
        if self.depth and self._clock() - self._moved_at > STALL_AFTER:
            problems.append(f"the queue ({self.depth}) has not moved for {STALL_AFTER:.0f} s")
        return problems

    @property
    def workers_alive(self) -> int:
        return sum(1 for task in self._workers if not task.done())

    async def _yield_to_burst(self) -> None:
        """Hold off while a burst of deliveries is being acknowledged (see BURST_ACKS)."""
        waited = 0.0
        while (
            not self.draining
            and waited < MAX_DEFER
            and self._queue.qsize() < self._backlog_limit
            and self._burst.on()
        ):
            await asyncio.sleep(BURST_PAUSE)
            waited += BURST_PAUSE

    async def _process(self, delivery: Delivery) -> None:
        started = time.monotonic()
        key = _subject(delivery)
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                token = DELIVERY.set(delivery.id)  # the writer's log lines name the delivery
                try:
                    outcome = await self._run_handlers(delivery)
                finally:
                    DELIVERY.reset(token)
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # last one out forgets the lock: memory stays flat
                del self._users[key], self._locks[key]
        self.stats.processed += 1
        self.stats.by_outcome[outcome] = self.stats.by_outcome.get(outcome, 0) + 1
        self.stats.by_event[(delivery.event.event, outcome)] += 1
        data = delivery.event.data
        fields = {
            "delivery": delivery.id,
            "event": delivery.event.event,
            "action": data.get("action") if isinstance(data.get("action"), str) else None,
            "installation": delivery.installation_id,
            "repository": delivery.repository,
            "outcome": outcome,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
        }
        # The same facts twice: in the text for people, as fields for JSON log search.
        log.info(
            "delivery=%s event=%s installation=%s repository=%s outcome=%s duration_ms=%.1f",
            delivery.id,
            delivery.name,
            delivery.installation_id,
            fields["repository"] or "-",
            outcome,
            fields["duration_ms"],
            extra=fields,
        )

    async def _run_handlers(self, delivery: Delivery) -> str:
        handlers = self._router.fetch(delivery.event)
        if not handlers:
            return "ignored"
        if delivery.installation_id is None:
            log.warning("delivery=%s %s has no installation: nothing to act as", delivery.id, delivery.name)
            return "no-installation"
        arguments = self._arguments(delivery)
        outcome = "ok"
        for handler in handlers:
            try:
                await handler(delivery.event, *arguments)
            except Exception as exc:
                if errors.is_gone(exc):
                    # The issue (or repository) was deleted or transferred while the delivery
                    # waited: nothing is left to act on, and a redelivery would find the same.
                    # One line, no traceback, so a deleted incident cannot flood the logs.
                    outcome = "gone"
                    log.warning(
                        "delivery=%s %s: GitHub answered %s (%s): the issue is gone or moved; nothing to do",
                        delivery.id,
                        delivery.name,
                        getattr(exc, "status_code", "?"),
                        exc,
                    )
                    continue
                self.stats.failed_handlers += 1
                outcome = "failed"
                # Let a redelivery (UI or API) try again rather than be ignored as seen.
                self._seen.pop(delivery.id, None)
                log.exception(
                    "delivery=%s handler %s failed",
                    delivery.id,
                    getattr(handler, "__qualname__", handler),
                )
        return outcome


def _subject(delivery: Delivery) -> str:
    """What a delivery is about: deliveries about the same issue run one at a time."""
    data = delivery.event.data
    repo = delivery.repository or ""
    issue = data.get("issue") or data.get("parent_issue") or {}
    number = issue.get("number") if isinstance(issue, dict) else None
    return f"{repo}#{number}" if isinstance(number, int) else f"{repo}:{delivery.id}"
