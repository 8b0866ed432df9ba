"""Job commands: acquire, execute, record a failure, and the operator's controls.

A job runs in its own command; when it fails, that command rolls back whole and a second one
records the failure (retries, exception, incident), so a failure never half-applies the job.
"""

from __future__ import annotations

import traceback
from typing import Any

from bpmnflow.errors import EngineError, NotFoundError, OptimisticLockingError
from bpmnflow.runtime import events, timers, waiting
from bpmnflow.services.context import CommandContext
from bpmnflow.store.database import POSTGRES
from bpmnflow.store.entities import ACTIVE, Job, ProcessDefinition


def job_or_fail(ctx: CommandContext, job_id: str) -> Job:
    job = ctx.uow.get(Job, job_id)
    if job is None:
        raise NotFoundError(f"No job found with id '{job_id}'")
    return job


def acquire(ctx: CommandContext, owner: str, lock_ms: int, limit: int) -> list[str]:
    """Lock up to ``limit`` due jobs for ``owner``; exclusive jobs of one instance never run
    side by side, so an instance with a locked exclusive job gets none more."""
    now = ctx.now
    sql = (
        "SELECT j.id FROM bf_job j WHERE (j.due_date IS NULL OR j.due_date <= ?) "
        "AND (j.lock_expiration IS NULL OR j.lock_expiration < ?) AND j.retries > 0 "
        "AND j.suspension_state = 1 AND NOT (j.exclusive = ? AND EXISTS (SELECT 1 FROM bf_job o "
        "WHERE o.proc_inst_id = j.proc_inst_id AND o.id <> j.id AND o.exclusive = ? AND "
        "o.lock_expiration IS NOT NULL AND o.lock_expiration >= ?)) "
        "ORDER BY j.priority DESC, j.due_date ASC LIMIT ?")
    true = True if ctx.session.dialect == POSTGRES else 1
    if ctx.session.dialect == POSTGRES:
        sql += " FOR UPDATE OF j SKIP LOCKED"
    ids = [row[0] for row in ctx.session.query(sql, (now, now, true, true, now, limit))]
    seen_instances: set[str] = set()
    locked = []
    for job in (ctx.uow.get(Job, i) for i in ids):
        if job is None:
            continue
        if job.exclusive and job.proc_inst_id:
            if job.proc_inst_id in seen_instances:
                continue
            seen_instances.add(job.proc_inst_id)
        job.lock_owner, job.lock_expiration = owner, now + lock_ms
        locked.append(job.id)
    return locked


def execute_job(ctx: CommandContext, job_id: str, owner: str | None = None) -> None:
    """Run one job to its end; the job row goes when it succeeds."""
    job = job_or_fail(ctx, job_id)
    if owner is not None and job.lock_owner != owner:
        raise OptimisticLockingError(f"Job {job_id} is no longer locked by {owner}")
    rt = ctx.runtime
    handler = job.handler_type
    if handler == waiting.TIMER_START:
        _start_timer(ctx, job)
    elif job.execution_id is not None:
        inst = rt.find_instance(job.proc_inst_id or "")
        holder = inst.by_id.get(job.execution_id) if inst is not None else None
        if inst is None or holder is None:
            raise EngineError(f"Execution {job.execution_id} of job {job_id} does not exist")
        node = inst.model.nodes[job.activity_id or ""]
        if handler == waiting.ASYNC_CONTINUATION:
            if job.handler_cfg == "before":
                rt.execute(inst, holder, node)
            else:
                rt.leave(inst, holder, node)
            rt.run()
        else:
            _repeat(ctx, job, inst, holder)
            events.deliver(rt, inst, holder, node)
    rt.history.job_succeeded(job)
    ctx.uow.remove(job)


def _repeat(ctx: CommandContext, job: Job, inst: Any, holder: Any) -> None:
    """A cycle timer of a non-interrupting event fires again later."""
    if not job.repeat or job.due_date is None:
        return
    node = inst.model.nodes.get(job.activity_id or "")
    interrupting = node is not None and (
        node.props.get("cancel", False) if node.kind == "boundaryEvent"
        else node.kind == "startEvent" and node.props.get("interrupting", True))
    if interrupting or (node is not None and node.kind == "intermediateCatchEvent"):
        return
    following = timers.next_due(job.repeat, job.due_date)
    if following is not None:
        waiting.new_job(ctx.runtime, inst, holder, waiting.TIMER, job.activity_id,
                        due_date=following[0], repeat=following[1], job_type="timer",
                        activity_id=job.activity_id)


