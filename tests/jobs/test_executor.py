"""The job executor on a real database: priorities, exclusive jobs, lock expiry after a node
dies, and the acquisition loop itself.  Runs on SQLite and PostgreSQL; the clock is moved, never
waited for (only the loop test waits, boundedly, for its worker thread)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from bpmnflow.clock import MovableClock
from bpmnflow.errors import OptimisticLockingError
from bpmnflow.jobs.executor import JobExecutor, run_job
from bpmnflow.services import jobs, repository, runtime_service
from bpmnflow.services.context import CommandContext
from bpmnflow.services.engine import Engine
from bpmnflow.store.entities import HistoricActivityInstance, HistoricJobLog, Job
from bpmnflow.variables import infer
from tests.conftest import bpmn, make_engine

LOCK_MS = 5 * 60_000

PRIORITISED = bpmn("prioritised", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <serviceTask id="work" camunda:asyncBefore="true" camunda:jobPriority="${prio}"
                 camunda:expression="${prio}" camunda:resultVariable="done"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
    <endEvent id="end"/>
""")


def forked(key: str, exclusive: bool) -> bytes:
    flag = "" if exclusive else ' camunda:exclusive="false"'
    return bpmn(key, f"""
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="left"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="right"/>
    <serviceTask id="left" camunda:asyncBefore="true"{flag} camunda:expression="${{1}}"/>
    <serviceTask id="right" camunda:asyncBefore="true"{flag} camunda:expression="${{2}}"/>
    <sequenceFlow id="f4" sourceRef="left" targetRef="leftEnd"/>
    <sequenceFlow id="f5" sourceRef="right" targetRef="rightEnd"/>
    <endEvent id="leftEnd"/>
    <endEvent id="rightEnd"/>
""")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    eng = make_engine(database_url, MovableClock(1_700_000_000_000))
    yield eng
    eng.close()


def clock(engine: Engine) -> MovableClock:
    assert isinstance(engine.clock, MovableClock)
    return engine.clock


def deploy(engine: Engine, *resources: tuple[str, bytes]) -> None:
    engine.execute(repository.deploy, "test", dict(resources))


def start(engine: Engine, key: str, **variables: Any) -> str:
    def command(ctx: CommandContext) -> str:
        definition = runtime_service.definition_for_start(ctx, key=key)
        typed = {name: infer(value) for name, value in variables.items()}
        return runtime_service.start_process_instance(ctx, definition, None, typed)[0].id
    return engine.execute(command)


def acquire(engine: Engine, owner: str, limit: int = 10) -> list[str]:
    return engine.execute(jobs.acquire, owner, LOCK_MS, limit)


def job_rows(engine: Engine) -> list[Job]:
    return engine.query(lambda ctx: ctx.uow.select(Job))


def job_priority(engine: Engine, job_id: str) -> int:
    return engine.query(lambda ctx: ctx.uow.get(Job, job_id).priority)


def runs_of(engine: Engine, activity_id: str) -> int:
    return len(engine.query(lambda ctx: ctx.uow.select(
        HistoricActivityInstance, "act_id = ?", (activity_id,))))


def test_higher_priorities_are_acquired_first(engine: Engine) -> None:
    deploy(engine, ("prio.bpmn", PRIORITISED))
    for prio in (1, 50, 10):
        start(engine, "prioritised", prio=prio)
    (first,) = acquire(engine, "a", limit=1)
    assert job_priority(engine, first) == 50
    assert [job_priority(engine, j) for j in acquire(engine, "b")] == [10, 1]


