"""JSON logs and /metrics, checked through a whole incident declared in the sandbox."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator

import aiohttp
import pytest

from app.service import logs
from app.web.metrics import Histogram
from tests.harness import open_issue, world
from tests.keys import SECRET, private_key_pem

SAMPLE = re.compile(r'^([a-z_]+)(\{(?:[a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|\+Inf|NaN)$')


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """Every record, formatted as `serve` formats it, next to pytest's own capture."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def parse_metrics(text: str) -> dict[str, float]:
    """name{labels} -> value; fails on any line that is not HELP, TYPE or a sample."""
    samples: dict[str, float] = {}
    typed: set[str] = set()
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            parts = line.split(" ", 3)
            assert len(parts) == 4 and parts[2].startswith("incident_bot_"), line
            if parts[1] == "TYPE":
                assert parts[3] in ("counter", "gauge", "histogram"), line
                typed.add(parts[2])
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample: {line!r}"
        family = re.sub(r"_(bucket|sum|count)$", "", match.group(1))
        assert match.group(1) in typed or family in typed, f"sample before its TYPE: {line}"
        samples[match.group(1) + (match.group(2) or "")] = float(match.group(3))
    return samples


async def test_a_whole_incident_logs_fields_moves_metrics_and_leaks_nothing(
    json_lines: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with world() as w, aiohttp.ClientSession() as http:
        before = parse_metrics(await (await http.get(f"{w.url}/metrics")).text())
        await open_issue(w, "alice", title="Checkout down", body="All users.", labels=["incident"])
        response = await http.get(f"{w.url}/metrics")
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        after = parse_metrics(await response.text())
        tokens = list(w.sandbox.state.tokens)

    assert 'incident_bot_deliveries_total{event="issues",outcome="ok"}' not in before
    assert after['incident_bot_deliveries_total{event="issues",outcome="ok"}'] >= 1
    assert after['incident_bot_webhook_responses_total{status="202"}'] >= 1
    assert after["incident_bot_webhook_ack_seconds_count"] >= 1
    assert (
        after['incident_bot_webhook_ack_seconds_bucket{le="+Inf"}']
        == after["incident_bot_webhook_ack_seconds_count"]
    )
    assert after['incident_bot_github_api_calls_total{method="POST",status="201"}'] >= 1
    assert after["incident_bot_installation_token_requests_total"] == 1
    assert after["incident_bot_installation_token_cache_hits_total"] >= 1
    assert after["incident_bot_github_rate_limit_remaining"] > 0
    assert after["incident_bot_queue_depth"] == 0

    lines = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    delivered = [x for x in lines if x.get("outcome") and x["logger"] == "app.service.processor"]
    assert delivered, "no per-delivery line"
    first = delivered[0]
    assert {
        "time",
        "level",
        "logger",
        "message",
        "delivery",
        "event",
        "action",
        "installation",
        "repository",
        "outcome",
        "duration_ms",
    } <= set(first)
    assert (first["event"], first["installation"], first["repository"]) == ("issues", 100, "acme/web")

    key_body = private_key_pem().splitlines()[1]
    assert tokens and all(t.startswith("ghs_") for t in tokens)
    for text in (caplog.text, json_lines.getvalue()):
        assert SECRET not in text
        assert key_body not in text
        assert "ghs_" not in text


def test_json_lines_carry_extra_fields_and_exceptions() -> None:
    record = logging.LogRecord("app.x", logging.ERROR, __file__, 1, "failed %s", ("d-1",), None)
    record.delivery = "d-1"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = json.loads(logs.JsonFormatter().format(record))
    assert line["message"] == "failed d-1" and line["delivery"] == "d-1"
    assert line["level"] == "error" and line["logger"] == "app.x"
    assert line["time"].endswith("+00:00")
    assert "ValueError: boom" in line["exception"]


def test_both_formats_mask_tokens_and_keys_logged_by_mistake() -> None:
    token = "ghs_" + "a" * 36
    record = logging.LogRecord(
        "app.x", logging.INFO, __file__, 1, "headers %s", ({"authorization": f"token {token}"},), None
    )
    record.key = private_key_pem()
    text = logs.TextFormatter().format(record)
    line = logs.JsonFormatter().format(record)
    for out in (text, line):
        assert token not in out and "[redacted]" in out
    assert private_key_pem().splitlines()[1] not in line


def test_histogram_buckets_are_upper_bounds() -> None:
    histogram = Histogram((0.1, 1.0))
    for value in (0.05, 0.1, 0.5, 3.0):
        histogram.observe(value)
    assert histogram.counts == [2, 1, 1] and histogram.count == 4
