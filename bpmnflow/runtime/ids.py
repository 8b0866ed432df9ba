"""Identifiers and ordering counters for new rows."""

from __future__ import annotations

import itertools
import time
import uuid


def new_id() -> str:
    """A UUID string, as the engine's ids are everywhere (REST clients treat them as opaque)."""
    return str(uuid.uuid4())


# Orders rows created within one node (history sort "occurrence"); started from the wall clock in
# microseconds so that a restarted node keeps counting upwards.
_sequence = itertools.count(time.time_ns() // 1000)


def next_seq() -> int:
    return next(_sequence)
