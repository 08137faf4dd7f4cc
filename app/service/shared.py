"""What replicas share: delivery ids seen, the queue of issues, a lease per issue, the sweep.

Without `REDIS_URL` a replica keeps all of it in its own process (`Local`: the embedded
default, nothing to install). With it, `RedisStore` keeps it in Redis, so two or more
replicas behind a load balancer act as one:

- a delivery id is claimed once (``SET seen:<id> 1 NX EX 3600``), whichever replica got it;
- the queue holds issue keys (as the in-process queue does): a key waiting anywhere is not
  queued twice (a set beside the list), and any replica's worker takes any key;
- the deliveries waiting for an issue are kept with its key (their event name, id and
  payload, at most PENDING_MAX per issue, the oldest dropped first; a pass that lost some
  applies the issue's commands from GitHub, as the in-process queue does when it overflows),
  so the replica that takes the key has what the one that answered GitHub had. They are
  removed only when the pass that took them has finished, so a replica killed mid-pass
  loses nothing: its lease expires and another replica takes the key again;
- a lease per issue (``SET lease:<key> <token> NX PX <ms>``), renewed while the pass runs
  and released by a compare-and-delete script, so only the token that holds it releases it
  (the lock pattern of https://redis.io/docs/latest/commands/set/ , "Patterns");
- one sweep per installation at a time, by the same kind of lease.

Redis holds nothing GitHub does not: incident state lives in the issues. Losing Redis (a
restart without persistence) loses only the deliveries waiting in it, which the sweep
heals, and the dedupe memory, which idempotent handlers make harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

PREFIX = "incident-bot:"
SEEN_FOR = 3600  # seconds a delivery id stays claimed
PENDING_MAX = 32  # deliveries kept per issue between passes
WAKE_MAX = 1000  # wake-up tokens kept at most (one per queued key; spurious ones are harmless)


class Unavailable(Exception):
    """The shared store cannot be reached: work is refused rather than done without a lease."""


@dataclass(frozen=True)
class Taken:
    """An issue a worker took: the lease it holds and the deliveries waiting for it."""

    key: str
    token: str
    deliveries: list[dict[str, Any]]  # {"event", "id", "data"}, oldest first
    overflowed: bool
    attempts: int


class Store(Protocol):
    """What the processor and the sweep need of a store shared by replicas."""

    async def ping(self) -> None: ...
    async def claim_delivery(self, delivery_id: str) -> bool: ...
    async def lease(self, name: str, ms: int) -> str | None: ...
    async def renew(self, name: str, token: str, ms: int) -> bool: ...
    async def release(self, name: str, token: str) -> bool: ...
    async def close(self) -> None: ...


class Local:
    """Leases and claims in this process only: the embedded default (one replica)."""

    def __init__(self) -> None:
        self._leases: dict[str, tuple[str, float]] = {}
        self._seen: dict[str, float] = {}

    async def ping(self) -> None:
        return None

    async def claim_delivery(self, delivery_id: str) -> bool:
        now = time.monotonic()
        if self._seen.get(delivery_id, 0.0) > now:
            return False
        self._seen[delivery_id] = now + SEEN_FOR
        return True

    async def lease(self, name: str, ms: int) -> str | None:
        now = time.monotonic()
        held = self._leases.get(name)
        if held is not None and held[1] > now:
            return None
        token = secrets.token_hex(8)
        self._leases[name] = (token, now + ms / 1000)
        return token

    async def renew(self, name: str, token: str, ms: int) -> bool:
        held = self._leases.get(name)
        if held is None or held[0] != token or held[1] <= time.monotonic():
            return False
        self._leases[name] = (token, time.monotonic() + ms / 1000)
        return True

    async def release(self, name: str, token: str) -> bool:
        held = self._leases.get(name)
        if held is None or held[0] != token:
            return False
        del self._leases[name]
        return True

    async def close(self) -> None:
        return None


# --- Redis --------------------------------------------------------------------------------
# Each script is one round trip and runs atomically (https://redis.io/docs/latest/develop/
# interact/programmability/eval-intro/). Every key a script touches is passed in KEYS, as
# Redis asks, with the issue key as a hash tag-free suffix (a single Redis, not a cluster).

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: seen, ids, payloads, overflow, queued, ready, wake.
# ARGV: id, payload, key, seen_for, pending max, wake max, queue size (distinct issues).
_OFFER = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 'duplicate' end
if redis.call('SISMEMBER', KEYS[5], ARGV[3]) == 0 and redis.call('SCARD', KEYS[5]) >= tonumber(ARGV[7]) then
  return 'full'
end
redis.call('SET', KEYS[1], '1', 'EX', ARGV[4])
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
while redis.call('LLEN', KEYS[2]) > tonumber(ARGV[5]) do
  local old = redis.call('LPOP', KEYS[2])
  redis.call('HDEL', KEYS[3], old)
  redis.call('SET', KEYS[4], '1')
end
if redis.call('SADD', KEYS[5], ARGV[3]) == 1 then
  redis.call('RPUSH', KEYS[6], ARGV[3])
  redis.call('RPUSH', KEYS[7], '1')
  redis.call('LTRIM', KEYS[7], -tonumber(ARGV[6]), -1)
end
return 'queued'
"""

