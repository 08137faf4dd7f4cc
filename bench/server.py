"""The server under test, in a process of its own: the real app or a bare aiohttp handler.

    python -m bench.server app  --port P   (settings from the environment, as `python -m app serve`)
    python -m bench.server bare --port P   (one handler answering 200, nothing else)

Both run the way `python -m app serve` runs: `web.run_app`, JSON logs to stderr at INFO.
The only differences are the application and a larger queue for the app, so that a
throughput burst measures acknowledging, not the "queue full" 503 path.
"""

from __future__ import annotations

import argparse
import dataclasses

from aiohttp import web

from app import settings as settings_module
from app.service import logs
from app.web.server import create_app


async def _ok(request: web.Request) -> web.Response:
    await request.read()  # a real handler reads the body; so does this one
    return web.json_response({"message": "ok"})


def bare() -> web.Application:
    app = web.Application(client_max_size=25 * 1024 * 1024)
    app.router.add_post("/webhook", _ok)
    app.router.add_get("/healthz", _ok)
    return app


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=("app", "bare"))
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--queue", type=int, default=20_000)
    args = ap.parse_args()
    logs.configure("json")
    if args.mode == "bare":
        application = bare()
    else:
        settings = settings_module.from_env(host="127.0.0.1", port=args.port)
        application = create_app(dataclasses.replace(settings, queue_size=args.queue))
    web.run_app(application, host="127.0.0.1", port=args.port, print=None)


if __name__ == "__main__":
    main()
