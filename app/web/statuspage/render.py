"""The status page as HTML (plain, semantic, inline CSS, no JavaScript) and as JSON.

Everything that came from an issue goes through `html.escape`: titles and
updates are written by anyone who can open an issue. The layout is one column
in relative units, so it reads on a 360 px phone as on a desktop.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import Any

from app.core.durations import format_duration, format_time
from app.web.statuspage.model import HISTORY_DAYS, Listed, Page, Resolved

REFRESH_SECONDS = 60  # the browser reloads on its own; the server's cache makes that cheap

# One column, large type, no fixed widths: `max-width` only caps long lines on big screens.
_CSS = """
*{box-sizing:border-box}
body{margin:0;padding:1rem;font:1.125rem/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;
color:#1f2328;background:#f6f8fa}
main,header,footer{max-width:40rem;margin:0 auto}
h1{font-size:1.5rem;margin:.5rem 0;overflow-wrap:anywhere}
h2{font-size:1.25rem;margin:0 0 .5rem;overflow-wrap:anywhere}
a{color:#0969da}
article{background:#fff;border:1px solid #d0d7de;border-left:.5rem solid #8c959f;
border-radius:.5rem;padding:1rem;margin:1rem 0}
article.rank-0{border-left-color:#cf222e}
article.rank-1{border-left-color:#bc4c00}
article.rank-2{border-left-color:#9a6700}
article.resolved{border-left-color:#1a7f37}
dl{margin:0}
dt{font-weight:600;margin-top:.5rem}
dd{margin:0;overflow-wrap:anywhere}
.none{font-size:1.25rem;background:#fff;border:1px solid #d0d7de;border-radius:.5rem;padding:1rem}
section.history h2{font-size:1.25rem;margin:1.5rem 0 .5rem}
section.history ol{list-style:none;margin:0;padding:0}
section.history li{background:#fff;border:1px solid #d0d7de;border-left:.5rem solid #1a7f37;
border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0;overflow-wrap:anywhere}
section.history .facts{display:block;color:#57606a;font-size:1rem}
footer{color:#57606a;font-size:1rem}
""".strip()


def iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _time(at: dt.datetime) -> str:
    return f'<time datetime="{iso(at)}">{escape(format_time(at))}</time>'


def _ago(delta: dt.timedelta) -> str:
    return "just now" if delta < dt.timedelta(minutes=1) else f"{format_duration(delta)} ago"


def _incident(entry: Listed) -> str:
    classes = ["incident"]
    if entry.resolved:
        classes.append("resolved")
    elif entry.severity_rank is not None:
        classes.append(f"rank-{min(entry.severity_rank, 2)}")
    title = f"#{entry.number} {entry.title}"
    heading = f'<a href="{escape(entry.url)}">{escape(title)}</a>' if entry.url else escape(title)
    severity = (
        f"{escape(entry.severity_key or '')} — {escape(entry.severity_name or '')}"
        if entry.severity_key
        else "Not set"
    )
    if entry.last_update is None:
        update = "No update yet"
    else:
        text = escape(entry.last_update.text) if entry.last_update.text else "Update posted"
        update = f"{text}<br>{_time(entry.last_update.at)}"
    return (
        f'<article class="{" ".join(classes)}">\n<h2>{heading}</h2>\n<dl>\n'
        f"<dt>Severity</dt><dd>{severity}</dd>\n"
        f"<dt>Status</dt><dd>{escape(entry.status or 'Not set')}</dd>\n"
        f"<dt>Declared</dt><dd>{escape(_ago(entry.since_declared))} "
        f"({_time(entry.declared_at)})</dd>\n"
        f"<dt>Last update</dt><dd>{update}</dd>\n</dl>\n</article>"
    )


def _resolved(entry: Resolved) -> str:
    title = escape(f"#{entry.number} {entry.title}")
    heading = f'<a href="{escape(entry.url)}">{title}</a>' if entry.url else title
    severity = (
        f"Severity {escape(entry.severity_key)} — {escape(entry.severity_name or '')}"
        if entry.severity_key
        else "Severity not set"
    )
    return (
        f'<li>{heading}<span class="facts">{severity} · resolved {_time(entry.resolved_at)} '
        f"after {escape(format_duration(entry.time_to_resolve))}</span></li>"
    )


def _history(page: Page) -> str:
    heading = f'<section class="history">\n<h2>Resolved in the last {HISTORY_DAYS} days</h2>\n'
    if not page.resolved:
        return f"{heading}<p>None.</p>\n</section>"
    items = "\n".join(_resolved(e) for e in page.resolved)
    return f"{heading}<ol>\n{items}\n</ol>\n</section>"


def html_page(page: Page, feed_url: str = "") -> str:
    count = len(page.incidents)
    summary = "No active incidents." if count == 0 else f"{count} active incident{'s' * (count != 1)}."
    body = "\n".join(_incident(e) for e in page.incidents) or f'<p class="none">{summary}</p>'
    body += "\n" + _history(page)
    repo = escape(page.repo)
    feed_link = ""
    if feed_url:
        feed_link = (
            f'<link rel="alternate" type="application/atom+xml" title="Status of {repo}" '
            f'href="{escape(feed_url)}">\n'
        )
    feed_line = f' <a href="{escape(feed_url)}">Atom feed</a>.' if feed_url else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<title>Status: {repo}</title>
{feed_link}<style>
{_CSS}
</style>
</head>
<body>
<header>
<h1>Status of {repo}</h1>
<p>{summary}</p>
</header>
<main>
{body}
</main>
<footer>
<p>Last refreshed {_time(page.refreshed_at)}. This page reloads every minute.{feed_line}</p>
</footer>
</body>
</html>
"""


def message_page(title: str, reason: str) -> str:
    """A page that only says why there is no status to show."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style>
{_CSS}
</style>
</head>
<body>
<main><h1>{escape(title)}</h1><p>{escape(reason)}</p></main>
</body>
</html>
"""


def _listed_json(entry: Listed) -> dict[str, Any]:
    severity = (
        {"key": entry.severity_key, "name": entry.severity_name} if entry.severity_key is not None else None
    )
    last = entry.last_update
    return {
        "number": entry.number,
        "title": entry.title,
        "url": entry.url,
        "severity": severity,
        "status": entry.status,
        "resolved": entry.resolved,
        "declared_at": iso(entry.declared_at),
        "since_declared_seconds": int(entry.since_declared.total_seconds()),
        "since_declared": format_duration(entry.since_declared),
        "last_update": {"text": last.text, "at": iso(last.at)} if last else None,
    }


def _resolved_json(entry: Resolved) -> dict[str, Any]:
    severity = (
        {"key": entry.severity_key, "name": entry.severity_name} if entry.severity_key is not None else None
    )
    return {
        "number": entry.number,
        "title": entry.title,
        "url": entry.url,
        "severity": severity,
        "declared_at": iso(entry.declared_at),
        "resolved_at": iso(entry.resolved_at),
        "time_to_resolve_seconds": int(entry.time_to_resolve.total_seconds()),
        "time_to_resolve": format_duration(entry.time_to_resolve),
    }


def json_page(page: Page) -> dict[str, Any]:
    return {
        "repository": page.repo,
        "refreshed_at": iso(page.refreshed_at),
        "incidents": [_listed_json(e) for e in page.incidents],
        "resolved": [_resolved_json(e) for e in page.resolved],
    }
