"""SQL statements, commits and read-only transactions per operation: figures no machine changes.

Statements come from ``Engine.statements``: every call a command makes into the driver,
counted by the store's session (an ``executemany`` is one call).  On SQLite the statements the
database actually ran are counted too, through its trace hook (an ``executemany`` of four rows
is four).  Transactions are counted by wrapping the database's ``transaction``: a write
transaction that ends without an error is one commit; a read-only one is rolled back, costing a
BEGIN and a ROLLBACK but no disk flush.  REST figures go through the real ASGI application (in
process, through httpx's ASGI transport) so they include every lookup a request makes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from bench import external, inprocess
from bench.inprocess import start_straight
from bench.models import ASYNC_CHAIN, COMPLETE_BODY, STRAIGHT_KEY, USER_TASK_KEY, start_body
from bpmnflow.api.app import create_app
from bpmnflow.jobs.executor import JobExecutor, run_job
from bpmnflow.services import jobs
from bpmnflow.services.engine import Engine
from bpmnflow.store.database import SQLITE

_SAMPLES = 20  # deterministic numbers: a few samples only confirm they do not drift
_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@dataclass(frozen=True)
class Cost:
    statements: float  # calls into the driver (an executemany is one)
    executed: float | None  # statements SQLite ran (an executemany of 4 rows is 4); None on PG
    commits: float
    reads: float

    def __mul__(self, factor: float) -> Cost:
        """This cost ``factor`` times (a share of a batch, or several of one step)."""
        executed = None if self.executed is None else self.executed * factor
        return Cost(self.statements * factor, executed, self.commits * factor, self.reads * factor)

    def __add__(self, other: Cost) -> Cost:
        executed = (
            None
            if self.executed is None or other.executed is None
            else self.executed + other.executed
        )
        return Cost(
            self.statements + other.statements,
            executed,
            self.commits + other.commits,
            self.reads + other.reads,
        )


class Meter:
    """Counts what an engine sends to its database while operations run."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.commits = 0
        self.reads = 0
        self.executed = 0
        self.sqlite = engine.db.dialect == SQLITE
        self._traced: set[int] = set()
        original = engine.db.transaction

        @contextlib.contextmanager
        def counted(write: bool = True) -> Iterator[Any]:
            with original(write) as session:
                self._trace(session)
                yield session
            if write:
                self.commits += 1
            else:
                self.reads += 1

        engine.db.transaction = counted  # type: ignore[method-assign]

    def _trace(self, session: Any) -> None:
        """Have SQLite report every statement it runs on this connection (once per connection;
        the store keeps the connection private, and a benchmark may look behind it)."""
        conn = getattr(session, "_conn", None)
        if not self.sqlite or conn is None or id(conn) in self._traced:
            return
        self._traced.add(id(conn))
        conn.set_trace_callback(self._on_sql)

    def _on_sql(self, sql: str) -> None:
        if not sql.startswith(_TRANSACTION_CONTROL):
            self.executed += 1

    def _now(self) -> tuple[int, int, int, int]:
        return self.engine.statements, self.executed, self.commits, self.reads

    def cost(self, operation: Callable[[int], None], samples: int = _SAMPLES) -> Cost:
        """The mean cost of one operation over ``samples`` runs (after one unmeasured run, so
        that caches filled on first use do not count)."""
        operation(-1)
        before = self._now()
        for i in range(samples):
            operation(i)
        return self._per_operation(before, samples)

    async def cost_async(
        self, operation: Callable[[int], Awaitable[None]], samples: int = _SAMPLES
    ) -> Cost:
        await operation(-1)
        before = self._now()
        for i in range(samples):
            await operation(i)
        return self._per_operation(before, samples)

    def _per_operation(self, before: tuple[int, int, int, int], samples: int) -> Cost:
        s, x, c, r = (b - a for a, b in zip(before, self._now(), strict=True))
        return Cost(s / samples, x / samples if self.sqlite else None, c / samples, r / samples)


def straight_in_process(engine: Engine, definition_id: str) -> Cost:
    meter = Meter(engine)
    return meter.cost(lambda i: start_straight(engine, definition_id, i))


def rest_costs(engine: Engine) -> dict[str, Cost]:
    """Per request kind through the ASGI app: straight start, and the three user-task steps."""
    return asyncio.run(_rest_costs(engine))


async def _rest_costs(engine: Engine) -> dict[str, Cost]:
    meter = Meter(engine)
    transport = httpx.ASGITransport(app=create_app(engine))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench/engine-rest") as http:

        async def call(method: str, path: str, payload: object = None, expect: int = 200) -> Any:
            response = await http.request(
                method,
                path,
                content=orjson.dumps(payload) if payload else None,
                headers={"Content-Type": "application/json"},
            )
            if response.status_code != expect:
                raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
            return response.json() if response.content else None

        instances: list[str] = []  # started, task not yet queried
        tasks: list[str] = []  # queried, not yet completed

        async def start_straight(i: int) -> None:
            await call("POST", f"/process-definition/key/{STRAIGHT_KEY}/start", start_body(i))

        async def start_user_task(i: int) -> None:
            started = await call(
                "POST", f"/process-definition/key/{USER_TASK_KEY}/start", start_body(i)
            )
            instances.append(started["id"])

        async def query_task(i: int) -> None:
            found = await call("GET", f"/task?processInstanceId={instances.pop()}")
            tasks.append(found[0]["id"])

        async def complete_task(i: int) -> None:
            await call("POST", f"/task/{tasks.pop()}/complete", COMPLETE_BODY, expect=204)

        costs = {"straight start, REST": await meter.cost_async(start_straight)}
        costs["user task: start, REST"] = await meter.cost_async(start_user_task)
        costs["user task: query, REST"] = await meter.cost_async(query_task)
        costs["user task: complete, REST"] = await meter.cost_async(complete_task)
    costs["user-task round trip, REST"] = (
        costs["user task: start, REST"]
        + costs["user task: query, REST"]
        + costs["user task: complete, REST"]
    )
    return costs


