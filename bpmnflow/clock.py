"""The engine's clock, injected so that tests move time instead of sleeping."""

from __future__ import annotations

import threading
import time


class Clock:
    """Wall-clock time in epoch milliseconds, the unit every stored time uses."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000


class MovableClock(Clock):
    """A clock that starts at real time and only moves when told (timers, lock expiry)."""

    def __init__(self, start_ms: int | None = None) -> None:
        self._now = time.time_ns() // 1_000_000 if start_ms is None else start_ms
        self._lock = threading.Lock()

    def now_ms(self) -> int:
        return self._now

    def set(self, ms: int) -> None:
        with self._lock:
            self._now = ms

    def advance(self, ms: int) -> None:
        with self._lock:
            self._now += ms
