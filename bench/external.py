"""Scenario 5: external tasks fetched and completed through REST by several workers.

A backlog of instances, each waiting at one external task of ``benchTopic``, is created first
(not timed); then ``workers`` workers, one keep-alive connection each, drain it the way
Camunda's Java worker client does by default: ``fetchAndLock`` with ``usePriority`` and
without long polling, then one ``complete`` (with one variable) per task fetched.  A worker
whose fetch comes back empty stops: the backlog is fixed, so every task left is held by
another worker.  The figure is tasks completed per second, from the first fetch until every
worker has stopped.

Long polling (``asyncResponseTimeout``) is left out on purpose: while tasks are waiting it
answers at once, exactly like a plain fetch, and at the end of a drain it would park the
fetches of idle workers, which the benchmark would have to abandon.
"""

from __future__ import annotations

import asyncio
import time

import orjson

from bench import load
from bench.client import Connection
from bench.models import EXTERNAL_COMPLETE_VARIABLES, EXTERNAL_KEY, TOPIC, start_body

FETCH = "/engine-rest/external-task/fetchAndLock"
LOCK_MS = 60_000  # far longer than a drain: no task is ever fetched twice
_START_BODIES = [orjson.dumps(start_body(i)) for i in range(10)]


def fetch_body(worker_id: str, max_tasks: int) -> bytes:
    """What Camunda's Java worker client sends by default: priority order, no long polling,
    every variable of the instance."""
    return orjson.dumps(
        {
            "workerId": worker_id,
            "maxTasks": max_tasks,
            "usePriority": True,
            "topics": [{"topicName": TOPIC, "lockDuration": LOCK_MS}],
        }
    )


def complete_body(worker_id: str) -> bytes:
    return orjson.dumps({"workerId": worker_id, "variables": EXTERNAL_COMPLETE_VARIABLES})


def create_backlog(port: int, connections: int, count: int) -> float:
    """Start ``count`` instances that wait at the external task; the wall time in seconds."""
    return load.drive(port, connections, count, load.starter(EXTERNAL_KEY, _START_BODIES))


async def _work(conn: Connection, worker_id: str, max_tasks: int) -> int:
    """Fetch and complete until a fetch comes back empty; the number of tasks completed."""
    fetch, complete = fetch_body(worker_id, max_tasks), complete_body(worker_id)
    completed = 0
    while tasks := orjson.loads(await conn.request("POST", FETCH, fetch)):
        for task in tasks:
            path = f"/engine-rest/external-task/{task['id']}/complete"
            await conn.request("POST", path, complete, expect=204)
        completed += len(tasks)
    return completed


async def _drain(port: int, workers: int, count: int, max_tasks: int) -> float:
    conns = [await Connection("127.0.0.1", port).open() for _ in range(workers)]
    try:
        began = time.perf_counter()
        done = await asyncio.gather(
            *(_work(conn, f"bench-worker-{n}", max_tasks) for n, conn in enumerate(conns))
        )
        seconds = time.perf_counter() - began
    finally:
        for conn in conns:
            await conn.close()
    if sum(done) != count:
        raise RuntimeError(f"the workers completed {sum(done)} tasks, not the {count} started")
    return seconds


def drain(port: int, workers: int, count: int, max_tasks: int) -> float:
    """Fetch and complete ``count`` tasks with ``workers`` concurrent workers; the wall time."""
    return load.run(_drain(port, workers, count, max_tasks))
