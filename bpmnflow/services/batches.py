"""Batches: an operation over many items, run by the job executor in chunks that each commit
on their own, so a batch survives restarts and handles every item exactly once.

A seed job hands out execution jobs (``batch_jobs_per_seed`` at a time, each with
``invocations_per_batch_job`` items); a monitor job ends the batch when no execution job is
left.  Operations register by batch type.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import orjson

from bpmnflow.errors import BadUserRequestError, NotFoundError
from bpmnflow.jobs.handlers import register
from bpmnflow.runtime import waiting
from bpmnflow.runtime.ids import new_id
from bpmnflow.services import operation_log
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import ACTIVE, SUSPENDED, Batch, HistoricBatch, Job

SEED = "batch-seed-job"
MONITOR = "batch-monitor-job"
EXECUTION = "batch-execution"
JOBS_PER_SEED = 100
INVOCATIONS_PER_JOB = 1
MONITOR_INTERVAL_MS = 1000

Operation = Callable[[CommandContext, list[str], dict[str, Any]], None]
OPERATIONS: dict[str, Operation] = {}
_NAMESPACE = uuid.UUID("0b6c7e1e-3f57-4d41-9a0f-5c7f2a1d9e10")


# Camunda's operation types for what a batch of each type does (its user operation log entry).
_LOGGED = {"instance-deletion": "Delete", "historic-instance-deletion": "Delete",
           "instance-modification": "ModifyProcessInstance", "instance-migration": "Migrate",
           "instance-restart": "RestartProcessInstance", "set-job-retries": "SetJobRetries",
           "set-external-task-retries": "SetExternalTaskRetries",
           "set-variables": "SetVariables", "correlate-message": "CorrelateMessage",
           "batch-set-removal-time": "SetRemovalTime"}
_ENTITIES = {"set-job-retries": "Job", "set-external-task-retries": "ExternalTask",
             "batch-set-removal-time": "Batch"}


def operation(batch_type: str) -> Callable[[Operation], Operation]:
    def wrap(fn: Operation) -> Operation:
        OPERATIONS[batch_type] = fn
        return fn
    return wrap


def _def_id(batch_id: str, kind: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{batch_id}|{kind}"))


def create(ctx: CommandContext, batch_type: str, items: list[str],
           options: dict[str, Any] | None = None) -> Batch:
    """Record a batch and its seed job; nothing of the operation runs in this command."""
    if batch_type not in OPERATIONS:
        raise BadUserRequestError(f"Unknown batch type '{batch_type}'")
    items = list(dict.fromkeys(items))
    if not items:
        raise BadUserRequestError("Batch cannot be created: no items given")
    batch_id = new_id()
    total = -(-len(items) // INVOCATIONS_PER_JOB)
    batch = Batch(
        id=batch_id, rev=1, type=batch_type, total_jobs=total, jobs_created=0,
        batch_jobs_per_seed=JOBS_PER_SEED, invocations_per_batch_job=INVOCATIONS_PER_JOB,
        seed_job_def_id=_def_id(batch_id, SEED), monitor_job_def_id=_def_id(batch_id, MONITOR),
        batch_job_def_id=_def_id(batch_id, EXECUTION),
        configuration=orjson.dumps({"items": items, "options": options or {}}).decode(),
        suspension_state=ACTIVE, tenant_id=None, create_user_id=ctx.user_id,
        start_time=ctx.now, execution_start_time=None)
    ctx.uow.add(batch)
    ctx.uow.add(HistoricBatch(
        id=batch.id, type=batch.type, total_jobs=total, batch_jobs_per_seed=JOBS_PER_SEED,
        invocations_per_batch_job=INVOCATIONS_PER_JOB, seed_job_def_id=batch.seed_job_def_id,
        monitor_job_def_id=batch.monitor_job_def_id, batch_job_def_id=batch.batch_job_def_id,
        tenant_id=None, create_user_id=ctx.user_id, start_time=ctx.now, end_time=None,
        removal_time=None, execution_start_time=None))
    _job(ctx, batch, SEED, batch.id, batch.seed_job_def_id)
    operation_log.write(ctx, _LOGGED.get(batch_type, batch_type), _ENTITIES.get(
        batch_type, "ProcessInstance"), operation_log.OPERATOR, [
        operation_log.Change("nrOfInstances", None, len(items)),
        operation_log.Change("async", None, True)], batch_id=batch.id)
    return batch


def _job(ctx: CommandContext, batch: Batch, handler: str, cfg: str, job_def_id: str | None,
         due: int | None = None) -> Job:
    job = waiting.new_job(ctx.runtime, None, None, handler, cfg, due_date=due)
    job.job_def_id = job_def_id
    job.suspension_state = batch.suspension_state
    return job


def _batch(ctx: CommandContext, batch_id: str) -> Batch | None:
    return ctx.uow.get(Batch, batch_id)


@register(SEED)
def seed(ctx: CommandContext, job: Job) -> None:
    batch = _batch(ctx, job.handler_cfg or "")
    if batch is None:
        return
    config = orjson.loads(batch.configuration)
    items: list[str] = config["items"]
    chunk = JOBS_PER_SEED * batch.invocations_per_batch_job
    handed, rest = items[:chunk], items[chunk:]
    for start in range(0, len(handed), batch.invocations_per_batch_job):
        part = handed[start:start + batch.invocations_per_batch_job]
        _job(ctx, batch, EXECUTION, orjson.dumps({"batch": batch.id, "items": part}).decode(),
             batch.batch_job_def_id)
        batch.jobs_created += 1
    if batch.execution_start_time is None:
        batch.execution_start_time = ctx.now
        hi = ctx.uow.get(HistoricBatch, batch.id)
        if hi is not None:
            hi.execution_start_time = ctx.now
    config["items"] = rest
    batch.configuration = orjson.dumps(config).decode()
    if rest:
        _job(ctx, batch, SEED, batch.id, batch.seed_job_def_id)
    else:
        _job(ctx, batch, MONITOR, batch.id, batch.monitor_job_def_id)


@register(EXECUTION)
def execute_chunk(ctx: CommandContext, job: Job) -> None:
    cfg = orjson.loads(job.handler_cfg or "{}")
    batch = _batch(ctx, cfg.get("batch", ""))
    if batch is None:
        return
    options = orjson.loads(batch.configuration).get("options", {})
    OPERATIONS[batch.type](ctx, cfg.get("items", []), options)


@register(MONITOR)
def monitor(ctx: CommandContext, job: Job) -> None:
    batch = _batch(ctx, job.handler_cfg or "")
    if batch is None:
        return
    left = ctx.session.scalar("SELECT COUNT(*) FROM bf_job WHERE job_def_id = ?",
                              (batch.batch_job_def_id,))
    if left:
        _job(ctx, batch, MONITOR, batch.id, batch.monitor_job_def_id,
             due=ctx.now + MONITOR_INTERVAL_MS)
        return
    _finish(ctx, batch)


def _finish(ctx: CommandContext, batch: Batch) -> None:
    hi = ctx.uow.get(HistoricBatch, batch.id)
    if hi is not None:
        hi.end_time = ctx.now
    ctx.uow.remove(batch)


def statistics(ctx: CommandContext, batch: Batch) -> tuple[int, int, int]:
    """(remaining, completed, failed) execution jobs, as Camunda's batch statistics."""
    remaining = int(ctx.session.scalar(
        "SELECT COUNT(*) FROM bf_job WHERE job_def_id = ?", (batch.batch_job_def_id,)) or 0)
    failed = int(ctx.session.scalar(
        "SELECT COUNT(*) FROM bf_job WHERE job_def_id = ? AND retries = 0",
        (batch.batch_job_def_id,)) or 0)
    not_created = batch.total_jobs - batch.jobs_created
    remaining += not_created
    return remaining, batch.total_jobs - remaining, failed


