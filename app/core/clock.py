"""A clock that tests, the demo and the sweep can move by hand."""

from __future__ import annotations

import datetime as dt


class Clock:
    """Time that can be moved by hand; shared by the sandbox and the app."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.current = start
        self.moved = dt.timedelta()

    def __call__(self) -> dt.datetime:
        if self.current is None:
            return dt.datetime.now(dt.UTC) + self.moved
        return self.current + self.moved

    def advance(self, **delta: float) -> dt.datetime:
        self.moved += dt.timedelta(**delta)
        return self()
