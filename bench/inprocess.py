"""Scenario 1: straight-through instances started in process, through the services layer.

``engine.execute(process_definitions.start, ...)`` is the very command the REST start runs, so
the difference between this figure and the REST one is the cost of HTTP, JSON and threads.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench.models import RESOURCES
from bpmnflow.config import Config, EngineConfig, SecurityConfig
from bpmnflow.services import process_definitions, repository
from bpmnflow.services.engine import Engine
from bpmnflow.variables import TypedValue, from_rest


def make_engine(data_dir: Path, database_url: str | None = None) -> Engine:
    """An engine as ``bpmnflow serve`` builds it: SQLite WAL under ``data_dir``, history full;
    without a job executor (the benchmark runs jobs itself where it counts them) and without
    authentication."""
    config = Config(
        data_dir=str(data_dir),
        database_url=database_url,
        engine=EngineConfig(history_level="full", job_executor=False),
        security=SecurityConfig(authentication=False),  # as the benchmark's server runs
    ).validate()
    return Engine(config)


def deploy(engine: Engine, resources: Mapping[str, bytes] = RESOURCES) -> dict[str, str]:
    """Deploy benchmark processes (by default the two of issue 2); their definition ids by
    key."""
    result = engine.execute(repository.deploy, "bench", dict(resources))
    ids = {d.def_key: d.id for d in result.definitions or []}
    assert len(ids) == len(resources), ids
    return ids


def start_variables(i: int) -> dict[str, TypedValue]:
    """Built afresh per start, as the REST layer does: the engine may keep what it is given."""
    return {"x": from_rest("x", {"value": i % 10, "type": "Integer"})}


def start(engine: Engine, definition_id: str, i: int) -> Any:
    """Start instance ``i`` of a definition as the REST start does; the instance."""
    inst, _ = engine.execute(
        process_definitions.start, definition_id, None, start_variables(i), False
    )
    return inst


def start_straight(engine: Engine, definition_id: str, i: int) -> None:
    if not start(engine, definition_id, i).ended:
        raise RuntimeError("the straight-through instance did not end")


def run_straight(engine: Engine, definition_id: str, count: int) -> float:
    """Start ``count`` instances one after another; the wall time in seconds."""
    began = time.perf_counter()
    for i in range(count):
        start_straight(engine, definition_id, i)
    return time.perf_counter() - began
