from __future__ import annotations

import asyncio
from typing import Any

from gidgethub import sansio
from gidgethub.routing import Router

from app.service.processor import Processor
from app.service.webhook import Delivery


def delivery(
    n: int,
    *,
    issue: int = 1,
    event: str = "issues",
    action: str = "opened",
    installation: int | None = 1,
) -> Delivery:
    data: dict[str, Any] = {
        "action": action,
        "repository": {"full_name": "acme/web"},
        "issue": {"number": issue},
    }
    return Delivery(sansio.Event(data, event=event, delivery_id=f"d-{n}"), installation)


def recording_router(seen: list[str], *, fail: bool = False, pause: float = 0) -> Router:
    router = Router()

    @router.register("issues", action="opened")
    async def first(event: sansio.Event, *args: Any) -> None:
        if pause:
            await asyncio.sleep(pause)
        if fail:
            raise RuntimeError("boom")
        seen.append(f"first:{event.delivery_id}")

    @router.register("issues")
    async def second(event: sansio.Event, *args: Any) -> None:
        seen.append(f"second:{event.delivery_id}")

    return router


async def test_each_delivery_runs_every_matching_handler_once() -> None:
    seen: list[str] = []
    processor = Processor(recording_router(seen), lambda d: ())
    processor.start()
    assert processor.accept(delivery(1)) == "queued"
    assert processor.accept(delivery(1)) == "duplicate"
    await processor.wait_idle()
    assert sorted(seen) == ["first:d-1", "second:d-1"]
    assert processor.stats.duplicates == 1
    await processor.drain(1)


async def test_a_failing_handler_does_not_stop_the_others_and_allows_redelivery(caplog) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    processor = Processor(recording_router(seen, fail=True), lambda d: ())
    processor.start()
    processor.accept(delivery(1))
    await processor.wait_idle()
    assert seen == ["second:d-1"]
    assert "delivery=d-1" in caplog.text and "boom" in caplog.text
    # a failed delivery is forgotten so a manual redelivery is processed again
    assert processor.accept(delivery(1)) == "queued"
    await processor.wait_idle()
    assert processor.stats.failed_handlers == 2
    await processor.drain(1)


async def test_deliveries_without_installation_or_handlers_are_skipped() -> None:
    seen: list[str] = []
    processor = Processor(recording_router(seen), lambda d: ())
    processor.start()
    processor.accept(delivery(1, installation=None))
    processor.accept(delivery(2, event="star", issue=2))
    await processor.wait_idle()
    assert seen == []
    assert processor.stats.by_outcome == {"no-installation": 1, "ignored": 1}
    await processor.drain(1)


async def test_deliveries_for_one_issue_are_one_pass_never_two_at_once() -> None:
    """The queue holds issues: six label events for one issue are one pass, run with the
    newest (the rules are level-triggered), and never beside another pass of that issue."""
    active = 0
    overlap = False
    order: list[str] = []
    router = Router()

    @router.register("issues")
    async def slow(event: sansio.Event, *args: Any) -> None:
        nonlocal active, overlap
        active += 1
        overlap = overlap or active > 1
        await asyncio.sleep(0.01)
        order.append(event.delivery_id)
        active -= 1

    processor = Processor(router, lambda d: (), workers=4)
    processor.start()
    for n in range(6):
        assert processor.accept(delivery(n)) == "queued"
    assert processor.depth == 1  # one issue, not six deliveries
    await processor.wait_idle()
    assert not overlap
    assert order == ["d-5"]
    assert processor.stats.processed == 6 and processor.stats.passes == 1
    await processor.drain(1)


async def test_a_delivery_during_its_issues_pass_runs_once_more_after_it() -> None:
    order: list[str] = []
    started = asyncio.Event()
    release = asyncio.Event()
    router = Router()

    @router.register("issues")
    async def slow(event: sansio.Event, *args: Any) -> None:
        order.append(f"start:{event.delivery_id}")
        started.set()
        await release.wait()
        order.append(f"end:{event.delivery_id}")

    processor = Processor(router, lambda d: (), workers=4)
    processor.start()
    processor.accept(delivery(0))
    await started.wait()
    for n in (1, 2, 3):
        processor.accept(delivery(n))  # while d-0's pass runs: waits, collapsed to one more
    release.set()
    await processor.wait_idle()
    assert order == ["start:d-0", "end:d-0", "start:d-3", "end:d-3"]
    assert processor.stats.passes == 2
    await processor.drain(1)


async def test_different_issues_run_concurrently() -> None:
    active = 0
    most = 0
    router = Router()

    @router.register("issues")
    async def slow(event: sansio.Event, *args: Any) -> None:
        nonlocal active, most
        active += 1
        most = max(most, active)
        await asyncio.sleep(0.02)
        active -= 1

    processor = Processor(router, lambda d: (), workers=4)
    processor.start()
    for n in range(4):
        processor.accept(delivery(n, issue=n))
    await processor.wait_idle()
    assert most > 1
    await processor.drain(1)


async def test_drain_finishes_queued_work_and_refuses_new() -> None:
    seen: list[str] = []
    processor = Processor(recording_router(seen, pause=0.001), lambda d: (), workers=2)
    processor.start()
    for n in range(100):
        processor.accept(delivery(n, issue=n % 7))
    assert await processor.drain(10) is True
    assert processor.stats.processed == 100  # every delivery accounted for...
    firsts = {s for s in seen if s.startswith("first")}
    assert {f"first:d-{93 + n}" for n in range(7)} <= firsts  # the newest of each issue ran
    assert processor.accept(delivery(999)) == "draining"


async def test_drain_gives_up_after_the_grace_period() -> None:
    router = Router()

    @router.register("issues")
    async def stuck(event: sansio.Event, *args: Any) -> None:
        await asyncio.sleep(30)

    processor = Processor(router, lambda d: ())
    processor.start()
    processor.accept(delivery(1))
    await asyncio.sleep(0)
    assert await processor.drain(0.05) is False


async def test_full_queue_is_reported_and_not_marked_seen() -> None:
    processor = Processor(Router(), lambda d: (), queue_size=1)  # workers not started
    assert processor.accept(delivery(1, issue=1)) == "queued"
    assert processor.accept(delivery(2, issue=1)) == "queued"  # the same issue: it joins
    assert processor.accept(delivery(3, issue=2)) == "full"  # a second distinct issue
    assert processor.accept(delivery(3, issue=2)) == "full"  # not "duplicate": it was never taken
    assert processor.stats.refused == 2
