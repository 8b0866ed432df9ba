"""Identifiers and ordering counters for new rows."""

from __future__ import annotations

import itertools
import random
import time
import uuid

_random = random.SystemRandom().getrandbits(64)
_rng = random.Random(_random)


def new_id() -> str:
    """A time-ordered UUID (version 7 layout) as a string.

    Ids are opaque to REST clients, but random (v4) ids land on random index pages: every insert
    then touches a different page and commits get dearer as the tables grow.  Leading with the
    millisecond clock keeps inserts at the end of each index.
    """
    ms = time.time_ns() // 1_000_000
    value = (ms & 0xFFFF_FFFF_FFFF) << 80 | 0x7 << 76 | _rng.getrandbits(12) << 64 \
        | 0b10 << 62 | _rng.getrandbits(62)
    return str(uuid.UUID(int=value))


# Orders rows created within one node (history sort "occurrence"); started from the wall clock in
# microseconds so that a restarted node keeps counting upwards.
_sequence = itertools.count(time.time_ns() // 1000)


def next_seq() -> int:
    return next(_sequence)
