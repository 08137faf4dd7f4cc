"""`GET /metrics`: the server's counters in Prometheus' text format, written by hand.

The format is small (https://prometheus.io/docs/instrumenting/exposition_formats/):
`# HELP` and `# TYPE` lines, then `name{label="value"} number` samples. Counting
happens where the work is (the processor, the GitHub client, the token cache);
this module only adds what nobody else sees — how long `POST /webhook` took to
answer and with which status — and reads the rest when scraped.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from app.github.write import REPAIRS
from app.service.processor import Processor
from app.service.services import Services

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Acknowledging should take milliseconds; GitHub gives up at 10 s.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PREFIX = "incident_bot_"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Histogram:
    buckets: tuple[float, ...]
    counts: list[int] = field(default_factory=list)  # per bucket, not cumulative; last is +Inf
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * (len(self.buckets) + 1)

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.buckets, value)] += 1
        self.total += value
        self.count += 1


@dataclass
class WebhookMetrics:
    """What the `/webhook` handler itself costs: kept per application, never global."""

    ack_seconds: Histogram = field(default_factory=lambda: Histogram(ACK_BUCKETS))
    responses: Counter[int] = field(default_factory=Counter)


METRICS = web.AppKey("metrics", WebhookMetrics)


def install(
    app: web.Application,
    *,
    processor: web.AppKey[Processor],
    services: web.AppKey[Services],
    clock: Callable[[], float] = time.perf_counter,
) -> None:
    """Time `POST /webhook` and serve `GET /metrics` (the keys say where the server keeps its parts)."""
    metrics = app[METRICS] = WebhookMetrics()

    @web.middleware
    async def timed(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != "/webhook" or request.method != "POST":
            return await handler(request)
        started = clock()
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            metrics.responses[exc.status] += 1
            raise
        finally:
            metrics.ack_seconds.observe(clock() - started)
        metrics.responses[response.status] += 1
        return response

    async def scrape(request: web.Request) -> web.Response:
        text = render(metrics, request.app.get(processor), request.app.get(services))
        return web.Response(body=text.encode(), headers={"Content-Type": CONTENT_TYPE})

    app.middlewares.append(timed)
    app.router.add_get("/metrics", scrape)


def render(metrics: WebhookMetrics, processor: Processor | None, services: Services | None) -> str:
    """The exposition text; parts not started yet (before the first request) are left out."""
    out: list[str] = []
    if processor is not None:
        stats = processor.stats
        _family(
            out,
            "deliveries_total",
            "counter",
            "Deliveries processed, by event and outcome.",
            [((("event", e), ("outcome", o)), n) for (e, o), n in sorted(stats.by_event.items())],
        )
        _family(
            out,
            "delivery_duplicates_total",
            "counter",
            "Deliveries answered 200 and skipped because their id was seen in the last hour.",
            [((), stats.duplicates)],
        )
        _family(
            out,
            "handler_failures_total",
            "counter",
            "Handlers that raised an exception.",
            [((), stats.failed_handlers)],
        )
        for name, help_text, value in (
            (
                "deliveries_ignored_total",
                "Deliveries that could not matter, answered without a pass.",
                stats.ignored,
            ),
            (
                "queue_full_total",
                "Deliveries answered 503: the queue held its bound of distinct issues.",
                stats.refused,
            ),
            (
                "passes_total",
                "Passes over an issue (each handles all the deliveries it gathered).",
                stats.passes,
            ),
            ("pass_retries_total", "Passes tried again after GitHub's side failed.", stats.retried),
        ):
            _family(out, name, "counter", help_text, [((), value)])
        _family(out, "queue_depth", "gauge", "Issues queued or being worked on.", [((), processor.depth)])
    _family(
        out,
        "webhook_responses_total",
        "counter",
        "Answers to POST /webhook, by HTTP status.",
        [((("status", str(s)),), n) for s, n in sorted(metrics.responses.items())],
    )
    _histogram(out, "webhook_ack_seconds", "Time spent answering POST /webhook.", metrics.ack_seconds)
    if services is not None:
        _family(
            out,
            "incident_failures_total",
            "counter",
            "Passes over one incident that failed, by incident (the most recent 200 that failed).",
            [((("incident", key),), n) for key, n in sorted(services.failures.counts.items())],
        )
        github = services.github
        _family(
            out,
            "github_api_calls_total",
            "counter",
            "GitHub API answers, by method and status.",
            [((("method", m), ("status", str(s))), n) for (m, s), n in sorted(github.stats.calls.items())],
        )
        remaining = github.stats.rate_limit_remaining
        _family(
            out,
            "github_rate_limit_remaining",
            "gauge",
            "x-ratelimit-remaining of the latest GitHub answer.",
            [] if remaining is None else [((), remaining)],
        )
        _family(
            out,
            "installation_token_requests_total",
            "counter",
            "Installation tokens fetched from GitHub.",
            [((), github.tokens.requests)],
        )
        _family(
            out,
            "installation_token_cache_hits_total",
            "counter",
            "Installation tokens served from the cache.",
            [((), github.tokens.hits)],
        )
        _family(
            out,
            "duplicate_repairs_total",
            "counter",
            "Copies made by a concurrent run and undone (re-read, keep the first); 0 with Redis.",
            [((("kind", kind),), REPAIRS[kind]) for kind in ("comment", "follow-up")],
        )
        notifier = services.notifier
        counts = notifier.stats.sent
        channels = sorted({*notifier.names, *(name for name, _ in counts)})
        _family(
            out,
            "notifications_total",
            "counter",
            "Notifications outside GitHub, by channel and outcome (sent, or failed after its retries).",
            [
                ((("channel", name), ("outcome", outcome)), counts[(name, outcome)])
                for name in channels
                for outcome in ("sent", "failed")
            ],
        )
    if processor is not None and processor.shared:
        _family(
            out,
            "redis_up",
            "gauge",
            "1 while the shared store (REDIS_URL) answered the last request, else 0.",
            [((), 0 if processor.shared_down else 1)],
        )
    return "\n".join(out) + "\n"


Labels = tuple[tuple[str, str], ...]


def _family(
    out: list[str], name: str, kind: str, help_text: str, samples: Iterable[tuple[Labels, float]]
) -> None:
    out.append(f"# HELP {PREFIX}{name} {help_text}")
    out.append(f"# TYPE {PREFIX}{name} {kind}")
    out.extend(f"{PREFIX}{name}{_labels(labels)} {_number(value)}" for labels, value in samples)


def _histogram(out: list[str], name: str, help_text: str, histogram: Histogram) -> None:
    out.append(f"# HELP {PREFIX}{name} {help_text}")
    out.append(f"# TYPE {PREFIX}{name} histogram")
    cumulative = 0
    for bound, count in zip((*histogram.buckets, float("inf")), histogram.counts, strict=True):
        cumulative += count
        out.append(f"{PREFIX}{name}_bucket{_labels((('le', _number(bound)),))} {cumulative}")
    out.append(f"{PREFIX}{name}_sum {_number(histogram.total)}")
    out.append(f"{PREFIX}{name}_count {histogram.count}")


def _labels(labels: Labels | Mapping[str, str]) -> str:
    pairs = labels.items() if isinstance(labels, Mapping) else labels
    if not pairs:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in pairs) + "}"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if value == float("inf"):
        return "+Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))
