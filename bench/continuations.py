"""Scenario 6: asynchronous continuations executed by the server's own job executor.

Each instance of ``benchAsync`` is a chain of ``ASYNC_CHAIN`` service tasks marked
``asyncBefore``, so it leaves that many jobs to the executor, one after another (each job's
command creates the next job and wakes the executor).  To time the executor alone, the jobs are
held back while the instances are started: the process's job definitions are suspended first
(``PUT /job-definition/suspended``; jobs of a suspended job definition are not acquired), the
instances are started, and the clock starts when the job definitions are activated again.  It
stops when ``GET /job/count`` answers 0, polled every ``POLL_S``.
"""

from __future__ import annotations

import time

import httpx
import orjson

from bench import load
from bench.models import ASYNC_CHAIN, ASYNC_KEY, start_body
from bench.server import base_url

POLL_S = 0.02  # a resolution of ±1 % on a 2-second drain, for one cheap request per poll
_START_BODIES = [orjson.dumps(start_body(i)) for i in range(10)]


def _hold(http: httpx.Client, suspended: bool) -> None:
    response = http.put(
        "/job-definition/suspended",
        json={"processDefinitionKey": ASYNC_KEY, "suspended": suspended, "includeJobs": False},
    )
    response.raise_for_status()


def _count(http: httpx.Client, path: str) -> int:
    response = http.get(path)
    response.raise_for_status()
    return int(response.json()["count"])


def hold_and_start(port: int, connections: int, instances: int) -> None:
    """Start ``instances`` chains with their first jobs held back (not timed)."""
    with httpx.Client(base_url=base_url(port), timeout=30) as http:
        _hold(http, True)
        load.drive(port, connections, instances, load.starter(ASYNC_KEY, _START_BODIES))
        waiting = _count(http, "/job/count")
    if waiting != instances:
        raise RuntimeError(f"expected {instances} held jobs, found {waiting}")


def release_and_wait(port: int, timeout: float = 120) -> float:
    """Let the executor at the held jobs; the seconds until it has run every job of every
    chain (the job table is empty and no instance is left)."""
    with httpx.Client(base_url=base_url(port), timeout=30) as http:
        began = time.perf_counter()
        _hold(http, False)
        while _count(http, "/job/count"):
            if time.perf_counter() - began > timeout:
                raise RuntimeError(f"jobs still waiting after {timeout:.0f} s")
            time.sleep(POLL_S)
        seconds = time.perf_counter() - began
        running = _count(http, f"/process-instance/count?processDefinitionKey={ASYNC_KEY}")
    if running:
        raise RuntimeError(f"{running} instances did not end with their jobs done")
    return seconds


def jobs_of(instances: int) -> int:
    """Every instance runs one job per step of its chain."""
    return instances * ASYNC_CHAIN
