"""The shared store's own rules, against a real Redis (and the in-process leases)."""

from __future__ import annotations

import asyncio

import pytest

from app.service.shared import Local, RedisStore, Store, held
from tests.reliability.redis_server import RedisServer, redis_server

__all__ = ["redis_server"]


async def _lease_rules(store: Store) -> None:
    token = await store.lease("issue", 200)
    assert token is not None
    assert await store.lease("issue", 200) is None  # held: nobody else gets it
    assert not await store.release("issue", "someone-else")  # only its holder releases it
    assert await store.renew("issue", token, 200)
    assert not await store.renew("issue", "someone-else", 200)
    assert await store.release("issue", token)
    again = await store.lease("issue", 50)
    assert again is not None
    await asyncio.sleep(0.1)  # expired: a crashed holder does not hold it for ever
    assert await store.lease("issue", 50) is not None
    assert not await store.release("issue", again)  # its old token no longer releases it


async def test_local_leases_follow_the_rules() -> None:
    await _lease_rules(Local())


async def test_redis_leases_follow_the_rules(redis_server: RedisServer) -> None:
    store = RedisStore.from_url(redis_server.url)
    try:
        await _lease_rules(store)
        assert await store.claim_delivery("d1") and not await store.claim_delivery("d1")
    finally:
        await store.close()


async def test_held_skips_when_taken_and_releases_after(redis_server: RedisServer) -> None:
    store = RedisStore.from_url(redis_server.url)
    try:
        async with held(store, "sweep:1", 300) as mine:
            assert mine
            async with held(store, "sweep:1", 300) as theirs:
                assert not theirs
            await asyncio.sleep(0.4)  # renewed while held: longer than the lease itself
            assert await store.lease("sweep:1", 300) is None
        assert await store.lease("sweep:1", 300) is not None
    finally:
        await store.close()


async def test_the_queue_of_issues(redis_server: RedisServer) -> None:
    store = RedisStore.from_url(redis_server.url)
    data = {"issue": {"number": 1}}
    try:
        assert await store.offer("r#1", "issues", "a", data, 2) == "queued"
        assert await store.offer("r#1", "issues", "b", data, 2) == "queued"  # joins its key
        assert await store.offer("r#1", "issues", "a", data, 2) == "duplicate"
        assert await store.offer("r#2", "issues", "c", data, 2) == "queued"
        assert await store.offer("r#3", "issues", "d", data, 2) == "full"  # 2 distinct issues wait
        assert await store.depth() == 2
        taken = await store.take(5000)
        assert taken is not None and taken.key == "r#1" and [d["id"] for d in taken.deliveries] == ["a", "b"]
        assert await store.offer("r#1", "issues", "e", data, 2) == "queued"  # arrives mid-pass
        assert await store.offer("r#3", "issues", "d", data, 2) == "full"
        other = await store.take(5000)
        assert other is not None and other.key == "r#2"
        assert await store.take(5000) is None  # r#1 is leased: not taken twice
        assert await store.finish(taken, ["a", "b"], []) == "done"
        again = await store.take(5000)  # queued again by its pass's end, with what came meanwhile
        assert again is not None and again.key == "r#1" and [d["id"] for d in again.deliveries] == ["e"]
        assert await store.finish(again, ["e"], ["e"]) == "done"
        assert await store.offer("r#3", "issues", "d", data, 2) == "queued"  # was not claimed when full
        assert await store.claim_delivery("e")  # forgotten: a redelivery runs it again
    finally:
        await store.close()


async def test_a_dead_holders_issue_is_taken_again_with_its_deliveries(redis_server: RedisServer) -> None:
    store = RedisStore.from_url(redis_server.url)
    try:
        await store.offer("r#1", "issues", "a", {}, 10)
        first = await store.take(100)
        assert first is not None
        assert await store.rescue() == 0  # its lease still holds
        await asyncio.sleep(0.15)  # the holder died: its lease expires
        assert await store.rescue() == 1
        second = await store.take(100)
        assert second is not None and [d["id"] for d in second.deliveries] == ["a"]
        assert await store.finish(first, ["a"], []) == "lost"  # the dead one's token is void
        assert await store.finish(second, ["a"], [], retry_in=0.05) == "retry"
        await asyncio.sleep(0.1)
        assert await store.rescue() == 1
        third = await store.take(100)
        assert third is not None and third.attempts == 1 and [d["id"] for d in third.deliveries] == ["a"]
    finally:
        await store.close()


@pytest.mark.parametrize("scheme", ["redis", "rediss"])
def test_store_from_url_never_connects_until_asked(scheme: str) -> None:
    store = RedisStore.from_url(f"{scheme}://:pw@127.0.0.1:1/0", verify_tls=False)
    assert sum(store.trips.values()) == 0
