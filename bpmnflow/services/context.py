"""The command context: one transaction, one unit of work, one clock reading, one runtime."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bpmnflow.runtime.registry import BEHAVIORS
from bpmnflow.runtime.runtime import Runtime
from bpmnflow.store.database import Session
from bpmnflow.store.unit_of_work import UnitOfWork

if TYPE_CHECKING:
    from bpmnflow.services.engine import Engine


class CommandContext:
    __slots__ = ("engine", "session", "uow", "now", "_runtime", "post_commit", "user_id")

    def __init__(self, engine: Engine, session: Session, user_id: str | None = None) -> None:
        self.engine = engine
        self.session = session
        self.uow = UnitOfWork(session)
        self.now = engine.clock.now_ms()
        self._runtime: Runtime | None = None
        self.post_commit: list[Callable[[], Any]] = []
        self.user_id = user_id

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            self._runtime = Runtime(self.uow, self.now, self.engine.definitions.get,
                                    self.engine.config.engine.history_level, BEHAVIORS)
        return self._runtime

    def flush(self) -> None:
        self.uow.flush()