# KEYS: ready, queued, inflight. ARGV: prefix, token, lease_ms, now_ms.
# The first key whose lease is free; a key whose pass is running elsewhere is dropped from
# the queue: that pass's end queues it again when deliveries came meanwhile.
_TAKE = """
for _ = 1, 16 do
  local key = redis.call('LPOP', KEYS[1])
  if not key then return false end
  redis.call('SREM', KEYS[2], key)
  if redis.call('SET', ARGV[1] .. 'lease:' .. key, ARGV[2], 'NX', 'PX', ARGV[3]) then
    redis.call('ZADD', KEYS[3], ARGV[4], key)
    local ids = redis.call('LRANGE', ARGV[1] .. 'ids:' .. key, 0, -1)
    local payloads = {}
    if #ids > 0 then payloads = redis.call('HMGET', ARGV[1] .. 'payloads:' .. key, unpack(ids)) end
    local overflow = redis.call('GET', ARGV[1] .. 'overflow:' .. key)
    local attempts = redis.call('HGET', ARGV[1] .. 'attempts', key)
    return {key, payloads, overflow or '0', attempts or '0'}
  end
end
return false
"""

# KEYS: lease, ids, payloads, overflow, inflight, queued, ready, wake, attempts, delayed.
# ARGV: token, key, retry_at_ms (0: done), prefix, then the ids the pass covered, then
# '--', then the ids to forget (a failed handler: a redelivery runs it again).
_FINISH = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'lost' end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[5], ARGV[2])
local forgetting = false
for i = 5, #ARGV do
  if ARGV[i] == '--' then forgetting = true
  elseif forgetting then redis.call('DEL', ARGV[4] .. 'seen:' .. ARGV[i])
  elseif ARGV[3] == '0' then
    redis.call('LREM', KEYS[2], 1, ARGV[i])
    redis.call('HDEL', KEYS[3], ARGV[i])
  end
end
if ARGV[3] ~= '0' then
  redis.call('HINCRBY', KEYS[9], ARGV[2], 1)
  redis.call('ZADD', KEYS[10], ARGV[3], ARGV[2])
  return 'retry'
end
redis.call('DEL', KEYS[4])
redis.call('HDEL', KEYS[9], ARGV[2])
if redis.call('LLEN', KEYS[2]) > 0 and redis.call('SADD', KEYS[6], ARGV[2]) == 1 then
  redis.call('RPUSH', KEYS[7], ARGV[2])
  redis.call('RPUSH', KEYS[8], '1')
