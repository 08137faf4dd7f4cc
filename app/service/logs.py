"""Log output: one JSON object per line for platforms' log search, or plain text for people.

A JSON line has `time`, `level`, `logger`, `message`, then every field passed
with `extra=` (so `outcome` or `duration_ms` can be filtered on without parsing
the message), and `exception` when there is a traceback.

Secrets are never logged on purpose; as a second line of defence both formats
mask anything shaped like a GitHub token or a PEM key body, so a future
`log.info("%s", headers)` cannot leak one.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Any, TextIO

# Tokens GitHub issues (installation ghs_, user ghu_/gho_/ghp_, refresh ghr_, fine-grained
# github_pat_) and PEM blocks: whatever a log line might carry by mistake.
SECRET = re.compile(
    r"\b(?:gh[opsur]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,})"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
    re.DOTALL,
)
MASK = "[redacted]"

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(text: str) -> str:
    return SECRET.sub(MASK, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = _plain(value)
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _plain(value: Any) -> Any:
    """A field as JSON: strings are masked like the message; other values pass through."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


def configure(fmt: str, level: int = logging.INFO, stream: TextIO | None = None) -> logging.Handler:
    """Send every logger's records to `stream` (stderr) in `fmt` ("json" or "text")."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    # aiohttp's access log repeats what the delivery line says, without the delivery id.
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    return handler


class Failures:
    """Failures by incident: the first of each is logged whole, the rest only counted.

    An incident that fails on every delivery and every sweep (a comment GitHub refuses,
    a bug) must not bury the log in identical tracebacks, nor hide among the others:
    one full report, then a count that /metrics shows (incident_failures_total).
    Bounded: the most recently failing MAX incidents are remembered.
    """

    MAX = 200

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def report(self, logger: logging.Logger, incident: str, message: str, *args: object) -> None:
        count = self.counts.pop(incident, 0) + 1
        self.counts[incident] = count  # most recent last
        while len(self.counts) > self.MAX:
            del self.counts[next(iter(self.counts))]
        if count == 1:
            logger.exception(message, *args)
        else:
            logger.warning(
                "%s failed again (%d times so far; the first failure was logged in full)", incident, count
            )

    def cleared(self, incident: str) -> None:
        """It worked: the next failure is news again."""
        self.counts.pop(incident, None)
