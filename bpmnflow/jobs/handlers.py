"""Job handlers by type, for the jobs that are not part of a process instance's flow
(batches, scheduled suspensions...).  ``services.jobs.execute_job`` dispatches here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Handler = Callable[[Any, Any], None]  # (CommandContext, Job) -> None
HANDLERS: dict[str, Handler] = {}


def register(handler_type: str) -> Callable[[Handler], Handler]:
    def wrap(fn: Handler) -> Handler:
        HANDLERS[handler_type] = fn
        return fn
    return wrap
