"""Settings read from the environment when the server starts, never at import.

A missing or malformed setting stops start-up with one line that names it.
The line never contains the secret or the key: only what is wrong with it.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final
from urllib.parse import urlparse

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_PORT = 8000
DOTENV = Path(".env")  # read from the working directory, as platforms and tools do
LOG_FORMATS = ("json", "text")
# Any of these present means someone configured the app: the rest must be right too.
CREDENTIALS = ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET")
# Probot's names for the same four settings (https://probot.github.io/docs/configuration/),
# so a Probot app's .env or platform settings work as they are. When both are set, the
# GITHUB_ name wins.
ALIASES: Final[Mapping[str, str]] = {
    "GITHUB_APP_ID": "APP_ID",
    "GITHUB_PRIVATE_KEY": "PRIVATE_KEY",
    "GITHUB_PRIVATE_KEY_PATH": "PRIVATE_KEY_PATH",
    "GITHUB_WEBHOOK_SECRET": "WEBHOOK_SECRET",
}


DEFAULT_PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue"


class SettingsError(Exception):
    """One setting is missing or malformed; str() is the one line to print."""


@dataclass(frozen=True)
class NotifySettings:
    """Where notifications go outside GitHub (docs/notifications.md). Each channel is optional.

    The routing key, the URLs and the secret are secrets: they are never shown (repr),
    logged or put in an error, and never read from a repository's files.
    """

    pagerduty_routing_key: str = field(default="", repr=False)
    pagerduty_events_url: str = field(default=DEFAULT_PAGERDUTY_EVENTS_URL, repr=False)
    slack_webhook_url: str = field(default="", repr=False)
    webhook_url: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)

    @property
    def channels(self) -> tuple[str, ...]:
        """The configured channels, by the names the workflow's `notifications` uses."""
        wanted = (
            ("page", self.pagerduty_routing_key),
            ("chat", self.slack_webhook_url),
            ("webhook", self.webhook_url),
        )
        return tuple(name for name, value in wanted if value)


@dataclass(frozen=True)
class Settings:
    app_id: str
    private_key: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    host: str = "0.0.0.0"
    port: int = DEFAULT_PORT
    queue_size: int = 10_000  # distinct issues waiting (the queue holds issues, not deliveries)
    workers: int = 4
    grace_period: float = 25.0  # seconds to finish queued work after SIGTERM
    # GITHUB_CACHE_MB: the ETag cache's budget (answers' bytes; ~2.4x that in memory).
    # Raise it with the number of open incidents (~85 KB each) to keep every sweep read a 304.
    cache_mb: int = 32
    notify: NotifySettings = field(default_factory=NotifySettings)
    # REDIS_URL: replicas share dedupe, the queue of issues and leases there (app/service/shared.py).
    # Empty: everything stays in this process. Never shown: it may hold a password.
    redis_url: str = field(default="", repr=False)
    # REDIS_TLS_VERIFY=none: a rediss:// server whose certificate is self-signed (Heroku Redis).
    redis_tls_verify: bool = True
    lease_ms: int = 30_000  # an issue's lease in Redis (tests shorten it)
    poll: float = 1.0  # seconds between a worker's looks for expired leases and due retries

    def __repr__(self) -> str:  # never show the key or the secret
        return f"Settings(app_id={self.app_id!r}, api_url={self.api_url!r}, port={self.port})"


