"""Deploy files checked as text: no Docker engine is needed to catch the usual mistakes."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

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


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's build stages, each from its FROM."""
    found: list[list[tuple[str, str]]] = []
    for kind, arg in dockerfile():
        if kind == "FROM":
            found.append([])
        found[-1].append((kind, arg))
    return found


def python_version() -> str:
    return (ROOT / ".python-version").read_text().strip()


def test_dockerfile_builds_the_wheel_and_ships_only_the_installed_package() -> None:
    build, final = stages()
    assert build[0] == ("FROM", f"python:{python_version()}-slim AS build")
    assert final[0] == ("FROM", f"python:{python_version()}-slim")
    # The build stage has everything setup.py needs to put the presets and app.yml in the wheel.
    copied = " ".join(arg for kind, arg in build if kind == "COPY")
    for needed in (
        "app",
        "workflows",
        "app.yml",
        "pyproject.toml",
        "setup.py",
        "MANIFEST.in",
        "README.md",
        "LICENSE",
    ):
        assert re.search(rf"(^|\s){re.escape(needed)}(\s|$)", copied), f"{needed} is not copied"
    assert ("RUN", "pip wheel --no-deps --wheel-dir /wheels .") in build
    # The image gets no source: nothing is copied in; the wheel and the pins are mounted for the install.
    assert not [arg for kind, arg in final if kind in ("COPY", "ADD")]
    (install,) = [arg for kind, arg in final if kind == "RUN" and "pip install" in arg]
    assert "--mount=type=bind,from=build,source=/wheels,target=/wheels" in install
    assert "--mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt" in install
    assert "pip install --no-deps -r /tmp/requirements.txt /wheels/*.whl" in install
    kinds = [kind for kind, _ in final]
    users = [arg for kind, arg in final if kind == "USER"]
    assert users and users[-1] not in ("root", "0"), "the server must not run as root"
    assert kinds.index("USER") > kinds.index("RUN")
    assert [arg for kind, arg in final if kind == "EXPOSE"] == [str(DEFAULT_PORT)]
    assert json.loads(dict(final)["CMD"]) == ["incident-bot", "serve"]
    assert (ROOT / "Dockerfile").read_text().startswith("# syntax=docker/dockerfile:1\n")  # BuildKit mounts


def test_healthcheck_asks_healthz_with_urllib() -> None:
    check = dict(dockerfile())["HEALTHCHECK"]
    command = json.loads(check.split("CMD", 1)[1])
    assert command[:2] == ["python", "-c"]
    code = command[2]
    compile(code, "HEALTHCHECK", "exec")  # a typo here would mark every container unhealthy
    assert "urllib.request" in code and "/healthz" in code


def ignored_by_docker(path: str, patterns: list[str]) -> bool:
    """.dockerignore's rule: the last matching pattern decides; a match on a parent folder counts."""
    parents = [path.rsplit("/", n)[0] for n in range(path.count("/"), 0, -1)] + [path]
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        glob = pattern.removeprefix("!").strip("/")
        regex = re.escape(glob).replace(r"\*\*", ".*").replace(r"\*", "[^/]*").replace(r"\?", "[^/]")
        if any(re.fullmatch(regex, p) for p in parents):
            excluded = not negate
    return excluded


def test_dockerignore_keeps_secrets_and_build_leftovers_out_and_what_the_build_needs_in() -> None:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for path in (
        ".env", ".env.production", "app.private-key.pem", ".git/config", ".venv/bin/python",
        "build/lib/app/__init__.py", "dist/incident_bot-0.1.0-py3-none-any.whl",
        "incident_bot.egg-info/PKG-INFO", "app/__pycache__/main.cpython-312.pyc",
        "app/cli/__pycache__/demo.cpython-312.pyc", "app/_shipped/workflows/default.yml", "tests/harness.py",
    ):  # fmt: skip
        assert ignored_by_docker(path, patterns), f"{path} would be sent to the build"
    for path in (
        "pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "app.yml", "requirements.txt",
        "app/cli/demo.py", "app/sandbox/default_seed.yml", "workflows/default.yml", ".env.example",
    ):  # fmt: skip
        assert not ignored_by_docker(path, patterns), f"{path} is needed by the build but ignored"


