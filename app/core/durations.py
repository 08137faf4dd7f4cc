"""Durations and times as the bot writes them: the one formatter, so a thread never mixes styles."""

from __future__ import annotations

import datetime as dt


def format_duration(delta: dt.timedelta | None) -> str:
    """ "2h 05m", "3d 4h", "12m": short enough for a table cell; "—" when it has not happened."""
    if delta is None:
        return "—"
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m"


def format_time(at: dt.datetime) -> str:
    """A moment in UTC, to the minute: "2026-05-01 12:00 UTC"."""
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
