"""The webhook server: an aiohttp application built by `create_app`.

`POST /webhook` checks the signature, parses, queues and answers at once;
`GET /healthz` says whether the workers are alive and the queue moves, and how deep it is.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable

import aiohttp
from aiohttp import web
from gidgethub.routing import Router

from app.github.client import GitHubApp, RetryPolicy
from app.service.handlers.incidents import apply_comments
from app.service.notify import CLAIM_DELAY, Notifier, SendPolicy
from app.service.processor import Processor
from app.service.relevance import relevant
from app.service.services import Services
from app.service.shared import RedisStore
from app.service.webhook import MAX_BODY, Delivery, Refused, parse
from app.settings import Settings
from app.web import metrics, statuspage

log = logging.getLogger(__name__)

PROCESSOR = web.AppKey("processor", Processor)
SERVICES = web.AppKey("services", Services)
SETTINGS = web.AppKey("settings", Settings)


def create_app(
    settings: Settings,
    *,
    router: Router | None = None,
    policy: RetryPolicy | None = None,
    services_factory: Callable[[GitHubApp], Services] | None = None,
    clock: Callable[[], float] = time.time,
    notify_policy: SendPolicy | None = None,
    claim_delay: float = CLAIM_DELAY,
) -> web.Application:
    """Build the server. Nothing is read from the environment here: `settings` says it all."""
    if router is None:
        from app.service.handlers import router as composed

        router = composed()
    app = web.Application(client_max_size=MAX_BODY)
    app[SETTINGS] = settings
    app.router.add_post("/webhook", _webhook)
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/", _healthz)
    metrics.install(app, processor=PROCESSOR, services=SERVICES)
    statuspage.install(app, services=SERVICES)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            github = GitHubApp.from_settings(session, settings, policy=policy or RetryPolicy(), clock=clock)
            services = (services_factory or Services.create)(github)
            services.notifier = Notifier.from_settings(
                settings.notify, session, policy=notify_policy, claim_delay=claim_delay
            )
            app[SERVICES] = services
            store = (
                RedisStore.from_url(settings.redis_url, verify_tls=settings.redis_tls_verify)
                if settings.redis_url
                else None
            )
            if store is not None:
                services.shared = store  # the sweep's lease per installation
            processor = Processor(
                router,
                lambda d: _handler_arguments(services, d),
                workers=settings.workers,
                queue_size=settings.queue_size,
                clock=clock,  # the delivery-id memory ages with the same clock (tests move it)
                relevant=lambda d: relevant(
                    d, bot_login=services.known_bot_login(), labels_of=services.labels_of_interest
                ),
                replay=lambda d, up_to: _apply_comments(services, d, up_to),
                retry_base=(policy or RetryPolicy()).base_delay,  # a pass backs off as a request does
                shared=store,
                lease_ms=settings.lease_ms,
                poll=settings.poll,
            )
            app[PROCESSOR] = processor
            processor.start()
            yield
            # On SIGTERM aiohttp stops accepting connections, then runs this:
            # finish what is queued, within the grace period.
            await processor.drain(settings.grace_period)
            await services.notifier.drain(settings.grace_period)
            if store is not None:
                await store.close()

    app.cleanup_ctx.append(lifecycle)
    return app


async def _apply_comments(services: Services, delivery: Delivery, up_to: int) -> None:
    if delivery.installation_id is not None:
        await apply_comments(
            delivery, up_to, services.github.installation(delivery.installation_id), services
        )


def _handler_arguments(services: Services, delivery: Delivery) -> tuple[object, ...]:
    assert delivery.installation_id is not None
    return (services.github.installation(delivery.installation_id), services)


async def _webhook(request: web.Request) -> web.Response:
    started = time.monotonic()
    processor = request.app[PROCESSOR]
    try:
        body = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _answer(413, "payload larger than GitHub's 25 MB limit")
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        delivery = parse(headers, body, request.app[SETTINGS].webhook_secret)
    except Refused as refused:
        log.warning("refused delivery=%s: %s", headers.get("x-github-delivery", "-"), refused.reason)
        return _answer(refused.status, refused.reason)
    if delivery.event.event == "ping":
        return _answer(200, "pong")
    repository = delivery.event.data.get("repository")
    if isinstance(repository, dict) and isinstance(repository.get("full_name"), str):
        # Any event may change what the repository's public page may show (a security label).
        statuspage.repository_changed(request.app, repository["full_name"])
    outcome = await processor.offer(delivery)
    if outcome == "unavailable":
        log.error("Redis (REDIS_URL) unreachable: delivery=%s %s refused", delivery.id, delivery.name)
        return _answer(503, "the shared store is unreachable: redeliver this delivery later")
    if outcome == "draining":
        return _answer(503, "shutting down: redeliver this delivery in a minute")
    if outcome == "full":
        log.error("queue full of distinct issues: delivery=%s %s not accepted", delivery.id, delivery.name)
        return _answer(503, "too busy: redeliver this delivery later")
    log.debug("ack delivery=%s in %.1fms", delivery.id, (time.monotonic() - started) * 1000)
    return _answer(200 if outcome in ("duplicate", "ignored") else 202, outcome)


async def _healthz(request: web.Request) -> web.Response:
    """200 while the server can do its work; 503 saying what is wrong when it cannot, so a
    load balancer or orchestrator replaces a replica whose workers are gone or stuck."""
    processor = request.app.get(PROCESSOR)
    if processor is None:
        return web.json_response({"status": "ok", "queue": 0})
    problems = processor.health()
    answer: dict[str, object] = {"status": "unhealthy" if problems else "ok", "queue": processor.depth}
    answer["workers"] = processor.workers_alive
    if problems:
        answer["problems"] = problems
    return web.json_response(answer, status=503 if problems else 200)


def _answer(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status)
