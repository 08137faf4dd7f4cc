"""`python -m app sweep`: the same settings as `serve`, one pass with --once, a loop otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import settings as settings_module
from app.core.clock import Clock
from app.service.sweep import main, run_every, run_with_settings
from tests.harness import labels, open_issue, world
from tests.keys import SECRET, private_key_pem
from tests.people.helpers import REPO


def test_a_missing_setting_stops_it_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH"):
        monkeypatch.delenv(name, raising=False)
    assert main(["--once"]) == 2
    assert "GITHUB_APP_ID" in capsys.readouterr().err


async def test_once_sweeps_every_installation_with_the_serve_settings() -> None:
    async with world(clock=Clock()) as w:  # real time: the CLI signs its JWT with the real clock
        w.sandbox.faults.drop_deliveries(1.0)
        number = await open_issue(w, "alice", title="Checkout is down", labels=["incident"])
        w.sandbox.faults.deliveries.clear()
        env = {
            "GITHUB_APP_ID": "1",
            "GITHUB_PRIVATE_KEY": private_key_pem(),
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": w.sandbox.base_url,
        }
        settings = settings_module.from_env(env)
        assert await run_with_settings(settings, once=True, every=300, labels=()) == 0
        await w.settle()
        assert "status: stabilization pending" in labels(w, REPO, number)


async def test_without_once_it_sweeps_then_waits_the_interval() -> None:
    async with world() as w:
        waits: list[float] = []

        async def sleep(seconds: float) -> None:
            waits.append(seconds)

        await run_every(w.services, 300, sleep=sleep, rounds=3)
        assert waits == [300, 300]
        searches = [r for r in w.sandbox.requests if r.path == "/search/issues"]
        assert len(searches) == 6  # per sweep, installation and label: open, recently closed
