"""The process rules: pure functions from what happened to what the writer should do.

``app.core.rules.decide.decide(trigger, incident, workflow, ctx)`` reads the incident as it is now and
returns the actions that bring it where the workflow wants it. Same state, same
trigger: nothing new to do.
"""

from app.core.rules.context import Context
from app.core.rules.triggers import (
    Closed,
    CommentCreated,
    Edited,
    FollowupChanged,
    Labeled,
    Opened,
    Reopened,
    Sweep,
    Trigger,
    Unlabeled,
)

__all__ = [
    "Closed",
    "CommentCreated",
    "Context",
    "Edited",
    "FollowupChanged",
    "Labeled",
    "Opened",
    "Reopened",
    "Sweep",
    "Trigger",
    "Unlabeled",
]
