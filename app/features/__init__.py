"""Feature modules, each with its own gidgethub Router, composed in one place."""

from __future__ import annotations

from gidgethub.routing import Router

from . import followups, incidents, installation

FEATURES = (incidents, followups, installation)


def router() -> Router:
    return Router(*(feature.router for feature in FEATURES))
