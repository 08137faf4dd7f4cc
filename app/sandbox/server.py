"""The aiohttp application: auth, faults, JSON parsing, validation, ETags, rate-limit headers,
pagination and recording, around the per-resource handlers in ``routes``."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .access import Actor
from .auth import actor_from_header
from .errors import DOCS, ApiError, not_found
from .faults import FaultRule, Faults
from .http import Ctx, Reply, Route
from .limits import ContentLimits
from .model import World
from .pagination import paginate
from .recording import RecordedRequest, Recorder
from .routes import ROUTER
from .schema import check_body, operation
from .webhooks import DeliveryQueue

API_VERSIONS = ("2022-11-28", "2026-03-10")
BODY_METHODS = ("POST", "PATCH", "PUT", "DELETE")
# Called with (the request's record, the decoded JSON answer or None) after every answer the
# sandbox itself gives (injected faults excluded). The sandbox's tests hold each answer
# against the schema GitHub's OpenAPI description documents for it.
ANSWER_WATCHERS: list[Callable[[RecordedRequest, Any], None]] = []


@dataclass
class Bucket:
    limit: int
    used: int = 0
    reset: int = 0


@dataclass
class RateLimits:
    """Per-actor, per-resource counters, shaped like GitHub's (5000/h core, 30/min search)."""

    buckets: dict[tuple[str, str], Bucket] = field(default_factory=dict)

    def bucket(self, actor: Actor, resource: str, now: int) -> Bucket:
        key = (actor.label, resource)
        b = self.buckets.get(key)
        window = 60 if resource == "search" else 3600
        if b is None or b.reset <= now:
            if resource == "search":
                limit = 10 if actor.kind == "anonymous" else 30
            elif actor.kind == "workflow":
                limit = 1000  # GITHUB_TOKEN: 1,000 requests an hour per repository
            else:
                limit = 60 if actor.kind == "anonymous" else 5000
            b = self.buckets[key] = Bucket(limit=limit, reset=now + window)
        return b

    def overview(self, actor: Actor, now: int) -> dict[str, Any]:
        def view(resource: str) -> dict[str, int]:
            b = self.bucket(actor, resource, now)
            return {"limit": b.limit, "used": b.used, "remaining": max(b.limit - b.used, 0), "reset": b.reset}

        resources = {r: view(r) for r in ("core", "search", "graphql", "integration_manifest")}
        return {"resources": resources, "rate": resources["core"]}