def test_ci_workflow() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"push", "pull_request"}
    assert workflow["permissions"] == {}
    (job,) = workflow["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    assert job["runs-on"] == "ubuntu-latest"
    assert job["strategy"]["matrix"]["python-version"] == ["3.11", "3.12", "3.13"]
    uses = {step["uses"].split("@")[0]: step for step in job["steps"] if "uses" in step}
    assert set(uses) == {"actions/checkout", "actions/setup-python"}
    for action, step in uses.items():
        # Pinned to a full commit hash (a tag can be moved), the tag kept in a comment.
        assert re.fullmatch(rf"{action}@[0-9a-f]{{40}}", step["uses"]), step["uses"]
    text = (ROOT / ".github/workflows/ci.yml").read_text()
    assert re.search(r"actions/checkout@[0-9a-f]{40} # v4\.\d+\.\d+", text)
    assert re.search(r"actions/setup-python@[0-9a-f]{40} # v5\.\d+\.\d+", text)
    assert uses["actions/checkout"]["with"]["persist-credentials"] is False
    assert uses["actions/setup-python"]["with"]["python-version"] == "${{ matrix.python-version }}"
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


def pinned() -> tuple[dict[str, Requirement], dict[str, list[str]]]:
    """requirements.txt: each pin, and what uv says each is there for (`# via`)."""
    pins: dict[str, Requirement] = {}
    via: dict[str, list[str]] = {}
    current = ""
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            requirement = Requirement(line)
            current = canonicalize_name(requirement.name)
            pins[current] = requirement
            via[current] = []
        elif line.strip().startswith("#") and current:
            reason = line.strip().lstrip("#").strip().removeprefix("via").strip()
            if reason:
                via[current].append(reason)
    return pins, via


def test_requirements_txt_pins_exactly_what_pyproject_asks_for() -> None:
    """Heroku installs requirements.txt: it must be regenerated whenever pyproject.toml changes."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {canonicalize_name(r.name): r for r in map(Requirement, project["dependencies"])}
    pins, via = pinned()
    regenerate = "uv pip compile pyproject.toml --python-version 3.11 --universal -o requirements.txt"
    assert regenerate in (ROOT / "requirements.txt").read_text(), "say how it was made"
    direct = {name for name, reasons in via.items() if "incident-bot (pyproject.toml)" in reasons}
    assert direct == set(wanted), f"regenerate it: {regenerate}"
    for name, requirement in pins.items():
        (spec,) = requirement.specifier  # one exact pin each
        assert spec.operator == "==", requirement
        assert via[name], f"{name} is pinned for no reason"
        if name in wanted:
            assert wanted[name].specifier.contains(spec.version), f"{name}=={spec.version} vs {wanted[name]}"
    # Extras pull their own dependencies in: pyjwt[crypto] needs cryptography.
    assert "cryptography" in pins


def test_python_version_for_heroku_is_one_ci_tests_and_the_image_uses() -> None:
    version = python_version()
    assert re.fullmatch(r"3\.\d+", version), "Heroku reads a major version like 3.12"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert SpecifierSet(requires).contains(f"{version}.0")
    workflow = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    (job,) = workflow["jobs"].values()
    assert version in job["strategy"]["matrix"]["python-version"]


def test_security_reports_go_to_private_vulnerability_reporting() -> None:
    chooser = yaml.safe_load((ROOT / ".github/ISSUE_TEMPLATE/config.yml").read_text())
    (link,) = [link for link in chooser["contact_links"] if "security" in link["name"].lower()]
    home = yaml.safe_load((ROOT / "app.yml").read_text())["url"]
    assert link["url"] == f"{home}/security/advisories/new"
    assert link["about"].strip()


def test_license_file_matches_the_spdx_expression() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n") and 'THE SOFTWARE IS PROVIDED "AS IS"' in text


def test_readme_quick_start_keeps_its_two_commands_and_the_installed_package_line() -> None:
    first_screen = (ROOT / "README.md").read_text().split("## Commands")[0]
    commands = [line for line in first_screen.splitlines() if line.startswith("python3 -m venv")]
    assert commands[0].endswith("pip install -e '.[test]' && python -m app demo")
    assert commands[1].endswith("pip install -e '.[test]' && python -m pytest -q")
    assert "pip install . " in commands[2] and commands[2].endswith("incident-bot demo")


def test_the_action_pins_setup_python_to_the_commit_ci_uses() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    ci = yaml.safe_load((ROOT / ".github/workflows/ci.yml").read_text())
    (job,) = ci["jobs"].values()
    ci_uses = {step["uses"] for step in job["steps"] if "uses" in step}
    for step in action["runs"]["steps"]:
        if "uses" in step:
            assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            assert step["uses"] in ci_uses, "one pin for each action"
