"""A `.env` file: settings kept next to the app instead of in the shell's environment.

Read with python-dotenv (`dotenv_values`, no `${VAR}` interpolation), the reader
Python tools and platforms agree on: `KEY=VALUE` lines, `#` comments, `export `,
single or double quotes, and quoted values over several lines, such as the PEM
private key Probot's setup writes. A key may also be written on one line with its
newlines as the two characters `\\n`, which the key setting accepts.

python-dotenv skips a line it cannot parse with a warning; a skipped setting would
then be reported as missing, so such a line is an error here, named by its line.

Writing is for the registration flow: atomic (a temporary file renamed over the
old one, so a crash never leaves half a key), mode 0600 (it holds the key), and
lines for other settings are kept as they were.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Mapping
from pathlib import Path

from dotenv import dotenv_values
from dotenv.parser import parse_stream


class DotenvError(Exception):
    """The file cannot be read or a line is malformed; str() is one line naming where."""


def parse(text: str, source: str = ".env") -> dict[str, str]:
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise DotenvError(
                f"{source} line {binding.original.line}: expected KEY=VALUE "
                "(a quoted value must end with the same quote)"
            )
    values = dotenv_values(stream=io.StringIO(text), interpolate=False)
    # A bare `KEY` line (no `=`) has no value: it sets nothing.
    return {key: value for key, value in values.items() if value is not None}


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


def quoted(value: str) -> str:
    """A value as written to the file: bare whenever it reads back the same.

    Bare matters: `docker run --env-file` takes everything after `=` literally,
    quotes included, and the escaped PEM (spaces, backslashes) must work there too.
    Otherwise single quotes (literal), then double quotes; each is checked by
    reading it back, so what is written always reads back as it was.
    """
    if "\n" in value or "\r" in value:
        raise DotenvError("a .env value written by the app stays on one line")
    for candidate in (value, f"'{value}'", f'"{value}"'):
        try:
            if parse(f"KEY={candidate}\n") == {"KEY": value}:
                return candidate
        except DotenvError:
            continue
    # Never reached for what the app writes (ids, hex secrets, escaped PEM):
    # refusing beats writing a line that reads back differently.
    raise DotenvError("this value cannot be written to .env so that it reads back the same")


def update(path: Path, values: Mapping[str, str]) -> None:
    """Set `values` in the file at `path`, keeping every other statement; create it if absent.

    Statements, not lines: a quoted value over several lines (a PEM key) is one,
    so replacing it leaves none of its lines behind.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    pending = dict(values)
    kept: list[str] = []
    for binding in parse_stream(io.StringIO(text)):
        original = binding.original.string
        if binding.key in values:
            if binding.key in pending:  # replace the first occurrence, drop repeats
                kept.append(f"{binding.key}={quoted(pending.pop(binding.key))}\n")
            continue
        kept.append(original if original.endswith("\n") else original + "\n")
    kept.extend(f"{key}={quoted(value)}\n" for key, value in pending.items())
    _write_private(path, "".join(kept))


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
