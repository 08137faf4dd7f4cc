"""Command line: `python -m app serve|sandbox|demo|check-config`."""

from __future__ import annotations

import argparse
import logging
import sys

from .settings import SettingsError


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="incident-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the webhook server")
    serve.add_argument("--host", default=None, help="interface to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")
    commands.add_parser("sandbox", help="run the local in-memory GitHub", add_help=False)
    commands.add_parser("demo", help="play a whole incident against the sandbox and print it")
    commands.add_parser("check-config", help="validate a config or workflow file", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command == "sandbox":
        from .sandbox.cli import main as sandbox_main

        return sandbox_main(rest)
    if args.command == "check-config":
        from .workflow.check import main as check_main

        return check_main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "serve":
        return _serve(args.host, args.port)
    if args.command == "demo":
        from .demo import main as demo_main

        return demo_main()
    parser.print_help()
    return 2


def _serve(host: str | None, port: int | None) -> int:
    from aiohttp import web

    from . import settings as settings_module
    from .server import create_app

    try:
        settings = settings_module.from_env(host=host, port=port)
    except SettingsError as exc:
        print(f"incident-bot: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    web.run_app(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        shutdown_timeout=settings.grace_period,
        print=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
