"""GitHub's content-creation secondary rate limit, off unless a test or soak switches it on.

"In general, no more than 80 content-generating requests per minute and no more than 500
content-generating requests per hour are allowed" ("Rate limits for the REST API", About
secondary rate limits, https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api).
Which requests generate content is taken from each operation's own description in the
OpenAPI subset ("Creating content too quickly using this endpoint may result in secondary
rate limiting": create an issue, create a comment, add a sub-issue); a submitted issue form
counts too ("Content creation limits include actions taken on the GitHub web interface").
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field

from .errors import ApiError

# What GitHub answered a blocked content-creating request with (403, primary headers untouched):
# reported in gofri/go-github-ratelimit#38.
MESSAGE = (
    "You have exceeded a secondary rate limit and have been temporarily blocked from content "
    "creation. Please retry your request again later."
)
DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"
WINDOWS = (60, 3600)


@dataclass
class ContentLimits:
    """Per actor (a person, or an installation), rolling one-minute and one-hour windows on
    the sandbox clock. Only requests that created something (2xx) are counted."""

    enabled: bool = False
    per_minute: int = 80
    per_hour: int = 500
    # 403 or 429: "you will receive a 403 or 429 response" (Exceeding the rate limit).
    status: int = 403
    # The docs tell a client to honour retry-after "if present"; off, the client must fall
    # back to waiting at least a minute.
    retry_after: bool = True
    _seen: dict[str, deque[float]] = field(default_factory=dict)

    def enable(
        self, *, per_minute: int = 80, per_hour: int = 500, status: int = 403, retry_after: bool = True
    ) -> None:
        if status not in (403, 429):
            raise ValueError("GitHub answers a secondary rate limit with 403 or 429")
        self.enabled, self.per_minute, self.per_hour = True, per_minute, per_hour
        self.status, self.retry_after = status, retry_after

    def disable(self) -> None:
        self.enabled = False
        self._seen.clear()

    def check(self, who: str, now: float) -> None:
        """Raise GitHub's answer if ``who`` may create nothing more right now."""
        if not self.enabled:
            return
        times = self._seen.get(who, deque())
        while times and times[0] <= now - WINDOWS[-1]:
            times.popleft()
        wait = 0.0
        for window, limit in zip(WINDOWS, (self.per_minute, self.per_hour), strict=True):
            recent = [t for t in times if t > now - window]
            if len(recent) >= limit:
                # Free again when the oldest request that still counts leaves the window.
                wait = max(wait, recent[len(recent) - limit] + window - now)
        if wait > 0:
            headers = {"retry-after": str(max(1, math.ceil(wait)))} if self.retry_after else {}
            raise ApiError(self.status, MESSAGE, doc=DOCS, headers=headers)

    def count(self, who: str, now: float) -> None:
        if self.enabled:
            self._seen.setdefault(who, deque()).append(now)
