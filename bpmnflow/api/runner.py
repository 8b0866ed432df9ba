"""Running engine commands from request handlers, off the event loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from bpmnflow.services.engine import Engine

T = TypeVar("T")


def engine_of(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


async def command(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a writing command in one transaction on a worker thread."""
    engine = engine_of(request)
    return await run_in_threadpool(engine.execute, fn, *args, **kwargs)


async def query(request: Request, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a read-only command (no write lock, nothing flushed)."""
    engine = engine_of(request)
    return await run_in_threadpool(engine.execute, fn, *args, write=False, **kwargs)
