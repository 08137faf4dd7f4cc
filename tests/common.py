"""Constants shared by tests that need no running world."""

from __future__ import annotations

import datetime as dt

from app.github.client import RetryPolicy

FAST_RETRIES = RetryPolicy(attempts=4, base_delay=0.01, max_delay=2.0, total=10.0, secondary_wait=1.0)
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)  # a Monday
