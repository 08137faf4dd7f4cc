"""Deploy files checked as text: no Docker engine is needed to catch the usual mistakes."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import yaml

from app.settings import DEFAULT_PORT

ROOT = Path(__file__).resolve().parents[2]


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (parts[0].upper(), parts[1] if len(parts) > 1 else "")
        for parts in (line.split(None, 1) for line in lines if line and not line.startswith("#"))
    ]


def test_dockerfile_essentials() -> None:
    steps = dockerfile()
    kinds = [kind for kind, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [arg for kind, arg in steps if kind == "USER"]
    assert users and users[-1] not in ("root", "0"), "the server must not run as root"
    assert kinds.index("USER") > max(i for i, (k, a) in enumerate(steps) if k == "RUN" and "pip install" in a)
    assert [arg for kind, arg in steps if kind == "EXPOSE"] == [str(DEFAULT_PORT)]
    copied = " ".join(arg for kind, arg in steps if kind == "COPY")
    for needed in ("app", "workflows", "app.yml", "pyproject.toml"):
        assert re.search(rf"(^|\s){re.escape(needed)}(\s|$)", copied), f"{needed} is not copied"
    assert any(kind == "RUN" and "pip install ." in arg for kind, arg in steps)
    assert json.loads(dict(steps)["CMD"]) == ["python", "-m", "app", "serve"]


def test_healthcheck_asks_healthz_with_urllib() -> None:
    check = dict(dockerfile())["HEALTHCHECK"]
    command = json.loads(check.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    code = command[2]
    compile(code, "HEALTHCHECK", "exec")  # a typo here would mark every container unhealthy
    assert "urllib.request" in code and "/healthz" in code


def test_dockerignore_keeps_secrets_out_of_the_build() -> None:
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".env" in ignored and "*.pem" in ignored and ".git" in ignored


def test_ci_workflow() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert job["runs-on"] == "ubuntu-latest"
    uses = {step.get("uses", "").split("@")[0]: step for step in job["steps"]}
    assert uses["actions/setup-python"]["with"]["python-version"] == "3.11"
    assert job["steps"][-1]["run"] == "bash .ci/run"


def settings_read() -> set[str]:
    """Every variable app/settings/__init__.py reads: the list the docs must keep up with."""
    text = (ROOT / "app/settings/__init__.py").read_text()
    names = set(re.findall(r'(?:env\.get|setting)\(\s*(?:env,\s*)?"([A-Z][A-Z0-9_]+)"', text))
    assert {"GITHUB_APP_ID", "GITHUB_WEBHOOK_SECRET", "PORT"} <= names
    return names


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    listed = {line.split("=", 1)[0]: i for i, line in enumerate(lines) if re.match(r"[A-Z_]+=", line)}
    assert settings_read() <= set(listed), f"missing from .env.example: {settings_read() - set(listed)}"
    for name, i in listed.items():
        assert lines[i - 1].startswith("# "), f"{name} has no comment above it"


def test_readme_settings_table_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    rows = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.MULTILINE))
    assert settings_read() <= rows, f"missing from README's settings table: {settings_read() - rows}"


def test_procfile_runs_commands_the_cli_has() -> None:
    cli = (ROOT / "app/cli/main.py").read_text()
    processes = dict(line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line)
    assert processes["web"].strip() == "python -m app serve"
    for name, command in processes.items():
        words = shlex.split(command)
        assert words[:3] == ["python", "-m", "app"], name
        assert f'add_parser("{words[3]}"' in cli, f"Procfile {name}: no `{words[3]}` command"