def delete(ctx: CommandContext, batch_id: str, cascade: bool) -> None:
    batch = _batch(ctx, batch_id)
    if batch is None:
        raise NotFoundError(f"Batch for id '{batch_id}' cannot be found")
    for job in ctx.uow.select(Job, "job_def_id IN (?, ?, ?)", (
            batch.seed_job_def_id, batch.monitor_job_def_id, batch.batch_job_def_id)):
        ctx.uow.remove(job)
    operation_log.write(ctx, "Delete", "Batch", operation_log.OPERATOR,
                        [operation_log.Change("cascadeToHistory", None, cascade)],
                        batch_id=batch.id)
    hi = ctx.uow.get(HistoricBatch, batch.id)
    if hi is not None:
        if cascade:
            ctx.uow.remove(hi)
        else:
            hi.end_time = ctx.now
    ctx.uow.remove(batch)


def set_suspended(ctx: CommandContext, batch_id: str, suspended: bool) -> None:
    batch = _batch(ctx, batch_id)
    if batch is None:
        raise NotFoundError(f"Batch for id '{batch_id}' cannot be found")
    state = SUSPENDED if suspended else ACTIVE
    batch.suspension_state = state
    operation_log.write(ctx, "SuspendBatch" if suspended else "ActivateBatch", "Batch",
                        operation_log.OPERATOR, [operation_log.Change(
                            "suspensionState", None, "suspended" if suspended else "active")],
                        batch_id=batch.id)
    for job in ctx.uow.select(Job, "job_def_id IN (?, ?, ?)", (
            batch.seed_job_def_id, batch.monitor_job_def_id, batch.batch_job_def_id)):
        job.suspension_state = state
    if not suspended:
        ctx.runtime.notify("job", None)


def delete_history(ctx: CommandContext, batch_id: str) -> None:
    hi = ctx.uow.get(HistoricBatch, batch_id)
    if hi is None:
        raise NotFoundError(f"Historic batch for id '{batch_id}' cannot be found")
    ctx.uow.remove(hi)
