"""GitHub's page-number pagination: ``per_page`` (default 30, max 100), ``page`` and ``Link``."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from aiohttp import web

from .errors import invalid_request

T = TypeVar("T")


def _int(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise invalid_request(f"For '{name}', {raw!r} is not an integer.") from exc


def paginate(request: web.Request, items: list[T], base_url: str) -> tuple[list[T], str | None]:
    """The requested page and the Link header (None when everything fits on one page)."""
    per_page = min(max(_int(request, "per_page", 30), 1), 100)
    page = max(_int(request, "page", 1), 1)
    last = max((len(items) + per_page - 1) // per_page, 1)
    chunk = items[(page - 1) * per_page : page * per_page]
    if last == 1 and page == 1:
        return chunk, None

    def url(n: int) -> str:
        query: dict[str, Any] = {k: v for k, v in request.query.items() if k != "page"}
        query["page"] = n
        return f"{base_url}{request.path}?{urlencode(query)}"

    # GitHub's order: prev, next, last, first (prev/first only after page 1, next/last
    # only before the last page).
    links = []
    if page > 1:
        links.append(f'<{url(min(page - 1, last))}>; rel="prev"')
    if page < last:
        links.append(f'<{url(page + 1)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
    if page > 1:
        links.append(f'<{url(1)}>; rel="first"')
    return chunk, ", ".join(links) or None
