"""A person acting on the sandbox over real HTTP (token ``user:<login>``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aiohttp


class UserClient:
    def __init__(
        self, login: str, base_url: Callable[[], str], session: Callable[[], aiohttp.ClientSession]
    ) -> None:
        self.login = login
        self._base_url = base_url
        self._session = session

    async def request(
        self, method: str, path: str, json: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        hdrs = {
            "Authorization": f"token user:{self.login}",
            "Accept": "application/vnd.github+json",
            **(headers or {}),
        }
        url = path if path.startswith("http") else self._base_url() + path
        async with self._session().request(method, url, json=json, headers=hdrs) as resp:
            text = await resp.text()
            if not text:
                return resp.status, None
            try:
                return resp.status, await resp.json(content_type=None)
            except ValueError:
                return resp.status, text

    async def get(self, path: str, json: Any = None) -> tuple[int, Any]:
        return await self.request("GET", path, json)

    async def post(self, path: str, json: Any = None) -> tuple[int, Any]:
        return await self.request("POST", path, json)

    async def patch(self, path: str, json: Any = None) -> tuple[int, Any]:
        return await self.request("PATCH", path, json)

    async def put(self, path: str, json: Any = None) -> tuple[int, Any]:
        return await self.request("PUT", path, json)

    async def delete(self, path: str, json: Any = None) -> tuple[int, Any]:
        return await self.request("DELETE", path, json)