end
return 'done'
"""

# KEYS: inflight, delayed, queued, ready, wake. ARGV: prefix, now_ms.
# Keys whose back-off is over, and keys whose replica died mid-pass (taken, lease expired).
_RESCUE = """
local moved = 0
local function queue(key)
  if redis.call('SADD', KEYS[3], key) == 1 then
    redis.call('RPUSH', KEYS[4], key)
    redis.call('RPUSH', KEYS[5], '1')
    moved = moved + 1
  end
end
for _, key in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[2], 'LIMIT', 0, 100)) do
  redis.call('ZREM', KEYS[2], key)
  queue(key)
end
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, 99)) do
  if redis.call('EXISTS', ARGV[1] .. 'lease:' .. key) == 0 then
    redis.call('ZREM', KEYS[1], key)
    if redis.call('LLEN', ARGV[1] .. 'ids:' .. key) > 0 then queue(key) end
  end
end
return moved
"""


class RedisStore:
    """The store in Redis: replicas share dedupe, the queue of issues and the leases."""

    def __init__(self, client: Any, prefix: str = PREFIX) -> None:
        self._r = client
        self._p = prefix
        # Round trips by what they were for (the benchmark's per-delivery figure): offer, take,
        # renew, finish per pass; wait and rescue are idle polling; depth is for settling.
        self.trips: Counter[str] = Counter()
        self._release = client.register_script(_RELEASE)
        self._renew = client.register_script(_RENEW)
        self._offer = client.register_script(_OFFER)
        self._take = client.register_script(_TAKE)
        self._finish = client.register_script(_FINISH)
        self._rescue = client.register_script(_RESCUE)

    @classmethod
    def from_url(cls, url: str, prefix: str = PREFIX, *, verify_tls: bool = True) -> RedisStore:
        import redis.asyncio as redis

        # Heroku Redis serves rediss:// with a self-signed certificate and tells Python
        # clients to pass ssl_cert_reqs=None (Heroku Dev Center, "Heroku Redis",
        # "Connecting in Python"): REDIS_TLS_VERIFY=none says so; TLS still encrypts.
        tls: dict[str, Any] = {} if verify_tls or not url.startswith("rediss:") else {"ssl_cert_reqs": None}
        # Short timeouts: a lost Redis must turn into 503s and an unhealthy /healthz within
        # seconds, not hang the acknowledgement GitHub waits 10 s for. The client reconnects
        # by itself on the next command (its pool replaces broken connections).
        client = redis.Redis.from_url(
            url,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
            health_check_interval=10,
            decode_responses=True,
            **tls,
        )
        return cls(client, prefix)

    async def _call(self, kind: str, script: Any, keys: list[str], args: list[Any]) -> Any:
        return await self._do(script(keys=keys, args=args), kind)

    async def _do(self, awaitable: Any, kind: str) -> Any:
        import redis.exceptions

        self.trips[kind] += 1
        try:
            return await awaitable
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError) as exc:
            raise Unavailable(type(exc).__name__) from None

    def _k(self, *parts: str) -> str:
        return self._p + ":".join(parts)

    async def ping(self) -> None:
        await self._do(self._r.ping(), "ping")

    async def claim_delivery(self, delivery_id: str) -> bool:
        done = await self._do(self._r.set(self._k("seen", delivery_id), "1", nx=True, ex=SEEN_FOR), "claim")
        return bool(done)

    async def lease(self, name: str, ms: int) -> str | None:
        token = secrets.token_hex(16)
        done = await self._do(self._r.set(self._k("lease", name), token, nx=True, px=ms), "lease")
        return token if done else None

    async def renew(self, name: str, token: str, ms: int) -> bool:
        return bool(await self._call("renew", self._renew, [self._k("lease", name)], [token, ms]))

    async def release(self, name: str, token: str) -> bool:
        return bool(await self._call("release", self._release, [self._k("lease", name)], [token]))

    # --- the queue of issues --------------------------------------------------------------

    async def offer(
        self, key: str, event: str, delivery_id: str, data: dict[str, Any], queue_size: int = 10_000
    ) -> str:
        """'queued', 'duplicate' (the id was claimed, by any replica, in the last hour) or
        'full' (`queue_size` distinct issues wait already; the id is not claimed)."""
        payload = json.dumps({"event": event, "id": delivery_id, "data": data}, separators=(",", ":"))
        keys = [
            self._k("seen", delivery_id),
            self._k("ids", key),
            self._k("payloads", key),
            self._k("overflow", key),
            self._k("queued"),
            self._k("ready"),
            self._k("wake"),
        ]
        args = [delivery_id, payload, key, SEEN_FOR, PENDING_MAX, WAKE_MAX, queue_size]
        return str(await self._call("offer", self._offer, keys, args))

    async def take(self, lease_ms: int) -> Taken | None:
        token = secrets.token_hex(16)
        keys = [self._k("ready"), self._k("queued"), self._k("inflight")]
        got = await self._call("take", self._take, keys, [self._p, token, lease_ms, _now_ms()])
        if not got:
            return None
        key, payloads, overflow, attempts = got
        deliveries = [json.loads(p) for p in payloads if p]
        return Taken(str(key), token, deliveries, overflow == "1", int(attempts))

    async def finish(
        self, taken: Taken, covered: list[str], forget: list[str], retry_in: float | None = None
    ) -> str:
        """'done', 'retry' (queued again after `retry_in` s) or 'lost' (the lease had expired)."""
        key = taken.key
        keys = [
            self._k("lease", key),
            self._k("ids", key),
            self._k("payloads", key),
            self._k("overflow", key),
            self._k("inflight"),
            self._k("queued"),
            self._k("ready"),
            self._k("wake"),
            self._k("attempts"),
            self._k("delayed"),
        ]
        retry_at = _now_ms() + int(retry_in * 1000) if retry_in is not None else 0
        args = [taken.token, key, retry_at, self._p, *covered, "--", *forget]
        return str(await self._call("finish", self._finish, keys, args))

    async def rescue(self) -> int:
        keys = [self._k("inflight"), self._k("delayed"), self._k("queued"), self._k("ready"), self._k("wake")]
        return int(await self._call("rescue", self._rescue, keys, [self._p, _now_ms()]))

    async def wait(self, timeout: float) -> None:
        """Until a key may be waiting (a wake-up token), or `timeout` seconds."""
        await self._do(self._r.blpop([self._k("wake")], timeout=max(0.01, timeout)), "wait")

    async def depth(self) -> int:
        """Issues queued, being worked on or waiting for a retry, on any replica."""
        async with self._r.pipeline(transaction=False) as pipe:
            pipe.scard(self._k("queued")).zcard(self._k("inflight")).zcard(self._k("delayed"))
            return sum(int(n) for n in await self._do(pipe.execute(), "depth"))

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self._r.aclose()


def _now_ms() -> int:
    return int(time.time() * 1000)


@contextlib.asynccontextmanager
async def held(store: Store, name: str, ms: int) -> AsyncIterator[bool]:
    """Hold lease `name` while the block runs, renewing it every third of its time; yields
    False (and runs the block anyway, for the caller to skip) when another holds it."""
    token = await store.lease(name, ms)
    if token is None:
        yield False
        return

    async def renew() -> None:
        while True:
            await asyncio.sleep(ms / 3000)
            with contextlib.suppress(Unavailable):
                if not await store.renew(name, token, ms):
                    return

    renewing = asyncio.create_task(renew())
    try:
        yield True
    finally:
        renewing.cancel()
        with contextlib.suppress(asyncio.CancelledError, Unavailable):
            await renewing
        with contextlib.suppress(Unavailable):
            await store.release(name, token)