def test_exclusive_jobs_of_one_instance_are_not_acquired_together(engine: Engine) -> None:
    deploy(engine, ("excl.bpmn", forked("exclusiveFork", True)),
           ("free.bpmn", forked("freeFork", False)))
    start(engine, "exclusiveFork")
    (first,) = acquire(engine, "a")
    assert acquire(engine, "b") == []  # the instance already has a locked exclusive job
    assert run_job(engine, first, "a") is None
    (second,) = acquire(engine, "b")
    assert second != first
    assert run_job(engine, second, "b") is None
    assert job_rows(engine) == []

    start(engine, "freeFork")
    assert len(acquire(engine, "c")) == 2  # non-exclusive jobs may run side by side


def test_a_dead_nodes_job_runs_once_after_its_lock_expires(engine: Engine) -> None:
    deploy(engine, ("prio.bpmn", PRIORITISED))
    start(engine, "prioritised", prio=3)
    (job_id,) = acquire(engine, "node-a")  # node A takes the job and dies
    assert acquire(engine, "node-b") == []
    clock(engine).advance(LOCK_MS - 1)
    assert acquire(engine, "node-b") == []  # still A's
    clock(engine).advance(2)
    assert acquire(engine, "node-b") == [job_id]
    assert run_job(engine, job_id, "node-b") is None
    assert run_job(engine, job_id, "node-a") is not None  # A wakes up: nothing left to do
    assert runs_of(engine, "work") == 1
    successes = engine.query(lambda ctx: ctx.uow.select(
        HistoricJobLog, "job_id = ? AND job_state = 2", (job_id,)))
    assert len(successes) == 1
    assert job_rows(engine) == []


def test_a_stale_node_does_not_release_the_new_owners_lock(engine: Engine) -> None:
    deploy(engine, ("prio.bpmn", PRIORITISED))
    start(engine, "prioritised", prio=3)
    (job_id,) = acquire(engine, "node-a")
    clock(engine).advance(LOCK_MS + 1)
    assert acquire(engine, "node-b") == [job_id]
    assert isinstance(run_job(engine, job_id, "node-a"), OptimisticLockingError)
    (job,) = job_rows(engine)
    assert job.lock_owner == "node-b"


def test_unlock_with_an_owner_releases_only_its_own_lock(engine: Engine) -> None:
    deploy(engine, ("prio.bpmn", PRIORITISED))
    start(engine, "prioritised", prio=3)
    (job_id,) = acquire(engine, "node-b")
    engine.execute(jobs.unlock, job_id, "node-a")
    assert job_rows(engine)[0].lock_owner == "node-b"
    engine.execute(jobs.unlock, job_id, "node-b")
    assert job_rows(engine)[0].lock_owner is None


def test_failed_job_is_unlocked_and_retried_later(engine: Engine) -> None:
    deploy(engine, ("fail.bpmn", bpmn("failsOnce", """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="svc"/>
        <serviceTask id="svc" camunda:asyncBefore="true" camunda:expression="${undefinedVar}">
          <extensionElements>
            <camunda:failedJobRetryTimeCycle>R3/PT1M</camunda:failedJobRetryTimeCycle>
          </extensionElements>
        </serviceTask>
        <sequenceFlow id="f2" sourceRef="svc" targetRef="end"/>
        <endEvent id="end"/>
    """)))
    start(engine, "failsOnce")
    (job_id,) = acquire(engine, "a")
    assert run_job(engine, job_id, "a") is not None
    (job,) = job_rows(engine)
    assert job.lock_owner is None and job.retries == 2
    assert acquire(engine, "a") == []  # waits for the retry interval
    clock(engine).advance(60_000)
    assert acquire(engine, "a") == [job_id]


def test_the_acquisition_loop_runs_due_jobs(engine: Engine) -> None:
    deploy(engine, ("prio.bpmn", PRIORITISED))
    executor = JobExecutor(engine, workers=2, idle_ms=100)
    executor.start()
    try:
        for prio in (1, 2, 3):
            start(engine, "prioritised", prio=prio)
        deadline = time.monotonic() + 10
        while job_rows(engine) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert job_rows(engine) == []
        assert runs_of(engine, "work") == 3
    finally:
        executor.stop()
