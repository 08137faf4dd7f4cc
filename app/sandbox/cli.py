"""``python -m app sandbox``: run the sandbox GitHub until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from pathlib import Path

from .sandbox import Sandbox


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m app sandbox",
                                 description="An in-memory GitHub for trying Incident Bot.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--seed", help="YAML seed file (default: the built-in world)")
    ap.add_argument("--record", help="append every request to this JSON-lines file")
    ap.add_argument("--webhook-url", help="where to deliver webhooks (default: nowhere)")
    ap.add_argument("--webhook-secret", default=os.environ.get("GITHUB_WEBHOOK_SECRET", ""),
                    help="signs deliveries (default: $GITHUB_WEBHOOK_SECRET)")
    ap.add_argument("--app-id", type=int, default=int(os.environ.get("GITHUB_APP_ID") or 1))
    ap.add_argument("--app-key-path",
                    help="PEM private or public key of the app, to verify its JWTs")
    return ap.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    key = Path(args.app_key_path).read_bytes() if args.app_key_path else None
    sandbox = Sandbox(args.seed, app_id=args.app_id, app_public_key_pem=key,
                      webhook_url=args.webhook_url, webhook_secret=args.webhook_secret,
                      record_path=args.record)
    base = await sandbox.start(host=args.host, port=args.port)
    # One line; never the secret or the key.
    print(f"sandbox GitHub listening on {base} — act as a person with: "
          f"curl -H 'Authorization: token user:alice' {base}/repos/acme/web/issues",
          flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await sandbox.stop()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(serve(args))
    except (OSError, ValueError) as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
