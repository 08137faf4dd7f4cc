"""Injected failures: HTTP answers in place of the real handler, and webhook delivery faults.

A matching request gets the injected answer and the real handler does not run (no state
change, no webhook), exactly like a GitHub outage or rate limit would behave for the client.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from .webhooks import DeliveryFaults

SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes "
    "before you try again. If you reach out to GitHub Support for help, "
    "please include the request ID."
)
PRIMARY_MESSAGE = (
    "API rate limit exceeded for installation. If you reach out to GitHub "
    "Support for help, please include the request ID."
)
RATE_DOCS = (
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits"
)


@dataclass
class FaultRule:
    method: str | None = None
    path: str | None = None
    status: int = 503
    headers: dict[str, str] | None = None
    body: Any = None
    times: int | None = 1  # None: forever
    probability: float | None = None
    delay: float | None = None
    reset: bool = False
    rng: random.Random = field(default_factory=random.Random)
    # "app": only requests the app makes (JWT or installation token); "people": only
    # people's (``token user:LOGIN``); None: everyone. Lets a soak break the app's calls
    # while the simulated people keep acting.
    who: str | None = None
    # Filled at match time, for headers that depend on the clock (x-ratelimit-reset).
    reset_in: float | None = None
    hits: int = 0

    def matches(self, method: str, path: str, authorization: str | None = None) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.who is not None and self.who != _who(authorization):
            return False
        if self.method and self.method.upper() != method.upper():
            return False
        if self.path and not re.search(self.path, path):
            return False
        return not (self.probability is not None and self.rng.random() >= self.probability)


class Faults:
    def __init__(self) -> None:
        self.rules: list[FaultRule] = []
        self.deliveries = DeliveryFaults()

    def add(
        self,
        *,
        method: str | None = None,
        path: str | None = None,
        status: int = 503,
        headers: dict[str, str] | None = None,
        body: Any = None,
        times: int | None = 1,
        probability: float | None = None,
        delay: float | None = None,
        reset: bool = False,
        seed: int | None = None,
        who: str | None = None,
    ) -> FaultRule:
        if who not in (None, "app", "people"):
            raise ValueError("who must be None, 'app' or 'people'")
        rule = FaultRule(
            method=method,
            path=path,
            status=status,
            headers=headers,
            body=body,
            times=times,
            probability=probability,
            delay=delay,
            reset=reset,
            rng=random.Random(seed),
            who=who,
        )
        self.rules.append(rule)
        return rule

    def secondary_rate_limit(self, retry_after: int = 1, **kw: Any) -> FaultRule:
        body = {"message": SECONDARY_MESSAGE, "documentation_url": RATE_DOCS, "status": "403"}
        return self.add(status=403, headers={"retry-after": str(retry_after)}, body=body, **kw)

    def primary_rate_limit(self, reset_in: int = 2, **kw: Any) -> FaultRule:
        body = {
            "message": PRIMARY_MESSAGE,
            "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
            "status": "403",
        }
        rule = self.add(status=403, headers={"x-ratelimit-remaining": "0"}, body=body, **kw)
        rule.reset_in = reset_in
        return rule

    def too_many_requests(self, retry_after: int | None = 1, **kw: Any) -> FaultRule:
        """429, GitHub's other rate-limit answer; without retry-after the client must back off."""
        headers = {"retry-after": str(retry_after)} if retry_after is not None else {}
        body = {"message": SECONDARY_MESSAGE, "documentation_url": RATE_DOCS, "status": "429"}
        return self.add(status=429, headers=headers, body=body, **kw)

    def match(self, method: str, path: str, authorization: str | None = None) -> FaultRule | None:
        for rule in self.rules:
            if rule.matches(method, path, authorization):
                if rule.times is not None:
                    rule.times -= 1
                rule.hits += 1
                return rule
        return None

    def clear(self) -> None:
        self.rules.clear()
        self.deliveries.clear()

    def drop_deliveries(self, share: float = 1.0, seed: int | None = 0) -> None:
        self.deliveries.drop_share = share
        self.deliveries.rng = random.Random(seed)

    def duplicate_deliveries(self, share: float = 1.0, seed: int | None = 0) -> None:
        self.deliveries.duplicate_share = share
        self.deliveries.rng = random.Random(seed)

    def reorder_deliveries(self, window: int = 2, seed: int | None = 0) -> None:
        self.deliveries.reorder_window = window
        self.deliveries.rng = random.Random(seed)


def _who(authorization: str | None) -> str:
    credential = (authorization or "").partition(" ")[2].strip()
    return "people" if credential.startswith("user:") or not credential else "app"
