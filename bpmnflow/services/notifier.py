"""Wake-ups that cross threads: a committed command tells waiting requests and the job
executor that there is new work, instead of them polling the database."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


class Notifier:
    """Many waiters, any thread may notify; asyncio waiters are woken on their own loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._callbacks: list[Callable[[], None]] = []

    def on_notify(self, callback: Callable[[], None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def register(self) -> tuple[asyncio.AbstractEventLoop, asyncio.Event]:
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._events.add(entry)
        return entry

    def unregister(self, entry: tuple[asyncio.AbstractEventLoop, asyncio.Event]) -> None:
        with self._lock:
            self._events.discard(entry)

    def notify(self) -> None:
        with self._lock:
            events = list(self._events)
            callbacks = list(self._callbacks)
        for loop, event in events:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # loop closed
                self.unregister((loop, event))
        for callback in callbacks:
            callback()
