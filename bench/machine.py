"""What the figures were measured on: without it a throughput number means little."""

from __future__ import annotations

import os
import platform
import sqlite3
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


def describe() -> list[str]:
    return [
        f"machine: {usable_cores()} cores (nproc), {cpu_model()}",
        f"system:  {platform.system()} {platform.release()}",
        f"python:  {platform.python_implementation()} {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}",
    ]
