"""Webhook handlers, each with its own gidgethub Router, composed in one place."""

from __future__ import annotations

from gidgethub.routing import Router

from app.service.handlers import followups, incidents, installation_events

HANDLERS = (incidents, followups, installation_events)


def router() -> Router:
    return Router(*(handler.router for handler in HANDLERS))
