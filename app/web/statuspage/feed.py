"""The status page as an Atom feed (RFC 4287): one entry per incident, active or resolved.

An entry's `id` is its issue's URL, so a feed reader keeps one item per incident;
its `updated` moves with each `/update`, status change and resolution, so readers
show it again when something happened. Titles and updates are people's text: the
XML library escapes them, and characters XML 1.0 cannot carry at all (control
characters) are dropped first, or one hostile title would break the whole feed.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from app.core.durations import format_duration, format_time
from app.web.statuspage.model import Listed, Page, Resolved
from app.web.statuspage.render import iso

ATOM = "http://www.w3.org/2005/Atom"
# XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets): everything else goes.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _severity(key: str | None, name: str | None) -> str:
    return f"Severity {key} ({name})" if key else "Severity not set"


def _active(entry: Listed) -> tuple[str, dt.datetime, str]:
    updated = max([entry.declared_at, *([entry.last_update.at] if entry.last_update else [])])
    lines = [
        f"{_severity(entry.severity_key, entry.severity_name)} · {entry.status or 'status not set'}",
        f"Declared {format_time(entry.declared_at)}.",
    ]
    if entry.last_update is not None:
        text = entry.last_update.text or "Update posted"
        lines.append(f"Latest update ({format_time(entry.last_update.at)}): {text}")
    title = f"#{entry.number} {entry.title} — {'Resolved' if entry.resolved else entry.status or 'Active'}"
    return title, updated, "\n".join(lines)


def _resolved(entry: Resolved) -> tuple[str, dt.datetime, str]:
    lines = [
        f"{_severity(entry.severity_key, entry.severity_name)} · Resolved",
        f"Declared {format_time(entry.declared_at)}; resolved {format_time(entry.resolved_at)}, "
        f"after {format_duration(entry.time_to_resolve)}.",
    ]
    if entry.last_update is not None and entry.last_update.text:
        lines.append(f"Latest update: {entry.last_update.text}")
    return f"#{entry.number} {entry.title} — Resolved", entry.resolved_at, "\n".join(lines)


def atom(page: Page, self_url: str, page_url: str) -> bytes:
    """The feed's XML. `self_url`: where it was fetched (its id); `page_url`: the HTML page."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", self_url)
    _add(feed, "title", f"Status of {page.repo}")
    _add(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _add(feed, "link", rel="alternate", href=page_url, type="text/html")
    author = _add(feed, "author")
    _add(author, "name", "Incident Bot")
    _add(feed, "generator", "Incident Bot")
    items = [(e.number, e.url, *_active(e), e.declared_at) for e in page.incidents]
    items += [(e.number, e.url, *_resolved(e), e.declared_at) for e in page.resolved]
    items.sort(key=lambda item: item[3], reverse=True)  # newest change first
    updated = max([item[3] for item in items], default=page.refreshed_at)
    _add(feed, "updated", iso(updated))
    for number, url, title, changed, summary, declared in items:
        entry = _add(feed, "entry")
        _add(entry, "id", url or f"{page_url}#incident-{number}")
        _add(entry, "title", title)
        _add(entry, "updated", iso(changed))
        _add(entry, "published", iso(declared))
        if url:
            _add(entry, "link", rel="alternate", href=url, type="text/html")
        _add(entry, "summary", summary, type="text")
    xml: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return xml