# -- issue 4: external tasks and jobs ---------------------------------------------------------
def _rest_client(engine: Engine) -> tuple[httpx.AsyncClient, Callable[..., Awaitable[Any]]]:
    """An ASGI client on the real application, and a ``call`` that checks the status."""
    transport = httpx.ASGITransport(app=create_app(engine))
    http = httpx.AsyncClient(transport=transport, base_url="http://bench/engine-rest")

    async def call(method: str, path: str, payload: object = None, expect: int = 200) -> Any:
        response = await http.request(
            method,
            path,
            content=orjson.dumps(payload) if payload else None,
            headers={"Content-Type": "application/json"},
        )
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path} -> {response.status_code}: {response.text}")
        return response.json() if response.content else None

    return http, call


def external_costs(engine: Engine, definition_id: str) -> dict[str, Cost]:
    """A worker's requests through the ASGI app, with the body scenario 5 sends: fetchAndLock
    (maxTasks 1 and 10) and complete, on a backlog started beforehand (not counted)."""
    backlog = (_SAMPLES + 1) * (1 + 10)
    for i in range(backlog):
        inprocess.start(engine, definition_id, i)
    return asyncio.run(_external_costs(engine))


async def _external_costs(engine: Engine) -> dict[str, Cost]:
    meter = Meter(engine)
    worker = "bench-worker-0"
    locked: list[str] = []
    http, call = _rest_client(engine)
    async with http:

        def fetch(max_tasks: int) -> Callable[[int], Awaitable[None]]:
            body = orjson.loads(external.fetch_body(worker, max_tasks))

            async def run(i: int) -> None:
                found = await call("POST", "/external-task/fetchAndLock", body)
                if len(found) != max_tasks:
                    raise RuntimeError(f"fetched {len(found)} tasks, expected {max_tasks}")
                locked.extend(task["id"] for task in found)

            return run

        async def complete(i: int) -> None:
            body = orjson.loads(external.complete_body(worker))
            await call("POST", f"/external-task/{locked.pop()}/complete", body, expect=204)

        one = await meter.cost_async(fetch(1))
        done = await meter.cost_async(complete)
        ten = await meter.cost_async(fetch(10))
    return {
        "external task: fetchAndLock, maxTasks 1, REST": one,
        "external task: complete (one variable), REST": done,
        "external task round trip, maxTasks 1, REST": one + done,
        "external task: fetchAndLock, maxTasks 10, REST": ten,
        "external task round trip, maxTasks 10, per task": ten * 0.1 + done,
    }


def async_job_costs(engine: Engine, definition_id: str) -> dict[str, Cost]:
    """The job executor's own calls (``jobs.acquire`` with its batch and lock, then
    ``run_job``), in process, on chains of ``benchAsync``: the start that creates the first
    job, one acquisition of a full batch, a job in the middle of a chain (its command runs the
    step and creates the next job) and the last job (its command ends the instance)."""
    meter = Meter(engine)
    executor = JobExecutor(engine)  # never started: only its settings and owner are used
    try:
        return _async_job_costs(engine, executor, meter, definition_id)
    finally:
        executor.stop()


def _async_job_costs(
    engine: Engine, executor: JobExecutor, meter: Meter, definition_id: str
) -> dict[str, Cost]:
    batch, samples = executor.batch, _SAMPLES + 1

    def acquire(limit: int) -> list[str]:
        return engine.execute(jobs.acquire, executor.owner, executor.lock_ms, limit)

    def run(job_id: str) -> None:
        failure = run_job(engine, job_id, executor.owner)
        if failure is not None:
            raise RuntimeError(f"job {job_id} failed: {failure}")

    start = meter.cost(lambda i: inprocess.start(engine, definition_id, i))
    for i in range(samples * batch - samples):  # enough first jobs for every acquisition
        inprocess.start(engine, definition_id, i)
    acquired: list[str] = []
    acquisition = meter.cost(lambda i: acquired.extend(acquire(batch)))
    if len(acquired) != samples * batch:
        raise RuntimeError(f"acquired {len(acquired)} jobs, expected {samples * batch}")
    middle = meter.cost(lambda i: run(acquired.pop()))
    for _ in range(ASYNC_CHAIN - 2):  # the instances just moved on, up to their last step
        for job_id in acquire(samples):
            run(job_id)
    last_jobs = acquire(samples)
    if len(last_jobs) != samples:
        raise RuntimeError(f"found {len(last_jobs)} last jobs, expected {samples}")
    last = meter.cost(lambda i: run(last_jobs.pop()))
    per_job = acquisition * (1 / batch) + (middle * (ASYNC_CHAIN - 1) + last) * (1 / ASYNC_CHAIN)
    return {
        "async chain: start (first job), services": start,
        f"job acquisition, batch of {batch}": acquisition,
        "async job: execute, mid-chain": middle,
        "async job: execute, last (instance ends)": last,
        f"per async job (batch {batch}, chain {ASYNC_CHAIN})": per_job,
    }
