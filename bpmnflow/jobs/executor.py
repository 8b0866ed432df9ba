"""The job executor: one acquisition loop and a bounded pool of workers per node.

Jobs are rows with a lock owner and a lock expiry: a node that dies mid-job leaves its locks to
expire, and any node's next acquisition picks the job up again (at least once, never lost).
The loop sleeps until the next due job or until a command on this node creates one.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from bpmnflow.errors import OptimisticLockingError
from bpmnflow.services import jobs

if TYPE_CHECKING:
    from bpmnflow.services.engine import Engine

log = logging.getLogger("bpmnflow.jobs")


class JobExecutor:
    def __init__(self, engine: Engine, workers: int = 2, batch: int = 8,
                 lock_ms: int = 300_000, idle_ms: int = 5_000) -> None:
        self.engine = engine
        self.owner = f"bpmnflow-{uuid.uuid4()}"
        self.batch = batch
        self.lock_ms = lock_ms
        self.idle_ms = idle_ms
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._slots = threading.Semaphore(workers * 2)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.engine.notifiers["job"].on_notify(self.wake)
        self._thread = threading.Thread(target=self._loop, name="job-acquisition", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _loop(self) -> None:
        backoff = 50
        while not self._stop.is_set():
            try:
                acquired = self.engine.execute(jobs.acquire, self.owner, self.lock_ms, self.batch)
            except Exception:
                log.exception("job acquisition failed")
                acquired = []
            for job_id in acquired:
                self._slots.acquire()
                self._pool.submit(self._run, job_id)
            if len(acquired) >= self.batch:
                backoff = 50
                continue
            wait_ms = min(backoff, self.idle_ms)
            try:
                due = self.engine.query(jobs.next_due_date)
            except Exception:
                log.exception("job acquisition failed")
                due = None
            if due is not None:
                wait_ms = min(wait_ms, max(due - self.engine.clock.now_ms(), 0))
            self._wake.wait(timeout=wait_ms / 1000)
            self._wake.clear()
            backoff = 50 if acquired else min(backoff * 2, self.idle_ms)

    def _run(self, job_id: str) -> None:
        try:
            run_job(self.engine, job_id, self.owner)
        finally:
            self._slots.release()


def run_job(engine: Engine, job_id: str, owner: str | None = None) -> BaseException | None:
    """Execute a job; on failure record it in a second command. Returns the failure, if any."""
    try:
        engine.execute(jobs.execute_job, job_id, owner)
        return None
    except OptimisticLockingError as exc:
        try:
            engine.execute(jobs.unlock, job_id, owner)  # another command won: try again later
        except Exception:  # the lock then simply expires; never lose the executor thread
            log.exception("could not unlock job %s", job_id)
        return exc
    except Exception as exc:  # the job's own failure: counted, never lost
        message, trace = jobs.describe_failure(exc)
        try:
            engine.execute(jobs.job_failed, job_id, message, trace)
        except Exception:
            log.exception("could not record failure of job %s", job_id)
        return exc
