"""A `.env` file: settings kept next to the app instead of in the shell's environment.

The format is the common subset every platform and tool agrees on: `KEY=VALUE`
lines, `#` comments and blank lines, an optional `export ` prefix, and values
optionally in single or double quotes. Values are taken literally (no escape
processing, no `$VAR` expansion): the private key's newlines are written as the
two characters `\\n`, which the key setting accepts.

Writing is for the registration flow: atomic (a temporary file renamed over the
old one, so a crash never leaves half a key), mode 0600 (it holds the key), and
lines for other settings are kept as they were.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class DotenvError(Exception):
    """The file cannot be read or a line is malformed; str() is one line naming where."""


def parse(text: str, source: str = ".env") -> dict[str, str]:
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        parsed = _line(line, f"{source} line {number}")
        if parsed is not None:
            values[parsed[0]] = parsed[1]
    return values


def load(path: Path) -> dict[str, str]:
    """The file's values; an absent file is an empty one (a .env is optional)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise DotenvError(f"{path}: cannot read it ({reason})") from None
    return parse(text, str(path))


def _line(line: str, where: str) -> tuple[str, str] | None:
    stripped = line.strip()
    if not stripped or stripped.startswith("#"):
        return None
    if stripped.startswith("export "):
        stripped = stripped[len("export ") :].lstrip()
    key, equals, raw = stripped.partition("=")
    key = key.strip()
    if not equals or not KEY.fullmatch(key):
        raise DotenvError(f"{where}: expected KEY=VALUE (a name of letters, digits and _)")
    return key, _value(raw.strip(), where)


def _value(raw: str, where: str) -> str:
    if raw[:1] in ("'", '"'):
        quote = raw[0]
        end = raw.find(quote, 1)
        if end < 0:
            raise DotenvError(f"{where}: the value's closing {quote} is missing")
        rest = raw[end + 1 :].strip()
        if rest and not rest.startswith("#"):
            raise DotenvError(f"{where}: unexpected text after the quoted value")
        return raw[1:end]
    # Unquoted: " #" starts a comment, as in shells; a "#" inside a word does not.
    comment = re.search(r"\s#", raw)
    return (raw[: comment.start()] if comment else raw).strip()


def quoted(value: str) -> str:
    """A value as written to the file: bare whenever it reads back the same.

    Bare matters: `docker run --env-file` takes everything after `=` literally,
    quotes included, and the escaped PEM (spaces, backslashes) must work there too.
    """
    if "\n" in value:
        raise DotenvError("a .env value cannot hold a newline")
    if value == value.strip() and value[:1] not in ("'", '"') and not re.search(r"\s#", value):
        return value
    if '"' in value:
        # Never reached for what the app writes (ids, hex secrets, escaped PEM):
        # refusing beats writing a line that reads back differently.
        raise DotenvError("this value cannot be written to .env so that it reads back the same")
    return f'"{value}"'


def update(path: Path, values: Mapping[str, str]) -> None:
    """Set `values` in the file at `path`, keeping every other line; create it if absent."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    pending = dict(values)
    kept: list[str] = []
    for line in lines:
        key = _key_of(line)
        if key in values:
            if key in pending:  # replace the first occurrence, drop repeats
                kept.append(f"{key}={quoted(pending.pop(key))}")
            continue
        kept.append(line)
    kept.extend(f"{key}={quoted(value)}" for key, value in pending.items())
    _write_private(path, "\n".join(kept) + "\n")


def _key_of(line: str) -> str | None:
    stripped = line.strip()
    if stripped.startswith("export "):
        stripped = stripped[len("export ") :]
    key, equals, _ = stripped.partition("=")
    return key.strip() if equals and not stripped.startswith("#") else None


def _write_private(path: Path, text: str) -> None:
    """Write atomically with mode 0600: readers see the old file or the new one, never a part."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # O_EXCL: never write through a file (or symlink) someone put there first.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
