"""Hot spots: cProfile of the ack path and of the lifecycle path, top functions by own time.

- Ack path: the real `create_app` with an empty router (nothing after the ack), 2,000
  signed real-sized deliveries posted over loopback from the same process; only frames
  under the server's request handling are kept.
- Lifecycle path: the whole-incident scenario of bench/lifecycle.py (app and sandbox in
  one process); the sandbox's own frames are left out of the table.
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import pstats
import uuid
from typing import Any

import aiohttp
from aiohttp import web
from gidgethub.routing import Router

from app.settings import Settings
from app.web.server import create_app
from bench.common import body_of, labeled_payload, signed
from bench.lifecycle import economy

ACKS = 2000


async def _acks(profile: cProfile.Profile) -> None:
    from app.cli.local import Credentials

    creds = Credentials.generate()
    settings = Settings(
        app_id="1",
        private_key=creds.private_key,
        webhook_secret=creds.secret,
        api_url="http://127.0.0.1:9",
        queue_size=ACKS + 10,
        workers=0,
        grace_period=0.1,
    )
    runner = web.AppRunner(create_app(settings, router=Router()), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    body = body_of(labeled_payload(1))
    headers = signed(body, creds.secret)
    async with aiohttp.ClientSession() as session:
        profile.enable()
        for _ in range(ACKS):
            async with session.post(
                f"http://127.0.0.1:{port}/webhook",
                data=body,
                headers={**headers, "X-GitHub-Delivery": str(uuid.uuid4())},
            ) as r:
                await r.read()
        profile.disable()
    await runner.cleanup()


def _top(profile: cProfile.Profile, keep: str, drop: tuple[str, ...], n: int = 8) -> list[dict[str, Any]]:
    stats = pstats.Stats(profile, stream=io.StringIO())
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    rows = []
    for (path, line, func), (_cc, calls, tottime, cumtime, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        if keep not in path or any(d in path for d in drop):
            continue
        rows.append(
            {
                "function": f"{_short(path)}:{line}({func})",
                "calls": calls,
                "own_ms": round(tottime * 1000, 1),
                "cum_ms": round(cumtime * 1000, 1),
                "own_share": round(tottime / total, 3) if total else 0.0,
            }
        )
    rows.sort(key=lambda r: r["own_ms"], reverse=True)
    return rows[:n]


def _short(path: str) -> str:
    for marker in ("site-packages/", "/main/", "python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def run() -> dict[str, Any]:
    ack = cProfile.Profile()
    asyncio.run(_acks(ack))
    life = cProfile.Profile()
    life.enable()
    asyncio.run(economy())
    life.disable()
    sandbox = ("app/sandbox/",)
    return {
        "ack_all": _top(ack, "", ("cProfile",), 10),
        "lifecycle_app": _top(life, "/main/app/", sandbox, 10),
        "lifecycle_all": _top(life, "", sandbox, 10),
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
