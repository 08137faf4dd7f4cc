"""The sandbox's fault flags (`python -m app sandbox --fail-rate ...`), used by soaks."""

from __future__ import annotations

import aiohttp
import pytest

from app.sandbox import Sandbox
from app.sandbox.cli import apply_faults, parse_args
from tests.keys import SECRET, public_key_pem


async def statuses(sandbox: Sandbox, authorization: str, n: int) -> list[int]:
    async with aiohttp.ClientSession() as http:
        out = []
        for _ in range(n):
            async with http.get(
                f"{sandbox.base_url}/repos/acme/web", headers={"Authorization": authorization}
            ) as r:
                out.append(r.status)
        return out


async def test_fail_rate_fails_that_share_of_the_apps_requests_and_none_of_peoples() -> None:
    args = parse_args(["--fail-rate", "0.2", "--fail-status", "502", "--fault-seed", "3"])
    async with Sandbox(app_public_key_pem=public_key_pem(), webhook_secret=SECRET) as sandbox:
        apply_faults(sandbox.faults, args)
        token = "ghs_" + "x" * 36  # not a real token: the fault answers before auth
        app_side = await statuses(sandbox, f"token {token}", 200)
        people = await statuses(sandbox, "token user:alice", 50)
    assert 0.12 < app_side.count(502) / 200 < 0.28
    assert set(app_side) == {502, 401}  # the others reached auth (and failed it)
    assert people == [200] * 50


@pytest.mark.parametrize(
    ("kind", "status", "header"),
    [("secondary", 403, "retry-after"), ("primary", 403, "x-ratelimit-reset"), ("429", 429, "retry-after")],
)
async def test_rate_limit_kinds(kind: str, status: int, header: str) -> None:
    args = parse_args(["--fail-rate", "1", "--fail-status", kind])
    async with Sandbox() as sandbox, aiohttp.ClientSession() as http:
        apply_faults(sandbox.faults, args)
        async with http.get(f"{sandbox.base_url}/rate_limit", headers={"Authorization": "bearer x.y.z"}) as r:
            assert r.status == status
            assert header in r.headers


def test_delivery_flags_and_bad_values() -> None:
    args = parse_args(["--drop-deliveries", "0.2", "--duplicate-deliveries", "--reorder-window", "4"])
    sandbox = Sandbox()
    apply_faults(sandbox.faults, args)
    d = sandbox.faults.deliveries
    assert (d.drop_share, d.duplicate_share, d.reorder_window) == (0.2, 1.0, 4)
    for bad in (["--fail-rate", "2"], ["--fail-status", "teapot"]):
        with pytest.raises(SystemExit):
            parse_args(bad)
