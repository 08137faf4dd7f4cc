"""Which issue: the key every read, write and queue entry names."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class IssueRef:
    owner: str
    repo: str
    number: int

    @property
    def vars(self) -> dict[str, Any]:
        """The URI template variables of GitHub's issue endpoints."""
        return {"owner": self.owner, "repo": self.repo, "number": self.number}