class Server:
    def __init__(self, world: World, queue: DeliveryQueue, faults: Faults, recorder: Recorder) -> None:
        self.world = world
        self.queue = queue
        self.faults = faults
        self.recorder = recorder
        self.limits = RateLimits()
        self.content_limits = ContentLimits()
        # Milliseconds every request waits before its answer: GitHub's own round trip
        # (~50-300 ms from a data centre), so a benchmark measures waiting as production does.
        self.latency_ms = 0.0

    def app(self) -> web.Application:
        app = web.Application(client_max_size=30 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.latency_ms > 0:
            await asyncio.sleep(self.latency_ms / 1000)
        body_raw = await request.read()
        rec = RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            body=_loads_or_none(body_raw),
            status=0,
            actor="anonymous",
        )
        actor = Actor(kind="anonymous")
        try:
            rule = self.faults.match(request.method, request.path, request.headers.get("Authorization"))
            if rule is not None:
                rec.faulted = True
                return await self._fault(request, rule, rec, actor)
            found = ROUTER.match(request.method, request.raw_path.split("?", 1)[0])
            rec.route = found[0].template if found else None
            actor = actor_from_header(self.world, request.headers.get("Authorization"))
            rec.actor = actor.label
            response = await self._dispatch(request, body_raw, actor, found)
        except ApiError as err:
            if err.doc == DOCS and rec.route is not None:
                # GitHub links an error to the operation's reference page, e.g.
                # https://docs.github.com/rest/issues/comments#create-an-issue-comment.
                op = operation(request.method, rec.route)
                err.doc = (op or {}).get("docs") or DOCS
            response = self._json(err.status, err.body(), err.headers)
        self._common_headers(request, response, actor)
        rec.status = response.status
        self.recorder.add(rec)
        if ANSWER_WATCHERS:
            answer = _loads_or_none(response.body) if isinstance(response.body, bytes) else None
            for watch in list(ANSWER_WATCHERS):
                watch(rec, answer)
        return response

    async def _dispatch(
        self,
        request: web.Request,
        raw: bytes,
        actor: Actor,
        found: tuple[Route, dict[str, str]] | None,
    ) -> web.Response:
        version = request.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in API_VERSIONS:
            raise ApiError(400, f"API version {version} is not supported.")
        if found is None:
            raise not_found()
        route, params = found
        body: Any = None
        if raw.strip() and request.method in BODY_METHODS:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise ApiError(400, "Problems parsing JSON") from exc
        reason = check_body(request.method, route.template, body)
        if reason is not None:
            raise ApiError(422, f"Invalid request.\n\n{reason}")
        resource = "search" if route.template.startswith("/search/") else "core"
        now = int(self.world.now().timestamp())
        ctx = Ctx(
            request=request,
            world=self.world,
            queue=self.queue,
            actor=actor,
            params=params,
            body=body,
            rate_overview=self.limits.overview(actor, now),
        )
        op = operation(request.method, route.template)
        creates = bool(op and op.get("contentCreation")) and actor.kind in ("user", "installation")
        clock = self.world.now().timestamp()
        if creates:
            self.content_limits.check(actor.label, clock)
        reply = await route.handler(ctx)
        if creates and 200 <= reply.status < 300:
            self.content_limits.count(actor.label, clock)
        return self._reply(request, reply, actor, resource, now)

    def _reply(
        self, request: web.Request, reply: Reply, actor: Actor, resource: str, now: int
    ) -> web.Response:
        headers = dict(reply.headers)
        body = reply.body
        if reply.paginate:
            items = list(body)
            page, link = paginate(request, items, self.world.api_url)
            body = page
            if reply.search:
                body = {
                    "total_count": len(items),
                    "incomplete_results": False,
                    "items": page,
                    "search_type": "lexical",
                }
            if link:
                headers["Link"] = link
        bucket = self.limits.bucket(actor, resource, now)
        if request.method == "GET" and reply.status == 200:
            text = json.dumps(body, sort_keys=True)
            etag = 'W/"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'
            headers["ETag"] = etag
            if _etag_matches(request.headers.get("If-None-Match"), etag):
                # A 304 costs no quota: GitHub's documented incentive for conditional requests.
                resp = web.Response(status=304, headers=headers)
                self._rate_headers(resp, bucket, resource)
                return resp
        if request.path != "/rate_limit":
            bucket.used += 1
        if reply.status == 204 or body is None:
            resp = web.Response(status=reply.status, headers=headers)
        else:
            resp = self._json(reply.status, body, headers)
        self._rate_headers(resp, bucket, resource)
        return resp

    @staticmethod
    def _rate_headers(resp: web.StreamResponse, bucket: Bucket, resource: str) -> None:
        resp.headers["x-ratelimit-limit"] = str(bucket.limit)
        resp.headers["x-ratelimit-remaining"] = str(max(bucket.limit - bucket.used, 0))
        resp.headers["x-ratelimit-used"] = str(bucket.used)
        resp.headers["x-ratelimit-reset"] = str(bucket.reset)
        resp.headers["x-ratelimit-resource"] = resource

    def _common_headers(self, request: web.Request, resp: web.StreamResponse, actor: Actor) -> None:
        resp.headers["x-github-request-id"] = _request_id()
        resp.headers["x-github-api-version-selected"] = request.headers.get(
            "X-GitHub-Api-Version", API_VERSIONS[0]
        )
        if "x-ratelimit-limit" not in resp.headers:
            now = int(self.world.now().timestamp())
            self._rate_headers(resp, self.limits.bucket(actor, "core", now), "core")

    async def _fault(
        self, request: web.Request, rule: FaultRule, rec: RecordedRequest, actor: Actor
    ) -> web.StreamResponse:
        if rule.delay:
            await asyncio.sleep(rule.delay)
        if rule.reset:
            if request.transport is not None:
                request.transport.close()
            rec.status = 0
            self.recorder.add(rec)
            raise asyncio.CancelledError  # aiohttp drops the connection without an answer
        headers = dict(rule.headers or {})
        body = rule.body
        if body is None and rule.status >= 400:
            body = {
                "message": "Service Unavailable" if rule.status == 503 else "Injected fault",
                "documentation_url": "https://docs.github.com/rest",
                "status": str(rule.status),
            }
        resp = (
            self._json(rule.status, body, headers)
            if body is not None
            else web.Response(status=rule.status, headers=headers)
        )
        self._common_headers(request, resp, actor)
        if rule.reset_in is not None:
            resp.headers["x-ratelimit-remaining"] = "0"
            resp.headers["x-ratelimit-used"] = resp.headers["x-ratelimit-limit"]
            resp.headers["x-ratelimit-reset"] = str(int(self.world.now().timestamp() + rule.reset_in))
        for k, v in headers.items():
            resp.headers[k] = v
        rec.status = resp.status
        self.recorder.add(rec)
        return resp

    @staticmethod
    def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> web.Response:
        return web.Response(
            status=status,
            text=json.dumps(body),
            content_type="application/json",
            charset="utf-8",
            headers=headers or {},
        )


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare or tag.strip() == "*" for tag in header.split(","))


def _request_id() -> str:
    parts = [
        secrets.token_hex(2),
        secrets.token_hex(3),
        secrets.token_hex(4),
        secrets.token_hex(4),
        secrets.token_hex(4),
    ]
    return ":".join(p.upper() for p in parts)


def _loads_or_none(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")
