"""The engine: configuration, database, caches and the command executor in one object.

Every operation is a command run by ``execute`` inside one transaction: load, run behaviours,
flush the unit of work once, commit, then run post-commit hooks (wake-ups).  The REST layer
and the CLI only ever call ``execute`` and the services built on it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bpmnflow.clock import Clock
from bpmnflow.config import Config

# Importing these registers their job handlers, so any node's executor can run any job.
from bpmnflow.services import (  # noqa: F401
    batch_operations,
    history_cleanup,
    job_definitions,
    suspension,
)
from bpmnflow.services.context import CommandContext
from bpmnflow.services.definitions import DefinitionCache
from bpmnflow.services.notifier import Notifier
from bpmnflow.store.database import Database, Session
from bpmnflow.store.migrate import migrate

if TYPE_CHECKING:
    from bpmnflow.jobs.executor import JobExecutor

T = TypeVar("T")
log = logging.getLogger("bpmnflow")


class Engine:
    name = "default"

    def __init__(self, config: Config, clock: Clock | None = None) -> None:
        self.config = config
        self.clock = clock or Clock()
        self.db = Database(config.resolved_database_url())
        self.schema_version = migrate(self.db)
        self.definitions = DefinitionCache(self)
        self.statements = 0  # SQL statements run by commands, for the benchmarks
        self.notifiers = {"job": Notifier(), "external_task": Notifier(), "signal": Notifier()}
        self.job_executor: JobExecutor | None = None
        self._current = threading.local()  # the session of the command running on a thread

    def start_job_executor(self) -> None:
        from bpmnflow.jobs.executor import JobExecutor

        if self.job_executor is None:
            self.execute(history_cleanup.schedule_at_start)
            self.job_executor = JobExecutor(self)
            self.job_executor.start()

    def execute(self, command: Callable[..., T], *args: Any, write: bool = True,
                user_id: str | None = None, **kwargs: Any) -> T:
        """Run one command in one transaction; nothing is written unless all of it succeeds."""
        with self.db.transaction(write) as session:
            ctx = CommandContext(self, session, user_id)
            outer = getattr(self._current, "session", None)
            self._current.session = session
            try:
                result = command(ctx, *args, **kwargs)
                if write:
                    ctx.flush()
            finally:
                self._current.session = outer
            self.statements += session.statements
        runtime = ctx._runtime
        if runtime is not None and runtime.notifications:
            for kind in {kind for kind, _ in runtime.notifications}:
                notifier = self.notifiers.get(kind)
                if notifier is not None:
                    notifier.notify()
        for hook in ctx.post_commit:
            try:
                hook()
            except Exception:  # a wake-up must never undo a committed command
                log.exception("post-commit hook failed")
        return result

    def current_session(self) -> Session | None:
        """The running command's session on this thread (reads inside a command use it, so a
        command never needs a second pooled connection)."""
        return getattr(self._current, "session", None)

    def query(self, command: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A read-only command: no write lock, nothing flushed."""
        return self.execute(command, *args, write=False, **kwargs)

    def close(self) -> None:
        if self.job_executor is not None:
            self.job_executor.stop()
            self.job_executor = None
        self.db.close()
