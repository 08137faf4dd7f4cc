"""An in-memory fake of GitHub's REST API and webhooks, written from GitHub's documentation.

It must never import the app (``app.*`` outside ``app.sandbox``): a misunderstanding in the
app has to fail a test, not be mirrored here. See ``model`` for the shape of ``Sandbox.state``.
"""

from __future__ import annotations

from .client import UserClient
from .faults import FaultRule, Faults
from .forms import FormError
from .limits import ContentLimits
from .recording import RecordedRequest
from .sandbox import Sandbox, WorkflowEvent
from .schema import conforms
from .webhooks import Delivery

__all__ = [
    "ContentLimits",
    "Delivery",
    "FaultRule",
    "Faults",
    "FormError",
    "RecordedRequest",
    "Sandbox",
    "UserClient",
    "WorkflowEvent",
    "conforms",
]
