"""Work after the acknowledgement: a queue of issues, not of deliveries, and a few workers.

GitHub wants an answer within 10 s, so the HTTP handler only queues. As a Kubernetes
controller's work queue holds keys, this one holds issues (installation, repository,
number), each with the deliveries that arrived for it since its last pass:

- an issue already waiting is not queued again: its new deliveries join it;
- an issue whose pass is running is run once more after that pass, never twice at once;
- the bound is on distinct issues (10,000 by default), so a burst for a hundred issues
  is never refused, and only a full queue of distinct issues is answered 503;
- one pass does what the issue needs: its issue events collapsed (the rules are
  level-triggered: the last label event of a run says as much as all of them; closing
  and reopening keep their order), and its command comments applied from GitHub, oldest
  first, each exactly once (``replay``, the sweep's own path);
- a pass that fails on GitHub's side (5xx, rate limits, timeouts) is retried with
  back-off per issue, without holding a worker, so one failing repository cannot starve
  the others; a handler's bug is logged with the delivery id and stops nothing else.

With a shared store (``REDIS_URL``, app/service/shared.py) the same queue lives in Redis,
shared by every replica: the delivery id is claimed there, the issue key and its waiting
deliveries (their payloads, at most PENDING_MAX) are kept there, and a worker of any
replica takes a key only with that issue's lease, renewed while its pass runs. The pass is
the same one. Deliveries leave Redis only when their pass has finished, so a replica killed
mid-pass loses nothing: its lease expires and another replica takes the key. While Redis
cannot be reached, deliveries are answered 503 (GitHub shows them failed, to redeliver)
rather than processed without a lease, and /healthz says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import cachetools
from gidgethub import sansio
from gidgethub.routing import Router

from app.core.commands import grammar
from app.github import errors
from app.github.write import DELIVERY
from app.service.shared import RedisStore, Taken, Unavailable
from app.service.webhook import Delivery

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[None]]
# Builds the extra arguments every handler gets after the event: (gh, services).
Arguments = Callable[[Delivery], tuple[Any, ...]]

SEEN_FOR = 3600  # a delivery id seen in the last hour is not processed again
PENDING_MAX = 32  # deliveries one issue keeps between passes; past that, commands come from GitHub
RETRIES = 8  # passes tried again per issue after GitHub's side failed, backing off
RETRY_BASE = 1.0  # seconds: 1, 2, 4, ... (at most RETRY_MAX): about 4 minutes in all
RETRY_MAX = 60.0
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
# With a shared store: a pass holds its issue's lease this long, renewed every third of it;
# a replica that dies mid-pass holds the issue no longer than that.
LEASE_MS = 30_000
POLL = 1.0  # seconds a worker waits for a wake-up before looking for expired leases and back-offs
# The ids a pass asks the shared store to forget (a failed handler: a redelivery runs again).
_FORGET: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("forget", default=None)

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
    processed: int = 0  # deliveries
    passes: int = 0  # passes over an issue (a pass handles all its issue's deliveries)
    failed_handlers: int = 0
    duplicates: int = 0
    ignored: int = 0  # deliveries that could not matter, answered without queueing
    refused: int = 0  # answered 503: the queue held queue_size distinct issues
    retried: int = 0  # passes retried after GitHub's side failed
    by_outcome: dict[str, int] = field(default_factory=dict)
    # (event, outcome) -> deliveries: the metrics' deliveries_total; the event without
    # its action keeps the number of series small.
    by_event: Counter[tuple[str, str]] = field(default_factory=Counter)


Relevant = Callable[[Delivery], bool]
Replay = Callable[[Delivery, int], Awaitable[None]]


@dataclass
class Entry:
    """One issue in the queue: the deliveries that arrived for it since its last pass."""

    key: str
    deliveries: list[Delivery] = field(default_factory=list)
    overflowed: bool = False  # deliveries were dropped: the pass applies commands from GitHub
    attempts: int = 0
    not_before: float = 0.0
    queued: bool = False


class Processor:
    def __init__(
        self,
        router: Router,
        arguments: Arguments,
        *,
        workers: int = 4,
        queue_size: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        burst: Burst | None = None,
        relevant: Relevant | None = None,
        replay: Replay | None = None,
        retry_base: float = RETRY_BASE,
        shared: RedisStore | None = None,
        lease_ms: int = LEASE_MS,
        poll: float = POLL,
    ) -> None:
        self._shared = shared
        self._lease_ms = lease_ms
        self._poll = poll
        self.shared_down = False  # the shared store could not be reached on the last try
        self._router = router
        self._arguments = arguments
        self._relevant = relevant
        self._replay = replay
        self._queue_size = queue_size
        self._retry_base = retry_base
        self._burst = burst or Burst()
        self._backlog_limit = max(1, queue_size // 2)
        self._workers_wanted = workers
        self._workers: list[asyncio.Task[None]] = []
        self._seen: cachetools.TTLCache[str, bool] = cachetools.TTLCache(SEEN_MAX, SEEN_FOR, clock)
        self._waiting: dict[str, Entry] = {}  # key -> deliveries not yet in a pass
        self._ready: deque[str] = deque()  # keys whose turn it is, in order
        self._running: set[str] = set()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self.draining = False
        self.stats = ProcessorStats()
        self._clock = clock
        self._moved_at = clock()

    @property
    def depth(self) -> int:
        """Issues waiting or being worked on (not deliveries)."""
        return len(self._waiting) + len(self._running)

    def start(self) -> None:
        work = self._work if self._shared is None else self._work_shared
        for n in range(self._workers_wanted):
            self._workers.append(asyncio.create_task(work(), name=f"worker-{n}"))

    async def offer(self, delivery: Delivery) -> str:
        """`accept`, in this process or in the shared store; 'unavailable' when it is down."""
        if self._shared is None:
            return self.accept(delivery)
        if self.draining:
            return "draining"
        if self._relevant is not None and not self._relevant(delivery):
            self.stats.ignored += 1
            return "ignored"
        try:
            outcome = await self._shared.offer(
                _subject(delivery), delivery.event.event, delivery.id, delivery.event.data, self._queue_size
            )
        except Unavailable:
            self.shared_down = True
            return "unavailable"
        self.shared_down = False
        if outcome == "duplicate":
            self.stats.duplicates += 1
        elif outcome == "full":
            self.stats.refused += 1
        return outcome

    def accept(self, delivery: Delivery) -> str:
        """Queue a delivery; answer 'queued', 'duplicate', 'ignored', 'draining' or 'full'."""
        if self.draining:
            return "draining"
        if delivery.id in self._seen:
            self.stats.duplicates += 1
            return "duplicate"
        if self._relevant is not None and not self._relevant(delivery):
            self._seen[delivery.id] = True
            self.stats.ignored += 1
            return "ignored"
        key = _subject(delivery)
        entry = self._waiting.get(key)
        if entry is None:
            if len(self._waiting) >= self._queue_size:
                self.stats.refused += 1
                return "full"  # not marked seen: a redelivery can still be processed
            if not self.depth:
                self._moved_at = self._clock()  # idle until now: the stall clock starts here
            entry = self._waiting[key] = Entry(key)
            if key not in self._running:
                self._enqueue(entry)
        if len(entry.deliveries) >= PENDING_MAX:
            entry.deliveries.pop(0)
            entry.overflowed = True
        entry.deliveries.append(delivery)
        self._seen[delivery.id] = True
        self._burst.arrived()
        self._idle.clear()
        return "queued"

    def _enqueue(self, entry: Entry) -> None:
        entry.queued = True
        self._ready.append(entry.key)
        self._wake.set()

    async def wait_idle(self) -> None:
        """Until nothing is queued or running (tests and the demo settle on this)."""
        if self._shared is not None:
            while True:
                try:
                    if not self._running and not await self._shared.depth():
                        return
                except Unavailable:
                    pass  # nothing can be taken until it is back
                await asyncio.sleep(0.01)
        while self.depth:
            self._idle.clear()
            await self._idle.wait()

    async def _passes_done(self) -> None:
        """Until this replica's passes are over (what waits in Redis, another replica takes)."""
        while self._running:
            await asyncio.sleep(0.01)

    async def drain(self, grace: float) -> bool:
        """Stop accepting, finish queued work within `grace` seconds, stop the workers."""
        self.draining = True
        finished = True
        try:
            await asyncio.wait_for(self.wait_idle() if self._shared is None else self._passes_done(), grace)
        except TimeoutError:
            finished = False
            log.error("shutdown: %d issues not processed within %.0fs", self.depth, grace)
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        self._workers.clear()
        return finished

    async def _next(self) -> Entry:
        """The next issue whose turn it is (a retried one once its back-off has passed)."""
        while True:
            now = time.monotonic()  # back-off is real time, whatever clock the tests move
            for _ in range(len(self._ready)):
                key = self._ready.popleft()
                entry = self._waiting.get(key)
                if entry is None:
                    continue
                if entry.not_before > now:
                    self._ready.append(key)
                    continue
                del self._waiting[key]
                entry.queued = False
                self._running.add(key)
                return entry
            self._wake.clear()
            delays = [e.not_before - now for e in self._waiting.values() if e.queued and e.not_before > now]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), min(delays) if delays else None)

    async def _work_shared(self) -> None:
        """A worker of the shared queue: take a key with its lease, run the pass, finish."""
        assert self._shared is not None
        store = self._shared
        while True:
            if self.draining:  # shutting down: what waits is for the other replicas
                await asyncio.sleep(self._poll)
                continue
            try:
                taken = await store.take(self._lease_ms)
                if taken is None:
                    await store.wait(self._poll)
                    await store.rescue()
                    self.shared_down = False
                    continue
                self.shared_down = False
            except Unavailable:
                if not self.shared_down:
                    log.error(
                        "the shared store (REDIS_URL) is unreachable; deliveries are refused until it is back"
                    )
                self.shared_down = True
                await asyncio.sleep(min(self._poll, 0.5))
                continue
            await self._run_taken(store, taken)

    async def _run_taken(self, store: RedisStore, taken: Taken) -> None:
        entry = Entry(taken.key, [_delivery(d) for d in taken.deliveries], taken.overflowed, taken.attempts)
        self._running.add(taken.key)
        forget: list[str] = []
        _FORGET.set(forget)
        passing = asyncio.create_task(self._pass_guarded(entry))
        lost = False
        retry = False
        try:
            while not passing.done():
                done, _ = await asyncio.wait({passing}, timeout=self._lease_ms / 3000)
                if done:
                    break
                try:
                    renewed = await store.renew(f"{taken.key}", taken.token, self._lease_ms)
                except Unavailable:
                    renewed = False
                if not renewed:
                    # Another replica may take the issue now: stop rather than act without it.
                    lost = True
                    passing.cancel()
                    log.error("issue %s: its lease could not be renewed; the pass stopped", taken.key)
            try:
                retry = await passing
            except asyncio.CancelledError:
                # Our own cancel of a pass whose lease was lost is swallowed; the worker's own
                # cancellation (shutdown, a kill) must not be: it would go on taking keys.
                current = asyncio.current_task()
                if current is not None and current.cancelling():
                    raise
        except asyncio.CancelledError:
            # Stopped (shutdown past its grace, or killed): the lease is left to expire and
            # the deliveries stay in the store, for another replica to take.
            passing.cancel()
            raise
        finally:
            self._running.discard(taken.key)
            self._moved_at = self._clock()
        if lost:
            return
        covered = [d.id for d in entry.deliveries]
        wait = min(self._retry_base * 2**entry.attempts, RETRY_MAX) if retry else None
        try:
            if retry:
                self.stats.retried += 1
            outcome = await store.finish(taken, covered, forget, wait)
            if outcome == "lost":
                log.error("issue %s: its lease expired during the pass; another replica runs it", taken.key)
        except Unavailable:
            self.shared_down = True

    async def _pass_guarded(self, entry: Entry) -> bool:
        try:
            await self._yield_to_burst()
            return await self._pass(entry)
        except Exception:
            self.stats.failed_handlers += 1
            log.exception("issue %s could not be processed; the worker goes on", entry.key)
            return False

    async def _work(self) -> None:
        while True:
            entry = await self._next()
            retry = False
            try:
                await self._yield_to_burst()
                retry = await self._pass(entry)
            except Exception:
                # A worker outlives any delivery: a payload of the wrong shape (signed, so
                # it got this far) is one log line, never four dead workers and a queue
                # that accepts with 202 and never moves.
                self.stats.failed_handlers += 1
                log.exception("issue %s could not be processed; the worker goes on", entry.key)
            finally:
                self._finished(entry, retry)

    def _finished(self, entry: Entry, retry: bool) -> None:
        self._running.discard(entry.key)
        self._moved_at = self._clock()
        later = self._waiting.get(entry.key)
        if retry:
            # GitHub's side failed: try the same deliveries again later, with what came meanwhile.
            entry.attempts += 1
            wait = min(self._retry_base * 2 ** (entry.attempts - 1), RETRY_MAX)
            entry.not_before = time.monotonic() + wait
            if later is not None:
                entry.deliveries = (entry.deliveries + later.deliveries)[-PENDING_MAX:]
                entry.overflowed = entry.overflowed or later.overflowed
            self._waiting[entry.key] = entry
            self._enqueue(entry)
            self.stats.retried += 1
        elif later is not None and not later.queued:
            self._enqueue(later)  # arrived during the pass: run once more
        if not self.depth:
            self._idle.set()

    async def _yield_to_burst(self) -> None:
        """Hold off while a burst of deliveries is being acknowledged (see BURST_ACKS)."""
        waited = 0.0
        while (
            not self.draining
            and waited < MAX_DEFER
            and len(self._waiting) < self._backlog_limit
            and self._burst.on()
        ):
            await asyncio.sleep(BURST_PAUSE)
            waited += BURST_PAUSE

    async def _pass(self, entry: Entry) -> bool:
        """One pass over the issue; True when GitHub's side failed and it should be retried."""
        started = time.monotonic()
        token = DELIVERY.set(entry.deliveries[-1].id if entry.deliveries else "-")
        outcomes: list[tuple[list[Delivery], str]] = []
        try:
            for step, covered in _steps(entry, self._replay is not None):
                if isinstance(step, int):
                    outcome = await self._replay_commands(entry, step)
                else:
                    DELIVERY.set(step.id)
                    outcome = await self._run_handlers(step)
                outcomes.append((covered, outcome))
                if outcome == "retry":
                    break
        finally:
            DELIVERY.reset(token)
        failed = bool(outcomes) and outcomes[-1][1] == "retry"
        retry = failed and entry.attempts < RETRIES and not self.draining
        if failed and not retry:
            for delivery in entry.deliveries:
                self._forget(delivery.id)  # a manual redelivery runs it again
            log.error(
                "issue %s: GitHub kept failing after %d passes; deliveries=%s forgotten, the sweep heals it",
                entry.key,
                RETRIES + 1,
                ",".join(d.id for d in entry.deliveries),
            )
        if not retry:
            done = {d.id for covered, _ in outcomes for d in covered}
            rest = [d for d in entry.deliveries if d.id not in done]  # after a failure: not run
            outcomes = [(c, "failed" if o == "retry" else o) for c, o in outcomes] + [(rest, "failed")]
            self._count(entry, outcomes, time.monotonic() - started)
        return retry

    async def _replay_commands(self, entry: Entry, up_to: int) -> str:
        """Apply the issue's command comments up to `up_to` from GitHub, in one pass."""
        latest = next(d for d in reversed(entry.deliveries) if _comment_id(d) == up_to)
        try:
            assert self._replay is not None
            await self._replay(latest, up_to)
        except Exception as exc:
            return self._failure(latest, "replay", exc)
        return "ok"

    def _count(self, entry: Entry, outcomes: list[tuple[list[Delivery], str]], seconds: float) -> None:
        for covered, outcome in outcomes:
            for delivery in covered:
                self.stats.processed += 1
                self.stats.by_outcome[outcome] = self.stats.by_outcome.get(outcome, 0) + 1
                self.stats.by_event[(delivery.event.event, outcome)] += 1
        self.stats.passes += 1
        last = entry.deliveries[-1] if entry.deliveries else None
        final = next((o for _, o in reversed(outcomes) if _), "ok")
        fields = {
            "delivery": last.id if last else None,
            "deliveries": len(entry.deliveries),
            "issue": entry.key,
            "event": last.event.event if last else None,
            "action": _action(last) if last else None,
            "installation": last.installation_id if last else None,
            "repository": last.repository if last else None,
            "outcome": final,
            "duration_ms": round(seconds * 1000, 1),
        }
        # The same facts twice: in the text for people, as fields for JSON log search.
        log.info(
            "delivery=%s issue=%s deliveries=%d outcome=%s duration_ms=%.1f",
            fields["delivery"],
            entry.key,
            len(entry.deliveries),
            final,
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
                result = self._failure(delivery, getattr(handler, "__qualname__", str(handler)), exc)
                if result == "retry":
                    return result
                if result != "gone" or outcome == "ok":
                    outcome = result
        return outcome

    def _failure(self, delivery: Delivery, what: str, exc: Exception) -> str:
        """'gone', 'retry' (GitHub's side, worth another pass later) or 'failed' (logged)."""
        if errors.is_gone(exc):
            # The issue (or repository) was deleted or transferred while the delivery
            # waited: nothing is left to act on, and a redelivery would find the same.
            # One line, no traceback, so a deleted incident cannot flood the logs.
            log.warning(
                "delivery=%s %s: GitHub answered %s (%s): the issue is gone or moved; nothing to do",
                delivery.id,
                delivery.name,
                getattr(exc, "status_code", "?"),
                exc,
            )
            return "gone"
        if errors.is_transient(exc):
            log.warning(
                "delivery=%s %s: GitHub failed (%s); the issue is retried later", delivery.id, what, exc
            )
            return "retry"
        self.stats.failed_handlers += 1
        # Let a redelivery (UI or API) try again rather than be ignored as seen.
        self._forget(delivery.id)
        log.exception("delivery=%s handler %s failed", delivery.id, what)
        return "failed"

    def _forget(self, delivery_id: str) -> None:
        self._seen.pop(delivery_id, None)
        forget = _FORGET.get()
        if forget is not None:
            forget.append(delivery_id)

    def health(self) -> list[str]:
        """What is wrong, for /healthz: no worker left, or a queue that has not moved."""
        problems = []
        alive = sum(1 for task in self._workers if not task.done())
        if self._workers and alive < self._workers_wanted and not self.draining:
            problems.append(f"{self._workers_wanted - alive} of {self._workers_wanted} workers stopped")
        if self.depth and self._clock() - self._moved_at > STALL_AFTER:
            problems.append(f"the queue ({self.depth}) has not moved for {STALL_AFTER:.0f} s")
        if self._shared is not None and self.shared_down:
            problems.append("Redis (REDIS_URL) is unreachable: deliveries are refused until it is back")
        return problems

    @property
    def shared(self) -> bool:
        """Whether the queue, dedupe and leases are shared with other replicas (Redis)."""
        return self._shared is not None

    @property
    def workers_alive(self) -> int:
        return sum(1 for task in self._workers if not task.done())


def _delivery(stored: dict[str, Any]) -> Delivery:
    """A delivery as the shared store kept it (event name, id, payload), as `parse` builds it."""
    data = stored["data"]
    installation = data.get("installation")
    installation_id = installation.get("id") if isinstance(installation, dict) else None
    event = sansio.Event(data, event=stored["event"], delivery_id=stored["id"])
    return Delivery(event, installation_id if isinstance(installation_id, int) else None)


def _action(delivery: Delivery) -> str | None:
    action = delivery.event.data.get("action")
    return action if isinstance(action, str) else None


def _comment_id(delivery: Delivery) -> int | None:
    comment = delivery.event.data.get("comment")
    value = comment.get("id") if isinstance(comment, dict) else None
    return value if isinstance(value, int) else None


def _replayable(delivery: Delivery) -> bool:
    """A command comment on an incident: applied from GitHub with the issue's others."""
    if delivery.event.event != "issue_comment" or delivery.event.data.get("action") != "created":
        return False
    if _comment_id(delivery) is None:
        return False
    comment = delivery.event.data.get("comment") or {}
    issue = delivery.event.data.get("issue") or {}
    labels = issue.get("labels") if isinstance(issue, dict) else None
    names = {str(x.get("name", "")).lower() for x in labels or () if isinstance(x, dict)}
    return "incident" in names and grammar.has_command_line(str(comment.get("body") or ""))


def _steps(entry: Entry, can_replay: bool) -> list[tuple[Delivery | int, list[Delivery]]]:
    """The pass, in arrival order, each step with the deliveries it stands for: runs of issue
    events collapsed to their last (closing and reopening kept, in order: they are not
    level), runs of command comments applied from GitHub at once (the id of the newest:
    every unhandled command up to it)."""
    steps: list[tuple[Delivery | int, list[Delivery]]] = []
    for delivery in entry.deliveries:
        previous = steps[-1] if steps else None
        if can_replay and _replayable(delivery):
            newest = _comment_id(delivery)
            assert newest is not None
            if previous is not None and isinstance(previous[0], int):
                steps[-1] = (max(previous[0], newest), [*previous[1], delivery])
            else:
                steps.append((newest, [delivery]))
            continue
        if (
            previous is not None
            and isinstance(previous[0], Delivery)
            and _collapsible(previous[0])
            and _collapsible(delivery)
            and previous[0].event.event == delivery.event.event
        ):
            steps[-1] = (delivery, [*previous[1], delivery])
        else:
            steps.append((delivery, [delivery]))
    if entry.overflowed and can_replay and not any(isinstance(s, int) for s, _ in steps):
        ids = [c for d in entry.deliveries if (c := _comment_id(d)) is not None]
        if ids:
            steps.append((max(ids), []))
    return steps


def _collapsible(delivery: Delivery) -> bool:
    """Level events: the rules read the issue as it is, so the last of a run says it all."""
    action = delivery.event.data.get("action")
    return delivery.event.event in ("issues", "sub_issues") and action not in ("closed", "reopened")


def _subject(delivery: Delivery) -> str:
    """What a delivery is about: deliveries about the same issue run one at a time."""
    data = delivery.event.data
    repo = delivery.repository or ""
    issue = data.get("issue") or data.get("parent_issue") or {}
    number = issue.get("number") if isinstance(issue, dict) else None
    return f"{repo}#{number}" if isinstance(number, int) else f"{repo}:{delivery.id}"
