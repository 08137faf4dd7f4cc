"""The request context, reply type and router shared by every route module."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from .access import Actor
from .model import World
from .webhooks import DeliveryQueue


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    paginate: bool = False  # body is a full list; the server slices it and adds Link
    search: bool = False  # paginated, then wrapped as {total_count, incomplete_results, items}


@dataclass
class Ctx:
    request: web.Request
    world: World
    queue: DeliveryQueue
    actor: Actor
    params: dict[str, str]
    body: Any
    rate_overview: dict[str, Any] = field(default_factory=dict)

    def param_int(self, name: str) -> int:
        """A numeric path parameter; GitHub answers 404 for a non-number."""
        from .errors import not_found

        try:
            return int(self.params[name])
        except ValueError as exc:
            raise not_found() from exc


Handler = Callable[[Ctx], Awaitable[Reply]]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    regex: re.Pattern[str]
    names: list[str]


class Router:
    """Matches raw (still percent-encoded) paths, then decodes each parameter once."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str) -> Callable[[Handler], Handler]:
        def deco(fn: Handler) -> Handler:
            names = re.findall(r"\{([^}]+)\}", template)
            parts = re.split(r"\{[^}]+\}", template)
            rx = re.escape(parts[0])
            for name, tail in zip(names, parts[1:], strict=True):
                rx += "(.+)" if name == "path" else "([^/]+)"
                rx += re.escape(tail)
            self.routes.append(Route(method, template, fn, re.compile(f"^{rx}/?$"), names))
            return fn

        return deco

    def include(self, other: Router) -> None:
        self.routes.extend(other.routes)

    def match(self, method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            if route.method != method:
                continue
            m = route.regex.match(raw_path)
            if m:
                return route, {n: unquote(v) for n, v in zip(route.names, m.groups(), strict=True)}
        return None
