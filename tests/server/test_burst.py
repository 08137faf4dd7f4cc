"""During a burst of deliveries, acknowledging comes first; the work follows."""

from __future__ import annotations

import asyncio
from typing import Any

from gidgethub import sansio
from gidgethub.routing import Router

from app.service.processor import BURST_ACKS, BURST_SPAN, Burst, Processor
from tests.server.test_processor import delivery


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_many_arrivals_close_together() -> None:
    time = FakeTime()
    burst = Burst(time)
    for _ in range(BURST_ACKS - 1):
        burst.arrived()
    assert not burst.on()  # a few deliveries at once are no burst
    burst.arrived()
    assert burst.on()
    time.now += BURST_SPAN
    assert not burst.on()  # a pause ends it


def test_arrivals_spread_out_are_no_burst() -> None:
    time = FakeTime()
    burst = Burst(time)
    for _ in range(BURST_ACKS * 3):
        burst.arrived()
        time.now += BURST_SPAN / BURST_ACKS * 2  # 50 a second
    assert not burst.on()


def recording(seen: list[str]) -> Router:
    router = Router()

    @router.register("issues")
    async def record(event: sansio.Event, *args: Any) -> None:
        seen.append(event.delivery_id)

    return router


async def burst_processor(time: FakeTime, seen: list[str], queue_size: int = 1000) -> Processor:
    processor = Processor(recording(seen), lambda d: (), queue_size=queue_size, burst=Burst(time))
    processor.start()
    return processor


async def test_work_waits_while_a_burst_is_acknowledged_then_follows() -> None:
    time, seen = FakeTime(), []
    processor = await burst_processor(time, seen)
    for n in range(BURST_ACKS):
        assert processor.accept(delivery(n, issue=n)) == "queued"
    await asyncio.sleep(0.1)  # the loop is free: workers could run, but hold off
    assert seen == []
    time.now += 1  # the burst pauses
    await processor.wait_idle()
    assert sorted(seen) == sorted(f"d-{n}" for n in range(BURST_ACKS))
    await processor.drain(1)


async def test_a_few_deliveries_are_worked_on_at_once() -> None:
    time, seen = FakeTime(), []
    processor = await burst_processor(time, seen)
    for n in range(3):
        processor.accept(delivery(n, issue=n))
    await processor.wait_idle()  # the fake time never moves: no burst, no wait
    assert len(seen) == 3
    await processor.drain(1)


async def test_a_backlog_of_half_the_queue_is_worked_on_even_in_a_burst() -> None:
    time, seen = FakeTime(), []
    processor = await burst_processor(time, seen, queue_size=2 * BURST_ACKS)
    for n in range(2 * BURST_ACKS):
        processor.accept(delivery(n, issue=n))
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.01)
    assert seen, "a growing backlog must not wait for the burst to end"
    time.now += 1
    await processor.drain(5)


async def test_shutdown_does_not_wait_for_a_burst_to_end() -> None:
    time, seen = FakeTime(), []
    processor = await burst_processor(time, seen)
    for n in range(BURST_ACKS):
        processor.accept(delivery(n, issue=n))
    assert await processor.drain(5) is True
    assert len(seen) == BURST_ACKS
