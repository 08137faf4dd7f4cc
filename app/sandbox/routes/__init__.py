"""Route modules, one per GitHub resource; ``ROUTER`` holds them all."""

from __future__ import annotations

from ..http import Router
from . import apps, comments, issues, labels, misc, repos, search, sub_issues

ROUTER = Router()
for _module in (apps, repos, issues, comments, labels, search, sub_issues, misc):
    ROUTER.include(_module.router)

__all__ = ["ROUTER"]
