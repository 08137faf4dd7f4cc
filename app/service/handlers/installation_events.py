"""Installation events: nothing to set up (the app keeps no database), but say so in the log."""

from __future__ import annotations

import logging
from typing import Any

from gidgethub import sansio
from gidgethub.routing import Router

router = Router()
log = logging.getLogger(__name__)


@router.register("installation")
@router.register("installation_repositories")
async def installation_changed(event: sansio.Event, gh: Any, services: Any) -> None:
    account = (event.data.get("installation") or {}).get("account") or {}
    log.info(
        "installation %s %s for %s",
        event.data.get("installation", {}).get("id"),
        event.data.get("action"),
        account.get("login", "?"),
    )
