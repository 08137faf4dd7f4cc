"""What every benchmark shares: the machine line, percentiles, the real-sized payload."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import json
import os
import platform
import socket
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "sandbox" / "fixtures" / "webhooks" / "issues.labeled.json"
REPO = "acme/web"  # the sandbox's default seed
INSTALLATION = 100


def machine() -> dict[str, str]:
    return {
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of `values`; 0.0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def labeled_payload(number: int, label: str = "incident", sender: str = "alice") -> dict[str, Any]:
    """GitHub's own `issues.labeled` example (~14 KB), pointed at an issue of the sandbox's acme/web.

    Everything else (URLs, the repository's 90 fields, the organization) stays as GitHub
    sent it, so parsing costs what a real delivery costs.
    """
    data: dict[str, Any] = copy.deepcopy(json.loads(FIXTURE.read_text()))
    owner, name = REPO.split("/")
    data["installation"] = {"id": INSTALLATION, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMTAw"}
    data["repository"]["full_name"] = REPO
    data["repository"]["name"] = name
    data["repository"]["owner"]["login"] = owner
    data["issue"]["number"] = number
    data["label"] = {**data["label"], "name": label}
    data["issue"]["labels"] = [{**data["label"], "name": label}]
    data["sender"]["login"] = sender
    return data


def signed(body: bytes, secret: str, event: str = "issues") -> dict[str, str]:
    """Headers GitHub sends, minus X-GitHub-Delivery (unique per request: the caller adds it)."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "GitHub-Hookshot/bench",
        "X-GitHub-Event": event,
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
    }


def body_of(data: dict[str, Any]) -> bytes:
    # json.dumps' default separators: ~14 KB for this payload, the size the issue asks for.
    return json.dumps(data).encode()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
