"""The REST scenarios: N concurrent connections working through a fixed number of operations.

Each connection runs its operations back to back (a closed loop), the way 8 workers or 8 users
behind a pool would; throughput is operations completed divided by wall time, connection setup
excluded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from typing import TypeVar

import orjson

from bench.client import Connection
from bench.models import COMPLETE_BODY, STRAIGHT_KEY, USER_TASK_KEY, start_body

T = TypeVar("T")
Operation = Callable[[Connection, int], Awaitable[None]]

_STRAIGHT_START = f"/engine-rest/process-definition/key/{STRAIGHT_KEY}/start"
_USER_TASK_START = f"/engine-rest/process-definition/key/{USER_TASK_KEY}/start"
_BODIES = [orjson.dumps(start_body(i)) for i in range(10)]
_COMPLETE_BODY = orjson.dumps(COMPLETE_BODY)


async def start_straight(conn: Connection, i: int) -> None:
    """Scenario 2: one straight-through instance, started and ended by one request."""
    await conn.request("POST", _STRAIGHT_START, _BODIES[i % 10])


async def user_task_round_trip(conn: Connection, i: int) -> None:
    """Scenario 3: start, find the task as a tasklist would, complete it."""
    started = orjson.loads(await conn.request("POST", _USER_TASK_START, _BODIES[i % 10]))
    tasks = orjson.loads(
        await conn.request("GET", f"/engine-rest/task?processInstanceId={started['id']}")
    )
    if len(tasks) != 1:
        raise RuntimeError(f"expected one task for instance {started['id']}, got {tasks}")
    await conn.request(
        "POST", f"/engine-rest/task/{tasks[0]['id']}/complete", _COMPLETE_BODY, expect=204
    )


def starter(key: str, bodies: Sequence[bytes], started: list[str] | None = None) -> Operation:
    """An operation that starts instance ``i`` of ``key`` with ``bodies[i % len(bodies)]``;
    with ``started``, the new instance ids are appended to it (in completion order)."""
    path = f"/engine-rest/process-definition/key/{key}/start"

    async def start(conn: Connection, i: int) -> None:
        answer = await conn.request("POST", path, bodies[i % len(bodies)])
        if started is not None:
            started.append(orjson.loads(answer)["id"])

    return start


async def _drive(port: int, connections: int, count: int, operation: Operation) -> float:
    conns = [await Connection("127.0.0.1", port).open() for _ in range(connections)]
    work: Iterator[int] = iter(range(count))

    async def worker(conn: Connection) -> None:
        for i in work:  # one shared iterator: the loop is single-threaded, so no two take one
            await operation(conn, i)

    try:
        began = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in conns))
        return time.perf_counter() - began
    finally:
        for conn in conns:
            await conn.close()


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop when installed (it is, with uvicorn[standard]): a cheaper load generator."""
    with contextlib.suppress(ImportError):
        import uvloop

        return uvloop.new_event_loop
    return None


def run(work: Coroutine[object, object, T]) -> T:
    """Run one load-generating coroutine to its end on a fresh event loop."""
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        return runner.run(work)


def drive(port: int, connections: int, count: int, operation: Operation) -> float:
    """Run ``count`` operations over ``connections`` connections; the wall time in seconds."""
    return run(_drive(port, connections, count, operation))
