"""Scenario 7: how late due timers fire, with the server's own job executor running.

Instances of ``benchTimer`` wait at an intermediate timer whose ``timeDuration`` each gets from
its start variable: 1 to 3 seconds, spread evenly (a golden-ratio sequence, so that neighbouring
starts get far-apart durations and the due dates interleave).  Once every instance has ended,
the historic activity instance of each timer gives its lateness: ``durationInMillis`` (when the
timer fired minus when the token reached it, both by the server's clock, in one command each)
minus the duration it was given.  No client clock is involved.
"""

from __future__ import annotations

import time

import httpx
import orjson

from bench import load
from bench.client import Connection
from bench.models import TIMER_ACTIVITY, TIMER_KEY, timer_body
from bench.server import base_url

SHORTEST_MS, LONGEST_MS = 1000, 3000
_GOLDEN = 0.6180339887498949
_START = f"/engine-rest/process-definition/key/{TIMER_KEY}/start"


def waits(count: int) -> list[int]:
    """The timer durations of ``count`` instances, in ms, evenly spread over 1–3 s."""
    span = LONGEST_MS - SHORTEST_MS
    return [SHORTEST_MS + round(span * ((i * _GOLDEN) % 1)) for i in range(count)]


def start_timers(port: int, connections: int, count: int) -> dict[str, int]:
    """Start ``count`` instances now; the timer duration of each, by instance id."""
    durations = waits(count)
    bodies = [orjson.dumps(timer_body(ms)) for ms in durations]
    given: dict[str, int] = {}

    async def start(conn: Connection, i: int) -> None:
        given[orjson.loads(await conn.request("POST", _START, bodies[i]))["id"]] = durations[i]

    load.drive(port, connections, count, start)
    return given


def _wait_until_ended(http: httpx.Client, timeout: float) -> None:
    deadline = time.monotonic() + LONGEST_MS / 1000 + timeout
    while True:
        response = http.get(f"/process-instance/count?processDefinitionKey={TIMER_KEY}")
        response.raise_for_status()
        if response.json()["count"] == 0:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"timers still waiting {timeout:.0f} s after the last was due")
        time.sleep(0.1)


def lateness(port: int, given: dict[str, int], timeout: float = 60) -> list[float]:
    """Wait for every instance of ``given`` to end; how late each timer fired, in ms."""
    with httpx.Client(base_url=base_url(port), timeout=30) as http:
        _wait_until_ended(http, timeout)
        response = http.get(
            "/history/activity-instance", params={"activityId": TIMER_ACTIVITY, "finished": "true"}
        )
        response.raise_for_status()
    late = [
        float(row["durationInMillis"] - given[row["processInstanceId"]])
        for row in response.json()
        if row["processInstanceId"] in given
    ]
    if len(late) != len(given):
        raise RuntimeError(f"{len(given)} timers started, {len(late)} found in history")
    return late
