"""Command line: `python -m app serve|action|sandbox|demo|check-config|sweep|report`.

Each command imports what it needs when it runs: `action` starts a fresh process for every
GitHub Actions job, so importing the server, the sandbox or the App's JWT signing here would
be paid on every event (bench/startup.py measures it).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import socket

    from app.settings import Settings


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="incident-bot", description=__doc__)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser("serve", help="run the webhook server")
    serve.add_argument("--host", default=None, help="interface to listen on (default 0.0.0.0)")
    serve.add_argument("--port", type=int, default=None, help="port (default $PORT or 8000)")
    commands.add_parser("action", help="one pass inside a GitHub Actions job (no server)", add_help=False)
    commands.add_parser("sandbox", help="run the local in-memory GitHub", add_help=False)
    commands.add_parser("demo", help="play a whole incident against the sandbox and print it")
    commands.add_parser("check-config", help="validate a config or workflow file", add_help=False)
    commands.add_parser("sweep", help="remind, escalate and reconcile open incidents", add_help=False)
    commands.add_parser("report", help="incident metrics of a repository", add_help=False)
    args, rest = parser.parse_known_args(argv)
    if args.command is not None:
        problem = installation_problem()
        if problem is not None:
            print(f"incident-bot: {problem}", file=sys.stderr)
            return 2
    if args.command == "action":
        from app.cli.action import main as action_main

        return action_main(rest)
    if args.command == "sandbox":
        from app.sandbox.cli import main as sandbox_main

        return sandbox_main(rest)
    if args.command == "check-config":
        from app.cli.check_config import main as check_main

        return check_main(rest)
    if args.command == "sweep":
        from app.service.sweep import main as sweep_main

        return sweep_main(rest)
    if args.command == "report":
        from app.cli.report import main as report_main

        return report_main(rest)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "serve":
        return _serve(args.host, args.port)
    if args.command == "demo":
        from app.cli.demo import main as demo_main

        _demo_logging()
        return demo_main()
    parser.print_help()
    return 2


def installation_problem() -> str | None:
    """One line when the package lacks the presets every command needs, else None.

    A wheel built without its package data once gave a bot with no process: the
    demo "worked" with 12 tracebacks and the server would have run the default
    workflow of an empty list. Better to say so before doing anything.
    """
    import app  # only pathlib: `action` pays for no more on every job

    if (app.shipped("workflows") / "default.yml").is_file():
        return None
    looked = " and ".join(str(base / "workflows") for base in app.SHIPPED_DIRS)
    return (
        f"the workflow presets are missing (no default.yml in {looked}): "
        "this installation is incomplete; reinstall the package, or run from a checkout"
    )


def _serve(host: str | None, port: int | None) -> int:
    from aiohttp import web

    from app import settings as settings_module
    from app.service import logs
    from app.settings import SettingsError
    from app.web.server import create_app

    try:
        env = settings_module.environment()  # the environment over ./.env
        log_format = settings_module.log_format(env, "json")
        if settings_module.unconfigured(env):
            # A fresh install: offer registration instead of refusing to start.
            return _serve_setup(env, host, port, log_format)
        settings = settings_module.from_env(env, host=host, port=port)
    except SettingsError as exc:
        print(f"incident-bot: {exc}", file=sys.stderr)
        return 2
    logs.configure(log_format)
    if settings.redis_url:
        problem = redis_problem(settings.redis_url, settings.redis_tls_verify)
        if problem:
            print(f"incident-bot: REDIS_URL is set but Redis cannot be reached ({problem})", file=sys.stderr)
            return 2
    try:
        sock = listen(settings.host, settings.port)
    except OSError as exc:
        print(
            f"incident-bot: cannot listen on {settings.host}:{settings.port} ({exc.strerror})",
            file=sys.stderr,
        )
        return 2
    line = startup_line(settings, sock.getsockname()[1])
    web.run_app(
        create_app(settings),
        sock=sock,
        shutdown_timeout=settings.grace_period,
        # Called once the server accepts connections: the line says so only then.
        print=lambda _: logging.getLogger("app").info(line),
    )
    return 0


def redis_problem(url: str, verify_tls: bool = True) -> str | None:
    """Why the shared store at `url` cannot be used (never the URL: it may hold a password)."""
    import asyncio

    from app.service.shared import RedisStore, Unavailable

    async def check() -> str | None:
        store = RedisStore.from_url(url, verify_tls=verify_tls)
        try:
            await store.ping()
        except Unavailable as exc:
            return f"{exc}: is it running, and is the address right?"
        except Exception as exc:  # a refused password, a TLS error: named, never the URL
            return type(exc).__name__
        finally:
            await store.close()
        return None

    return asyncio.run(check())


def listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that the start-up line names the real port (0: any)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return socket.create_server((host, port), family=family, backlog=128)


def startup_line(settings: Settings, port: int) -> str:
    """Where the server listens and for which app; never the key or the secret."""
    host = f"[{settings.host}]" if ":" in settings.host else settings.host
    return (
        f"listening on http://{host}:{port} "
        f"(app id {settings.app_id}, GitHub API {settings.api_url}, webhook POST /webhook)"
    )


def _serve_setup(env: dict[str, str], host: str | None, port: int | None, log_format: str) -> int:
    """Setup mode: /setup registers the GitHub App and writes .env; /webhook answers 503."""
    from aiohttp import web

    from app import settings as settings_module
    from app.service import logs
    from app.settings import SettingsError
    from app.web.setup import ManifestError, SetupConfig, create_setup_app, load_manifest

    try:
        manifest = load_manifest()
    except ManifestError as exc:
        raise SettingsError(str(exc)) from None
    config = SetupConfig(
        api_url=settings_module.api_url(env),
        dotenv_path=settings_module.DOTENV.absolute(),
        manifest=manifest,
        public_url=settings_module.public_url(env),
    )
    host = host or "0.0.0.0"
    raw_port = str(port) if port is not None else env.get("PORT", str(settings_module.DEFAULT_PORT))
    port = settings_module.port(raw_port)
    logs.configure(log_format)
    shown = config.public_url or f"http://{'localhost' if host in ('0.0.0.0', '::') else host}:{port}"
    logging.getLogger("app").warning(
        "not configured: none of %s is set in the environment or in %s; open %s/setup to register "
        "the GitHub App",
        settings_module.looked_for(),
        config.dotenv_path,
        shown,
    )
    web.run_app(create_setup_app(config), host=host, port=port, print=None)
    return 0


def _demo_logging() -> None:
    """The demo prints a story: its logs are text unless LOG_FORMAT=json asks otherwise."""
    import os

    from app.service import logs

    if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
        logs.configure("json", logging.WARNING)
