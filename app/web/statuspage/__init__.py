"""`GET /status/{owner}/{repo}`: the public status page of a repository's incidents.

Shown only for a public repository whose `.github/incidents.yml` sets
`status_page: true`. Every other case (app not installed, not enabled, no such
repository, a private or internal one) gets the same 404 with the same sentence, so
the page never tells whether a private repository exists. `?format=json` gives the
same fields as JSON; `/status/{owner}/{repo}/feed.atom` is an Atom feed (RFC 4287)
with one entry per incident.
"""

from __future__ import annotations

from aiohttp import web

from app.service.services import Services
from app.web.statuspage.feed import atom
from app.web.statuspage.render import html_page, json_page, message_page
from app.web.statuspage.source import PAGE_TTL, StatusPages, Unavailable

__all__ = ["NOT_FOUND", "install", "repository_changed"]

NOT_FOUND = (
    "This repository has no public status page: the app is not installed on it, "
    "or its .github/incidents.yml does not set status_page: true."
)
PAGES = web.AppKey("status_pages", StatusPages)


def install(app: web.Application, *, services: web.AppKey[Services]) -> None:
    """Serve the status page from `app`; `services` says where the server keeps its Services."""
    app[PAGES] = StatusPages(lambda: app[services])
    app.router.add_get("/status/{owner}/{repo}", _status)
    app.router.add_get("/status/{owner}/{repo}/feed.atom", _feed)


def repository_changed(app: web.Application, full_name: str) -> None:
    """A webhook arrived about this repository: drop its cached page (see source.invalidate)."""
    pages = app.get(PAGES)
    if pages is not None:
        pages.invalidate(full_name)


async def _feed(request: web.Request) -> web.Response:
    owner, repo = request.match_info["owner"], request.match_info["repo"]
    try:
        page = await request.app[PAGES].page(owner, repo)
    except Unavailable:
        return _answer(503, "GitHub could not be read just now: try again in a minute.", False)
    if page is None:
        return _answer(404, NOT_FOUND, False)
    self_url = str(request.url.with_query(None))
    page_url = self_url.removesuffix("/feed.atom")
    return web.Response(
        body=atom(page, self_url, page_url),
        content_type="application/atom+xml",
        charset="utf-8",
        headers={"Cache-Control": f"public, max-age={int(PAGE_TTL)}"},
    )


async def _status(request: web.Request) -> web.Response:
    wants_json = request.query.get("format", "html").lower() == "json"
    owner, repo = request.match_info["owner"], request.match_info["repo"]
    try:
        page = await request.app[PAGES].page(owner, repo)
    except Unavailable:
        return _answer(503, "GitHub could not be read just now: try again in a minute.", wants_json)
    if page is None:
        return _answer(404, NOT_FOUND, wants_json)
    headers = {"Cache-Control": f"public, max-age={int(PAGE_TTL)}"}
    if wants_json:
        return web.json_response(json_page(page), headers=headers)
    feed = f"{request.url.path.rstrip('/')}/feed.atom"
    return web.Response(
        text=html_page(page, feed), content_type="text/html", charset="utf-8", headers=headers
    )


def _answer(status: int, reason: str, wants_json: bool) -> web.Response:
    if wants_json:
        return web.json_response({"message": reason}, status=status)
    return web.Response(
        text=message_page("No status page" if status == 404 else "Status unavailable", reason),
        status=status,
        content_type="text/html",
        charset="utf-8",
    )
