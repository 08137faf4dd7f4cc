"""Every request the sandbox answered, in memory and optionally appended to a JSON-lines file."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    actor: str  # a login, "app", "installation:<id>" or "anonymous"
    faulted: bool = False
    # The documented operation's path template the request matched (None: no such route).
    route: str | None = None
    # When it arrived (monotonic seconds): proves a client waited as told before retrying.
    at: float = field(default_factory=time.monotonic)

    @property
    def url(self) -> str:
        """Path with query string, as ``conforms`` takes it."""
        if not self.query:
            return self.path
        from urllib.parse import urlencode

        return f"{self.path}?{urlencode(self.query)}"


class Recorder:
    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self.requests: list[RecordedRequest] = []

    def add(self, rec: RecordedRequest) -> None:
        self.requests.append(rec)
        if self.path is not None:
            # Credentials are never part of a record: only the actor's name is kept.
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(asdict(rec), sort_keys=True) + "\n")
