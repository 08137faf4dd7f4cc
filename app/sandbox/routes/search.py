"""GET /search/issues with the qualifiers the sandbox supports (see ``Query``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .. import render
from ..access import can_see
from ..errors import ApiError, invalid
from ..http import Ctx, Reply, Router
from ..model import Issue, World

router = Router()
TOKEN = re.compile(r'(-?)([a-z_-]+):("[^"]*"|\S+)|"([^"]*)"|(\S+)', re.IGNORECASE)
Pred = Callable[[Issue], bool]


def _day_or_instant(raw: str) -> tuple[dt.datetime, dt.datetime]:
    """The [start, end) interval a date (whole day) or a timestamp (one second) stands for."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            d = dt.datetime.strptime(raw, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            return d, d + dt.timedelta(days=1)
        t = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise invalid("Search", "q", "invalid") from exc
    t = t if t.tzinfo else t.replace(tzinfo=dt.UTC)
    return t, t + dt.timedelta(seconds=1)


def date_pred(expr: str, get: Callable[[Issue], dt.datetime | None]) -> Pred:
    low: dt.datetime | None = None
    high: dt.datetime | None = None  # exclusive
    if ".." in expr:
        a, b = expr.split("..", 1)
        if a != "*":
            low = _day_or_instant(a)[0]
        if b != "*":
            high = _day_or_instant(b)[1]
    else:
        for op in (">=", "<=", ">", "<", ""):
            if expr.startswith(op):
                start, end = _day_or_instant(expr[len(op) :])
                low, high = {
                    ">=": (start, None),
                    ">": (end, None),
                    "<=": (None, end),
                    "<": (None, start),
                    "": (start, end),
                }[op]
                break

    def pred(i: Issue) -> bool:
        value = get(i)
        if value is None:
            return False
        return (low is None or value >= low) and (high is None or value < high)

    return pred


@dataclass
class Query:
    preds: list[Pred] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)


def _labels(world: World, i: Issue) -> set[str]:
    repo = world.repos[i.repo]
    return {lb.name.lower() for lid in i.labels if (lb := repo.label_by_id(lid))}


def parse(world: World, q: str) -> Query:
    out = Query()
    for m in TOKEN.finditer(q):
        neg, key, value, quoted, bare = m.groups()
        if key is None:
            out.terms.append((quoted if quoted is not None else bare).lower())
            continue
        key, value = key.lower(), value.strip('"')
        pred = _qualifier(world, out, key, value)
        if pred is not None:
            out.preds.append((lambda p: lambda i: not p(i))(pred) if neg else pred)
    return out


def _qualifier(world: World, out: Query, key: str, value: str) -> Pred | None:
    low = value.lower()
    if key == "repo":
        out.repos.append(low)
    elif key in ("org", "user", "owner"):
        out.owners.append(low)
    elif key == "is" and low in ("open", "closed"):
        return lambda i: i.state == low
    elif key == "is" and low == "issue":
        return lambda i: True
    elif key == "is" and low in ("pr", "pull-request"):
        return lambda i: False  # the sandbox has no pull requests
    elif key == "state":
        return lambda i: i.state == low
    elif key == "label":
        names = {n.strip().lower() for n in value.split(",")}  # a,b means either
        return lambda i: bool(names & _labels(world, i))
    elif key == "no" and low == "label":
        return lambda i: not i.labels
    elif key == "no" and low == "assignee":
        return lambda i: not i.assignees
    elif key == "assignee":
        return lambda i: low in (a.lower() for a in i.assignees)
    elif key == "author":
        return lambda i: i.user.lower() == low
    elif key == "created":
        return date_pred(value, lambda i: i.created_at)
    elif key == "updated":
        return date_pred(value, lambda i: i.updated_at)
    elif key == "closed":
        return date_pred(value, lambda i: i.closed_at)
    elif key == "in":
        out.fields |= {f.strip() for f in low.split(",")}
    elif key == "type":
        return lambda i: (i.type or "").lower() == low
    return None


def _matches_text(world: World, i: Issue, q: Query) -> bool:
    fields = q.fields or {"title", "body", "comments"}
    hay = []
    if "title" in fields:
        hay.append(i.title.lower())
    if "body" in fields:
        hay.append((i.body or "").lower())
    if "comments" in fields:
        hay += [world.comments[c].body.lower() for c in i.comment_ids]
    return all(any(t in h for h in hay) for t in q.terms)


@router.add("GET", "/search/issues")
async def search_issues(ctx: Ctx) -> Reply:
    world = ctx.world
    raw = ctx.request.query.get("q", "")
    if not raw.strip():
        raise invalid("Search", "q", "missing")
    q = parse(world, raw)
    sort = ctx.request.query.get("sort")
    if sort is not None and sort not in ("created", "updated", "comments"):
        raise ApiError(
            422, "Validation Failed", errors=[{"resource": "Search", "field": "sort", "code": "invalid"}]
        )
    items = []
    for i in world.issues.values():
        repo = world.repos[i.repo]
        if i.deleted or not can_see(world, ctx.actor, repo):
            continue
        if q.repos and repo.full_name.lower() not in q.repos:
            continue
        if q.owners and repo.owner.lower() not in q.owners:
            continue
        if all(p(i) for p in q.preds) and _matches_text(world, i, q):
            items.append(i)
    keys: dict[str, Callable[[Issue], tuple[object, int]]] = {
        "created": lambda i: (i.created_at, i.id),
        "updated": lambda i: (i.updated_at, i.id),
        "comments": lambda i: (len(i.comment_ids), i.id),
    }
    # Without sort GitHub orders by "best match"; the sandbox uses newest first.
    order_desc = ctx.request.query.get("order", "desc") != "asc" or sort is None
    items.sort(key=keys[sort or "created"], reverse=order_desc)
    rendered = []
    for i in items:
        item = render.issue(world, i)
        item["score"] = 1.0
        rendered.append(item)
    return Reply(body=rendered, paginate=True, search=True)