def from_env(env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Build settings from `env` (default os.environ); `overrides` win (CLI flags)."""
    env = os.environ if env is None else env
    app_id = _app_id(*setting(env, "GITHUB_APP_ID"))
    key = _private_key(env)
    secret, _ = setting(env, "GITHUB_WEBHOOK_SECRET")
    if not secret.strip():
        raise SettingsError(
            f"GITHUB_WEBHOOK_SECRET is not set{_nor('GITHUB_WEBHOOK_SECRET')}: the server refuses "
            "unsigned deliveries, so set it to the webhook secret of your GitHub App"
        )
    api_url = _api_url(env.get("GITHUB_API_URL", DEFAULT_API_URL))
    values: dict[str, object] = {
        "app_id": app_id,
        "private_key": key,
        "webhook_secret": secret,
        "api_url": api_url,
        "port": _port(env.get("PORT", str(DEFAULT_PORT))),
    }
    if env.get("GITHUB_CACHE_MB", "").strip():
        values["cache_mb"] = _cache_mb(env["GITHUB_CACHE_MB"])
    values["notify"] = notify_settings(env)
    values["redis_url"] = _redis_url(env.get("REDIS_URL", ""))
    verify = env.get("REDIS_TLS_VERIFY", "").strip().lower()
    if verify not in ("", "required", "none"):
        raise SettingsError("REDIS_TLS_VERIFY must be required or none")
    values["redis_tls_verify"] = verify != "none"
    values.update({k: v for k, v in overrides.items() if v is not None})
    if "port" in overrides and overrides["port"] is not None:
        values["port"] = _port(str(overrides["port"]))
    return Settings(**values)  # type: ignore[arg-type]


def notify_settings(env: Mapping[str, str]) -> NotifySettings:
    """The notification channels configured in `env`; an error never repeats a value."""
    key = env.get("PAGERDUTY_ROUTING_KEY", "").strip()
    events_url = _notify_url("PAGERDUTY_EVENTS_URL", env.get("PAGERDUTY_EVENTS_URL", ""))
    slack = _notify_url("SLACK_WEBHOOK_URL", env.get("SLACK_WEBHOOK_URL", ""))
    hook = _notify_url("NOTIFY_WEBHOOK_URL", env.get("NOTIFY_WEBHOOK_URL", ""))
    secret = env.get("NOTIFY_WEBHOOK_SECRET", "").strip()
    if hook and not secret:
        raise SettingsError(
            "NOTIFY_WEBHOOK_SECRET is not set: the generic webhook is always signed, "
            "so set it to a long random string and give the same to the receiver"
        )
    return NotifySettings(
        pagerduty_routing_key=key,
        pagerduty_events_url=events_url or DEFAULT_PAGERDUTY_EVENTS_URL,
        slack_webhook_url=slack,
        webhook_url=hook,
        webhook_secret=secret,
    )


def _redis_url(raw: str) -> str:
    url = raw.strip()
    if url and urlparse(url).scheme not in ("redis", "rediss", "unix"):
        # Never the value: it may hold Redis' password.
        raise SettingsError("REDIS_URL must be a redis://, rediss:// or unix:// URL")
    return url


def _notify_url(name: str, raw: str) -> str:
    url = raw.strip()
    if not url:
        return ""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(f"{name} must be an http(s) URL")  # never the value: it holds a token
    return url


def environment(environ: Mapping[str, str] | None = None, dotenv_path: Path = DOTENV) -> dict[str, str]:
    """The settings' sources merged: the `.env` file, with real environment variables winning."""
    from app.settings import dotenv

    try:
        values = dotenv.load(dotenv_path)
    except dotenv.DotenvError as exc:
        raise SettingsError(str(exc)) from None
    values.update(os.environ if environ is None else environ)
    return values


def setting(env: Mapping[str, str], name: str) -> tuple[str, str]:
    """(value, the name it was read from): `name`, else its Probot alias, when set."""
    value = env.get(name, "")
    alias = ALIASES.get(name)
    if not value.strip() and alias and env.get(alias, "").strip():
        return env[alias], alias
    return value, name


def unconfigured(env: Mapping[str, str]) -> bool:
    """No credential at all: a fresh install, served in setup mode rather than refused."""
    return not any(setting(env, name)[0].strip() for name in CREDENTIALS)


def looked_for() -> str:
    """The settings whose absence means setup mode, as one line names them."""
    return f"{', '.join(CREDENTIALS)} (or Probot's {', '.join(ALIASES[name] for name in CREDENTIALS)})"


def _nor(name: str) -> str:
    return f" (nor Probot's {ALIASES[name]})"


def log_format(env: Mapping[str, str], default: str = "json") -> str:
    raw = env.get("LOG_FORMAT", "").strip().lower() or default
    if raw not in LOG_FORMATS:
        raise SettingsError("LOG_FORMAT must be json or text")
    return raw


def public_url(env: Mapping[str, str]) -> str | None:
    """PUBLIC_URL: where GitHub reaches this server; optional (the setup page guesses it)."""
    raw = env.get("PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        return None
    parsed = urlparse(raw)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or parsed.query:
        raise SettingsError("PUBLIC_URL must be an http(s) URL such as https://bot.example.com")
    return raw


def api_url(env: Mapping[str, str]) -> str:
    return _api_url(env.get("GITHUB_API_URL", DEFAULT_API_URL))


def port(raw: str) -> int:
    return _port(raw)


def _app_id(raw: str, name: str) -> str:
    raw = raw.strip()
    if not raw:
        raise SettingsError(
            f"GITHUB_APP_ID is not set{_nor('GITHUB_APP_ID')}: set it to your GitHub App's numeric id"
        )
    if not raw.isdigit():
        raise SettingsError(f"{name} must be a number (the App ID on the app's settings page)")
    return raw


def _private_key(env: Mapping[str, str]) -> str:
    # The key itself wins over a path to it, whichever names they are set under.
    text, name = setting(env, "GITHUB_PRIVATE_KEY")
    path, path_name = setting(env, "GITHUB_PRIVATE_KEY_PATH")
    if not text.strip() and path.strip():
        name = path_name
        try:
            text = Path(path.strip()).read_text()
        except OSError as exc:
            raise SettingsError(f"{name}: cannot read the key file ({exc.strerror})") from None
    if not text.strip():
        raise SettingsError(
            f"GITHUB_PRIVATE_KEY is not set{_nor('GITHUB_PRIVATE_KEY')}: set it to the app's PEM "
            "private key, or GITHUB_PRIVATE_KEY_PATH to the .pem file"
        )
    text = _pem(text)
    try:
        key = load_pem_private_key(text.encode(), password=None)
    except (ValueError, TypeError):
        raise SettingsError(
            f"{name} is not a PEM RSA private key: download a new key from the app's settings page"
        ) from None
    if not isinstance(key, RSAPrivateKey):
        raise SettingsError(f"{name} is not an RSA key: GitHub App keys are RSA")
    return text


def _pem(text: str) -> str:
    """The key as PEM text: platforms store multi-line values with literal "\\n", and
    Probot also accepts the whole PEM base64-encoded (one line, no escaping at all)."""
    text = text.strip()
    if "-----BEGIN" not in text:
        try:
            decoded = base64.b64decode(text, validate=True).decode("ascii")
        except (binascii.Error, ValueError):
            decoded = ""
        if "-----BEGIN" in decoded:
            text = decoded.strip()
    return text.replace("\\n", "\n").strip() + "\n"


def _api_url(raw: str) -> str:
    url = raw.strip().rstrip("/")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise SettingsError(
            "GITHUB_API_URL must be an http(s) URL such as https://api.github.com "
            "or https://HOST/api/v3 for GitHub Enterprise Server"
        )
    return url


def _cache_mb(raw: str) -> int:
    if not raw.strip().isdigit() or int(raw) < 1:
        raise SettingsError("GITHUB_CACHE_MB must be a whole number of megabytes, at least 1")
    return int(raw)


def _port(raw: str) -> int:
    if not raw.strip().isdigit() or not 0 <= int(raw) <= 65535:
        raise SettingsError("PORT must be a number from 0 to 65535")
    return int(raw)
