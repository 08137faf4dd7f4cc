"""What GitHub's answers mean: the one reading of its status codes.

https://docs.github.com/en/rest/using-the-rest-api/troubleshooting-the-rest-api and
https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api:
404 (and 410 for a deleted issue) when a thing is not there or not visible to the app;
403 for a missing permission, or with ``x-ratelimit-remaining: 0`` / ``retry-after``
for a rate limit; 422 when GitHub validated the request and refused it (an
unassignable login, a body too long, a label that already exists).
"""

from __future__ import annotations

from gidgethub import BadRequest, HTTPException, RedirectionException


def status_of(exc: BaseException) -> int | None:
    """The HTTP status of a GitHub error, or None when it is not one."""
    return int(exc.status_code) if isinstance(exc, HTTPException) else None


def is_not_found(exc: BaseException) -> bool:
    """Not there (404) or deleted (410)."""
    return isinstance(exc, BadRequest) and status_of(exc) in (404, 410)


def is_gone(exc: BaseException) -> bool:
    """The issue was deleted (404, 410) or transferred to another repository (301 on a write)."""
    return isinstance(exc, RedirectionException) or is_not_found(exc)


def is_rate_limited(exc: BaseException) -> bool:
    """A 403 or 429 that is a rate limit (primary or secondary), not a missing permission."""
    if not isinstance(exc, BadRequest) or status_of(exc) not in (403, 429):
        return False
    headers = {k.lower(): v for k, v in (getattr(exc, "headers", None) or {}).items()}
    message = str(exc).lower()
    return (
        status_of(exc) == 429
        or headers.get("x-ratelimit-remaining") == "0"
        or "retry-after" in headers
        or "rate limit" in message
        or "abuse" in message
    )


def is_forbidden(exc: BaseException) -> bool:
    """403 for want of a permission (a rate limit is not that)."""
    return isinstance(exc, BadRequest) and status_of(exc) == 403 and not is_rate_limited(exc)


def is_unprocessable(exc: BaseException) -> bool:
    """422 Validation Failed: GitHub understood the request and refused it."""
    return isinstance(exc, BadRequest) and status_of(exc) == 422


def is_unauthorized(exc: BaseException) -> bool:
    return isinstance(exc, BadRequest) and status_of(exc) == 401


def is_hidden(exc: BaseException) -> bool:
    """403 or 404: the app may not see it, which for a read means the same as not there."""
    return is_forbidden(exc) or is_not_found(exc)


def is_transient(exc: BaseException) -> bool:
    """GitHub's side failed or asked us to slow down: the same request may work later."""
    import aiohttp

    from app.github.client import GiveUp  # the client's own "gave up retrying"

    if isinstance(exc, GiveUp | TimeoutError | aiohttp.ClientError):
        return True
    status = status_of(exc)
    return (status is not None and status >= 500) or is_rate_limited(exc)
