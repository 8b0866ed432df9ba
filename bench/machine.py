"""What the figures were measured on: without it a throughput number means little."""

from __future__ import annotations

import os
import platform
import sqlite3
import time
from pathlib import Path


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def usable_cores() -> int:
    """What ``nproc`` prints: the cores this process may run on, not the host's total."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) jiffies of all cores since boot, from ``/proc/stat`` (Linux only)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return sum(fields) - idle, sum(fields)


def busy_cores(seconds: float = 1.0) -> float | None:
    """How many cores other processes keep busy right now, sampled over ``seconds``.

    Load averages lag by minutes; this is what the benchmark's servers will have to share."""
    before = _cpu_times()
    time.sleep(seconds)
    after = _cpu_times()
    if before is None or after is None or after[1] == before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1]) * usable_cores()


def load() -> str:
    """Load averages and the cores busy now, with a warning when other processes take a
    noticeable share: the server and the load generator then get only what is left, and
    every figure drops."""
    busy = busy_cores()
    averages = ""
    if hasattr(os, "getloadavg"):
        averages = "load average {:.2f} {:.2f} {:.2f}; ".format(*os.getloadavg())
    if busy is None:
        return averages + "busy cores unknown"
    warning = "  (BUSY: figures will be low and noisy)" if busy > 0.25 else ""
    return f"{averages}{busy:.2f} cores busy over 1 s{warning}"


def describe() -> list[str]:
    return [
        f"machine: {usable_cores()} cores (nproc), {cpu_model()}",
        f"system:  {platform.system()} {platform.release()}",
        f"python:  {platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
        f"load:    {load()}",
    ]
