"""The built package, as a new user gets it: build the wheel, install it outside the checkout, use it.

Run by .ci/run: `python scripts/packaged_install.py`. Steps, each failing loudly:

1. build the wheel from the checkout (`pip wheel`, so setup.py copies in the presets
   and app.yml);
2. install it into a fresh virtual environment in a temporary folder, with the
   pinned requirements.txt (as Heroku and the Docker image install them), then
   `pip check` that the pins satisfy the package;
3. from an empty folder: `incident-bot demo` prints a whole incident (summaries on
   every step, no traceback); `incident-bot check-config` accepts a config naming a
   preset and reports a broken one as FILE:LINE:COL; `incident-bot serve` against
   `incident-bot sandbox` says where it listens and answers /healthz.

Nothing here needs the network beyond the package index pip already uses.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[1]
# Settings the caller's shell may have: the installed package must not see them.
SETTINGS = {
    "GITHUB_APP_ID", "GITHUB_PRIVATE_KEY", "GITHUB_PRIVATE_KEY_PATH", "GITHUB_WEBHOOK_SECRET",
    "APP_ID", "PRIVATE_KEY", "PRIVATE_KEY_PATH", "WEBHOOK_SECRET", "GITHUB_API_URL", "PORT",
    "PYTHONPATH", "VIRTUAL_ENV",
}  # fmt: skip


def step(text: str) -> None:
    print(f"-- {text}", flush=True)


def run(
    command: list[str], cwd: Path, env: dict[str, str], *, expect: int = 0
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != expect:
        sys.exit(
            f"FAILED: {' '.join(command)} exited {done.returncode}, expected {expect}\n"
            f"--- stdout\n{done.stdout[-3000:]}\n--- stderr\n{done.stderr[-3000:]}"
        )
    return done


def check(condition: bool, message: str) -> None:
    if not condition:
        sys.exit(f"FAILED: {message}")


def read_line(stream: IO[str], pattern: str, deadline: float) -> re.Match[str]:
    """The first line of a child's output matching `pattern` (the child must say it in time)."""
    seen = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    sys.exit(f"FAILED: no line matching {pattern!r} in:\n{''.join(seen)[-3000:]}")


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="incident-bot-wheel-") as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if k not in SETTINGS}

        step("build the wheel")
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "-w",
                str(base / "dist"),
                str(ROOT),
            ],
            ROOT,
            env,
        )
        (wheel,) = (base / "dist").glob("incident_bot-*.whl")

        step(f"install {wheel.name} into a fresh virtual environment in {base}")
        run([sys.executable, "-m", "venv", str(base / "venv")], base, env)
        bin_dir = base / "venv" / "bin"
        pip = [str(bin_dir / "python"), "-m", "pip", "--disable-pip-version-check"]
        run(
            [*pip, "install", "--quiet", "--no-deps", "-r", str(ROOT / "requirements.txt"), str(wheel)],
            base,
            env,
        )
        run([*pip, "check"], base, env)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
        work = base / "work"  # an empty folder: no checkout, no workflows/ beside anything
        work.mkdir()
        bot = str(bin_dir / "incident-bot")
        where = run([str(bin_dir / "python"), "-c", "import app; print(app.shipped('workflows'))"], work, env)
        check("site-packages" in where.stdout, f"presets read from {where.stdout.strip()}, not the package")

        step("incident-bot demo")
        demo = run([bot, "demo"], work, env)
        check("(no summary comment)" not in demo.stdout, "a step of the demo has no summary comment")
        check("Traceback" not in demo.stderr, f"the demo logged a traceback:\n{demo.stderr[-3000:]}")
        summaries = demo.stdout.count("### ")
        check(summaries >= 10, f"expected a summary after every step, found {summaries} headings")
        check(
            "@bob replies" in demo.stdout or "Resolved" in demo.stdout, "the demo did not play the incident"
        )

        step("incident-bot check-config")
        good, bad = work / "incidents.yml", work / "broken.yml"
        good.write_text("workflow: openverse\nstatus_page: true\n")
        ok = run([bot, "check-config", str(good)], work, env)
        check(ok.stdout.strip() == f"ok: {good} (workflow openverse)", ok.stdout)
        bad.write_text("workflow: openverse\nstatus_page: sometimes\nlead:\n  equity_windw: 90d\n")
        broken = run([bot, "check-config", str(bad)], work, env, expect=1)
        lines = broken.stderr.splitlines()
        check(
            [line.split(": ", 1)[0] for line in lines] == [f"{bad}:2:1", f"{bad}:4:3"],
            f"expected two FILE:LINE:COL errors:\n{broken.stderr}",
        )

        step("incident-bot serve against incident-bot sandbox")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        (work / "app.pem").write_text(pem)
        secret = "packaged-install-secret"
        deadline = time.monotonic() + 60
        key_path = str(work / "app.pem")
        sandbox = subprocess.Popen(
            [bot, "sandbox", "--port", "0", "--app-key-path", key_path, "--webhook-secret", secret],
            cwd=work,
            env={**env, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        server: subprocess.Popen[str] | None = None
        try:
            assert sandbox.stdout is not None
            api = read_line(sandbox.stdout, r"listening on (http://\S+)", deadline).group(1)
            server = subprocess.Popen(
                [bot, "serve", "--host", "127.0.0.1", "--port", "0"],
                cwd=work, stderr=subprocess.PIPE, text=True,
                env={**env, "GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY_PATH": str(work / "app.pem"),
                     "GITHUB_WEBHOOK_SECRET": secret, "GITHUB_API_URL": api, "LOG_FORMAT": "json"},
            )  # fmt: skip
            assert server.stderr is not None
            found = read_line(
                server.stderr, r'"message": "(listening on http://127\.0\.0\.1:(\d+) [^"]*)"', deadline
            )
            line, port = found.group(1), found.group(2)
            expected = (
                f"listening on http://127.0.0.1:{port} (app id 1, GitHub API {api}, webhook POST /webhook)"
            )
            check(line == expected, f"start-up line {line!r}")
            check(secret not in found.string and "PRIVATE KEY" not in found.string, "a secret in the log")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as health:
                check(health.status == 200, f"/healthz answered {health.status}")
                body = json.loads(health.read())
            print(f"   {line}; /healthz: {body}")
        finally:
            for process in (server, sandbox):
                if process is not None:
                    stop(process)
    print(f"packaged install: ok in {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
