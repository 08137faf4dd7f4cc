"""``python -m app sandbox``: run the sandbox GitHub until interrupted."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from pathlib import Path

from .faults import Faults
from .sandbox import Sandbox

# --fail-status values that are not plain HTTP statuses.
FAIL_KINDS = ("secondary", "primary", "429", "reset", "timeout")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(
        prog="python -m app sandbox", description="An in-memory GitHub for trying Incident Bot."
    )
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8001)
    ap.add_argument("--seed", help="YAML seed file (default: the built-in world)")
    ap.add_argument("--record", help="append every request to this JSON-lines file")
    ap.add_argument("--webhook-url", help="where to deliver webhooks (default: nowhere)")
    ap.add_argument(
        "--webhook-secret",
        default=os.environ.get("GITHUB_WEBHOOK_SECRET", ""),
        help="signs deliveries (default: $GITHUB_WEBHOOK_SECRET)",
    )
    ap.add_argument("--app-id", type=int, default=int(os.environ.get("GITHUB_APP_ID") or 1))
    ap.add_argument("--app-key-path", help="PEM private or public key of the app, to verify its JWTs")
    faults = ap.add_argument_group("faults (for soaks; seeded, so a run can be repeated)")
    faults.add_argument(
        "--fail-rate",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="fail this share (0-1) of the app's API requests",
    )
    faults.add_argument(
        "--fail-status",
        default="502",
        help="how they fail: an HTTP status (500, 502, 503...), or one of "
        f"{', '.join(FAIL_KINDS)} (default 502)",
    )
    faults.add_argument(
        "--fail-path", default=None, metavar="REGEX", help="only requests whose path matches (default: all)"
    )
    faults.add_argument(
        "--drop-deliveries",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="never send this share of webhook deliveries",
    )
    faults.add_argument(
        "--duplicate-deliveries",
        type=float,
        nargs="?",
        const=1.0,
        default=0.0,
        metavar="SHARE",
        help="send this share of deliveries twice (default when given: all)",
    )
    faults.add_argument(
        "--reorder-window", type=int, default=0, metavar="N", help="shuffle deliveries within windows of N"
    )
    faults.add_argument("--fault-seed", type=int, default=0)
    faults.add_argument(
        "--content-limits",
        action="store_true",
        help="enforce GitHub's content-creation secondary rate limit (80 a minute, 500 an hour)",
    )
    args = ap.parse_args(argv)
    if not 0 <= args.fail_rate <= 1 or not 0 <= args.drop_deliveries <= 1:
        ap.error("shares are between 0 and 1")
    if args.fail_status not in FAIL_KINDS and not args.fail_status.isdigit():
        ap.error(f"--fail-status: an HTTP status or one of {', '.join(FAIL_KINDS)}")
    return args


def apply_faults(faults: Faults, args: argparse.Namespace) -> None:
    """Install the fault flags on a sandbox; people's own requests are never failed."""
    seed = args.fault_seed
    if args.fail_rate:
        common = {
            "probability": args.fail_rate,
            "times": None,
            "seed": seed,
            "who": "app",
            "path": args.fail_path,
        }
        kind = args.fail_status
        if kind == "secondary":
            faults.secondary_rate_limit(retry_after=1, **common)
        elif kind == "primary":
            faults.primary_rate_limit(reset_in=1, **common)
        elif kind == "429":
            faults.too_many_requests(retry_after=1, **common)
        elif kind == "reset":
            faults.add(reset=True, **common)
        elif kind == "timeout":  # longer than a client should wait, then a 504
            faults.add(delay=31.0, status=504, **common)
        else:
            faults.add(status=int(kind), **common)
    if args.drop_deliveries:
        faults.drop_deliveries(args.drop_deliveries, seed=seed)
    if args.duplicate_deliveries:
        faults.duplicate_deliveries(args.duplicate_deliveries, seed=seed)
    if args.reorder_window:
        faults.reorder_deliveries(args.reorder_window, seed=seed)


async def serve(args: argparse.Namespace) -> None:
    key = Path(args.app_key_path).read_bytes() if args.app_key_path else None
    sandbox = Sandbox(
        args.seed,
        app_id=args.app_id,
        app_public_key_pem=key,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        record_path=args.record,
    )
    apply_faults(sandbox.faults, args)
    if args.content_limits:
        sandbox.content_limits.enable()
    base = await sandbox.start(host=args.host, port=args.port)
    # One line; never the secret or the key.
    print(
        f"sandbox GitHub listening on {base} — act as a person with: "
        f"curl -H 'Authorization: token user:alice' {base}/repos/acme/web/issues",
        flush=True,
    )
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
