"""A live server on a real clock for Camunda's own worker clients.

The shared ``server`` fixture freezes time (tests move it by hand); a worker process cannot
move it, and a failed task must come back when its retry timeout really ends, so here the
engine runs on the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bpmnflow.clock import Clock
from tests.conftest import Server


@pytest.fixture
def server(database_url: str) -> Iterator[Server]:
    srv = Server(database_url, clock=Clock()).start()  # type: ignore[arg-type]
    yield srv
    srv.stop()
