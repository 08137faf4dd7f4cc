"""Build a :class:`World` from a seed (dict, YAML file path, or None for the default seed)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .model import AppInfo, File, Installation, Label, Org, Repo, Team, User, World

Seed = dict[str, Any] | str | os.PathLike[str] | None


def load_seed(seed: Seed) -> dict[str, Any]:
    if seed is None:
        text = resources.files(__package__).joinpath("default_seed.yml").read_text()
        data = yaml.safe_load(text)
    elif isinstance(seed, dict):
        data = seed
    else:
        data = yaml.safe_load(Path(seed).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("a sandbox seed must be a mapping")
    return data


def build_world(
    seed: Seed, *, clock: Callable[[], dt.datetime], app_id: int, app_slug: str, public_key: bytes | None
) -> World:
    data = load_seed(seed)
    app_data = data.get("app") or {}
    now = clock().astimezone(dt.UTC).replace(microsecond=0)
    # Constructor arguments win over the seed: tests pass the id their JWTs carry.
    app = AppInfo(
        id=app_id,
        slug=app_slug,
        name=str(app_data.get("name", "Incident Bot")),
        owner=str(app_data.get("owner", "")),
        client_id=f"Iv1.{app_id:016x}",
        public_key_pem=public_key,
        created_at=now,
    )
    world = World(clock=clock, app=app)
    bot = User(login=app.bot_login, id=world.next_id("user"), type="Bot")
    world.users[bot.login.lower()] = bot
    for u in data.get("users") or []:
        world.users[u["login"].lower()] = User(login=u["login"], id=world.next_id("user"), name=u.get("name"))
    for o in data.get("orgs") or []:
        _add_org(world, o)
    for inst in data.get("installations") or []:
        account = world.user(inst["account"])
        assert account is not None
        world.installations[int(inst["id"])] = Installation(
            id=int(inst["id"]),
            account=account.login,
            created_at=now,
            repository_selection=inst.get("repository_selection", "all"),
        )
    for r in data.get("repos") or []:
        _add_repo(world, r, now)
    if not app.owner:
        app.owner = next(iter(world.orgs.values())).login if world.orgs else bot.login
    world.user(app.owner)
    return world


def _add_org(world: World, o: dict[str, Any]) -> None:
    login = o["login"]
    org_user = User(login=login, id=world.next_id("user"), type="Organization")
    world.users[login.lower()] = org_user
    org = Org(
        login=login,
        id=org_user.id,
        members=set(o.get("members") or []),
        owners=set(o.get("owners") or []),
        default_permission=o.get("default_permission", "read"),
    )
    for m in org.members | org.owners:
        world.user(m)
    for t in o.get("teams") or []:
        org.teams[t["slug"].lower()] = Team(
            slug=t["slug"],
            id=world.next_id("team"),
            name=t.get("name", t["slug"]),
            members=list(t.get("members") or []),
        )
    world.orgs[login.lower()] = org


def _add_repo(world: World, r: dict[str, Any], now: dt.datetime) -> None:
    owner, name = r["full_name"].split("/", 1)
    owner_user = world.user(owner)
    assert owner_user is not None
    inst = r.get("installation")
    repo = Repo(
        id=world.next_id("repo"),
        owner=owner_user.login,
        name=name,
        private=bool(r.get("private", False)),
        default_branch=r.get("default_branch", "main"),
        description=r.get("description"),
        installation_id=int(inst) if inst is not None else None,
        collaborators=dict(r.get("collaborators") or {}),
        created_at=now,
        updated_at=now,
    )
    for login in repo.collaborators:
        world.user(login)
    for path, text in (r.get("files") or {}).items():
        repo.files[path] = File(path=path, text=str(text))
    for lb in r.get("labels") or []:
        repo.labels[lb["name"].lower()] = Label(
            id=world.next_id("label"),
            name=lb["name"],
            color=str(lb.get("color", "ededed")),
            description=lb.get("description"),
            default=bool(lb.get("default", False)),
        )
    world.repos[repo.full_name.lower()] = repo