def _start_timer(ctx: CommandContext, job: Job) -> None:
    definition = ctx.uow.get(ProcessDefinition, job.proc_def_id or "")
    if definition is None:
        return
    _, model = ctx.engine.definitions.get(definition.id)
    node = model.nodes[job.activity_id or ""]
    if job.repeat and job.due_date is not None:
        following = timers.next_due(job.repeat, job.due_date)
        if following is not None:
            waiting.new_job(ctx.runtime, None, None, waiting.TIMER_START, node.id,
                            due_date=following[0], repeat=following[1], job_type="timer",
                            activity_id=node.id, definition=definition)
    if definition.suspension_state == ACTIVE:
        ctx.runtime.start_process(definition, model, None, {}, start_node=node)


def job_failed(ctx: CommandContext, job_id: str, message: str, stacktrace: str) -> None:
    """Count a failed attempt: fewer retries, maybe a delay, an incident at zero."""
    job = ctx.uow.get(Job, job_id)
    if job is None:
        return
    rt = ctx.runtime
    node_cycle = None
    if job.proc_def_id and job.activity_id:
        try:
            _, model = ctx.engine.definitions.get(job.proc_def_id)
            node = model.nodes.get(job.activity_id)
            node_cycle = node.props.get("retry_cycle") if node is not None else None
        except EngineError:
            node_cycle = None
    _, delays = timers.retry_delays(node_cycle)
    job.retries = max(job.retries - 1, 0)
    job.exception_message = message[:4000]
    job.exception_stacktrace = stacktrace
    job.lock_owner = job.lock_expiration = None
    if job.retries > 0 and delays:
        delay = delays[max(min(len(delays) - job.retries - 1, len(delays) - 1), 0)]
        job.due_date = ctx.now + delay if delay else job.due_date
    job.failed_activity_id = job.activity_id
    rt.history.job_failed(job)
    if job.retries == 0:
        ex = None
        if job.proc_inst_id:
            inst = rt.find_instance(job.proc_inst_id)
            ex = inst.by_id.get(job.execution_id or "") if inst is not None else None
        rt.create_incident("failedJob", job.exception_message, ex, job.activity_id, job.id,
                           proc_def_id=job.proc_def_id, proc_def_key=job.proc_def_key,
                           tenant_id=job.tenant_id)


def unlock(ctx: CommandContext, job_id: str) -> None:
    job = ctx.uow.get(Job, job_id)
    if job is not None:
        job.lock_owner = job.lock_expiration = None


def describe_failure(exc: BaseException) -> tuple[str, str]:
    message = exc.message if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"
    return message, "".join(traceback.format_exception(exc))


def set_retries(ctx: CommandContext, job_id: str, retries: int) -> None:
    job = job_or_fail(ctx, job_id)
    was_zero = job.retries == 0
    job.retries = retries
    if was_zero and retries > 0:
        ctx.runtime.resolve_incidents(configuration=job.id)


def set_due_date(ctx: CommandContext, job_id: str, due_ms: int | None) -> None:
    job_or_fail(ctx, job_id).due_date = due_ms


def set_priority(ctx: CommandContext, job_id: str, priority: int) -> None:
    job_or_fail(ctx, job_id).priority = priority


def set_suspended(ctx: CommandContext, job_id: str, suspended: bool) -> None:
    job_or_fail(ctx, job_id).suspension_state = 2 if suspended else 1


def delete_job(ctx: CommandContext, job_id: str) -> None:
    job = job_or_fail(ctx, job_id)
    if job.lock_owner is not None and (job.lock_expiration or 0) >= ctx.now:
        raise EngineError("Cannot delete job when the job is being executed. Try again later.")
    ctx.runtime.history.job_deleted(job)
    ctx.uow.remove(job)
