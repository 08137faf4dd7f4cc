"""Reading the server's /metrics in tests."""

from __future__ import annotations

import aiohttp

from app.cli.local import LocalWorld


async def metric(w: LocalWorld, name: str, **labels: str) -> float:
    """One sample of `incident_bot_<name>`; 0 when absent."""
    async with aiohttp.ClientSession() as http, http.get(f"{w.url}/metrics") as answer:
        text = await answer.text()
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    prefix = f"incident_bot_{name}{{{wanted}}} " if wanted else f"incident_bot_{name} "
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line[len(prefix) :])
    return 0.0
