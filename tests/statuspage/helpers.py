"""A world with a status page: the default seed plus repositories the app is not on."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

import aiohttp
import yaml

from app.cli.local import LocalWorld
from tests.harness import world

REPO = "acme/web"
ENABLED = "status_page: true\n"
# Appears only in the security incident: in its title, body and update. Its absence
# from a page proves that nothing of that incident leaked.
SECRET_MARKER = "ZEBRA-7731-EMBARGOED"


def seed() -> dict[str, Any]:
    text = resources.files("app.sandbox").joinpath("default_seed.yml").read_text()
    data: dict[str, Any] = copy.deepcopy(yaml.safe_load(text))
    common = {"default_branch": "main", "files": {}, "labels": [], "collaborators": {"alice": "admin"}}
    # acme/uninstalled: public, but the app is not installed on it.
    data["repos"].append({"full_name": "acme/uninstalled", "private": False, **common})
    # acme/private: installed, private, status page not enabled.
    data["repos"].append({"full_name": "acme/private", "private": True, "installation": 100, **common})
    return data


@asynccontextmanager
async def status_world(enabled: bool = True) -> AsyncIterator[LocalWorld]:
    async with world(seed()) as w:
        if enabled:
            w.sandbox.add_file(REPO, ".github/incidents.yml", ENABLED)
        yield w


async def fetch(w: LocalWorld, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(w.url + path) as response:
        return response.status, await response.text()
