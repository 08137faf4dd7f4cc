"""Incident Bot."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
# The files the package ships beside its code: the workflow presets (workflows/*.yml)
# and the GitHub App manifest (app.yml). The repository's top-level copies are the
# source; a built wheel carries copies of them in app/_shipped/ (setup.py copies them
# at build time), so a checkout and an installed package read the same files.
SHIPPED_DIRS = (_HERE / "_shipped", _HERE.parent)


def shipped(name: str) -> Path:
    """Where the shipped file or folder `name` is: the package's copy, else the checkout's.

    The package's copy comes first: beside an installed package (site-packages) any
    other project may have put a `workflows/`. When neither exists, the package's
    path is returned, for the caller's message to name.
    """
    for base in SHIPPED_DIRS:
        if (base / name).exists():
            return base / name
    return SHIPPED_DIRS[0] / name
