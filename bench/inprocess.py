"""Scenario 1: straight-through instances started in process, through the services layer.

``engine.execute(process_definitions.start, ...)`` is the very command the REST start runs, so
the difference between this figure and the REST one is the cost of HTTP, JSON and threads.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.models import RESOURCES, STRAIGHT_KEY, USER_TASK_KEY
from bpmnflow.config import Config, EngineConfig
from bpmnflow.services import process_definitions, repository
from bpmnflow.services.engine import Engine
from bpmnflow.variables import TypedValue, from_rest


def make_engine(data_dir: Path, database_url: str | None = None) -> Engine:
    """An engine as ``bpmnflow serve`` builds it: SQLite WAL under ``data_dir``, history full."""
    config = Config(
        data_dir=str(data_dir),
        database_url=database_url,
        engine=EngineConfig(history_level="full", job_executor=False),
    ).validate()
    return Engine(config)


def deploy(engine: Engine) -> dict[str, str]:
    """Deploy both benchmark processes; their definition ids by key."""
    result = engine.execute(repository.deploy, "bench", dict(RESOURCES))
    ids = {d.def_key: d.id for d in result.definitions or []}
    assert set(ids) == {STRAIGHT_KEY, USER_TASK_KEY}, ids
    return ids


def start_variables(i: int) -> dict[str, TypedValue]:
    """Built afresh per start, as the REST layer does: the engine may keep what it is given."""
    return {"x": from_rest("x", {"value": i % 10, "type": "Integer"})}


def start_straight(engine: Engine, definition_id: str, i: int) -> None:
    inst, _ = engine.execute(
        process_definitions.start, definition_id, None, start_variables(i), False
    )
    if not inst.ended:
        raise RuntimeError("the straight-through instance did not end")


def run_straight(engine: Engine, definition_id: str, count: int) -> float:
    """Start ``count`` instances one after another; the wall time in seconds."""
    began = time.perf_counter()
    for i in range(count):
        start_straight(engine, definition_id, i)
    return time.perf_counter() - began
