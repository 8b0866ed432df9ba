"""Job commands: acquire, execute, record a failure, and the operator's controls.

A job runs in its own command; when it fails, that command rolls back whole and a second one
records the failure (retries, exception, incident), so a failure never half-applies the job.
Retries follow Camunda's ``JobEntity.setRetries``: dropping to 0 opens a ``failedJob``
incident, raising them from 0 resolves it.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmnflow.errors import (
    EngineError,
    NotFoundError,
    NullValueError,
    OptimisticLockingError,
)
from bpmnflow.jobs.handlers import HANDLERS
from bpmnflow.runtime import events, timers, waiting
from bpmnflow.services import job_definitions  # noqa: F401  (registers its job handlers)
from bpmnflow.services.context import CommandContext
from bpmnflow.store.database import POSTGRES
from bpmnflow.store.entities import (
    ACTIVE,
    SUSPENDED,
    HistoricIncident,
    HistoricJobLog,
    Incident,
    Job,
    ProcessDefinition,
)

if TYPE_CHECKING:
    from bpmnflow.services.engine import Engine

log = logging.getLogger("bpmnflow.jobs")

TIMER_HANDLERS = (waiting.TIMER, waiting.TIMER_START)


def get(ctx: CommandContext, job_id: str) -> Job | None:
    return ctx.uow.get(Job, job_id)


def job_or_fail(ctx: CommandContext, job_id: str, message: str | None = None,
                error: type[EngineError] = NotFoundError) -> Job:
    """The job, or the error Camunda's command raises (each command words it its own way)."""
    job = ctx.uow.get(Job, job_id)
    if job is None:
        raise error(message or f"No job found with id '{job_id}'")
    return job


# -- acquisition and execution --------------------------------------------------------------------
_ACQUIRE = (
    "SELECT j.id FROM bf_job j WHERE (j.due_date IS NULL OR j.due_date <= ?) "
    "AND (j.lock_expiration IS NULL OR j.lock_expiration < ?) AND j.retries > 0 "
    "AND j.suspension_state = 1 "
    "AND NOT EXISTS (SELECT 1 FROM bf_job_definition d WHERE d.id = j.job_def_id "
    "AND d.suspension_state = 2) "
    "AND NOT (j.exclusive = ? AND EXISTS (SELECT 1 FROM bf_job o "
    "WHERE o.proc_inst_id = j.proc_inst_id AND o.id <> j.id AND o.exclusive = ? AND "
    "o.lock_expiration IS NOT NULL AND o.lock_expiration >= ?)) "
    "ORDER BY j.priority DESC, COALESCE(j.due_date, j.create_time) ASC, j.id ASC LIMIT ?")


def acquire(ctx: CommandContext, owner: str, lock_ms: int, limit: int) -> list[str]:
    """Lock up to ``limit`` due jobs for ``owner``, highest priority first.

    Jobs of a suspended job definition stay where they are; exclusive jobs of one instance
    never run side by side, so an instance with a locked exclusive job gets none more.
    """
    now = ctx.now
    sql = _ACQUIRE
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
    job = job_or_fail(ctx, job_id, f"ENGINE-14026 No job found with id '{job_id}'", EngineError)
    if owner is not None and job.lock_owner != owner:
        raise OptimisticLockingError(f"Job {job_id} is no longer locked by {owner}")
    # off the unit of work first: the continuation may end the job's execution, and what
    # ends with it is deleted, which this job is not
    ctx.uow.remove(job)
    handler = job.handler_type
    if handler == waiting.TIMER_START:
        _start_timer(ctx, job)
    elif handler in HANDLERS:
        HANDLERS[handler](ctx, job)
    elif handler in (waiting.ASYNC_CONTINUATION, waiting.TIMER) and job.execution_id:
        _continue_instance(ctx, job)
    else:  # never drop a job nobody can run: it fails, and ends as an incident
        raise EngineError(f"No job handler for job type '{handler}' (job {job_id})")
    ctx.runtime.history.job_succeeded(job)
    if job.retries <= 0:  # run by hand after it failed for good: its incident is over
        ctx.runtime.resolve_incidents(configuration=job.id)


def _continue_instance(ctx: CommandContext, job: Job) -> None:
    rt = ctx.runtime
    inst = rt.find_instance(job.proc_inst_id or "")
    holder = inst.by_id.get(job.execution_id or "") if inst is not None else None
    if inst is None or holder is None:
        raise EngineError(f"Execution {job.execution_id} of job {job.id} does not exist")
    node = inst.model.nodes[job.activity_id or ""]
    if job.handler_type == waiting.ASYNC_CONTINUATION:
        if job.handler_cfg == "before":
            rt.execute(inst, holder, node)
        else:
            rt.leave(inst, holder, node)
        rt.run()
    else:
        _repeat(ctx, job, inst, holder)
        events.deliver(rt, inst, holder, node)


def _cycle(job: Job) -> tuple[str, int] | None:
    """(repeat definition, instant the cycle continues from) of a repeating timer.

    A due date moved without ``cascade`` keeps the old schedule: the job then carries the
    original due date after an ``@`` (see ``set_due_date``).
    """
    if not job.repeat:
        return None
    repeat, _, anchor = job.repeat.partition("@")
    if anchor:
        return repeat, int(anchor)
    return (repeat, job.due_date) if job.due_date is not None else None


def _repeat(ctx: CommandContext, job: Job, inst: Any, holder: Any) -> None:
    """A cycle timer of a non-interrupting event fires again later."""
    cycle = _cycle(job)
    if cycle is None:
        return
    node = inst.model.nodes.get(job.activity_id or "")
    interrupting = node is not None and (
        node.props.get("cancel", False) if node.kind == "boundaryEvent"
        else node.kind == "startEvent" and node.props.get("interrupting", True))
    if interrupting or (node is not None and node.kind == "intermediateCatchEvent"):
        return
    following = timers.next_due(*cycle)
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
    cycle = _cycle(job)
    following = timers.next_due(*cycle) if cycle is not None else None
    if following is not None:
        waiting.new_job(ctx.runtime, None, None, waiting.TIMER_START, node.id,
                        due_date=following[0], repeat=following[1], job_type="timer",
                        activity_id=node.id, definition=definition)
    if definition.suspension_state == ACTIVE:
        ctx.runtime.start_process(definition, model, None, {}, start_node=node)


def execute_and_record(engine: Engine, job_id: str, owner: str | None = None) -> None:
    """Run a job now, as ``POST /job/{id}/execute`` does; a failure is counted, then raised.

    The job's command rolls back whole; a second command records the failure (fewer retries,
    the exception, an incident at zero) so that the caller sees both the error and its trace.
    """
    try:
        engine.execute(execute_job, job_id, owner)
    except OptimisticLockingError:
        raise  # another command changed the job: nothing of this attempt happened
    except Exception as exc:
        message, trace = describe_failure(exc)
        try:
            engine.execute(job_failed, job_id, message, trace)
        except Exception:
            log.exception("could not record failure of job %s", job_id)
        raise


# -- failures and retries -------------------------------------------------------------------------
def job_failed(ctx: CommandContext, job_id: str, message: str, stacktrace: str) -> None:
    """Count a failed attempt: fewer retries, maybe a delay, an incident at zero."""
    job = ctx.uow.get(Job, job_id)
    if job is None:
        return
    _, delays = timers.retry_delays(_retry_cycle(ctx, job))
    previous = job.retries
    job.retries = max(job.retries - 1, 0)
    job.exception_message = message[:4000]
    job.exception_stacktrace = stacktrace
    job.lock_owner = job.lock_expiration = None
    if job.retries > 0 and delays:
        delay = delays[max(min(len(delays) - job.retries - 1, len(delays) - 1), 0)]
        job.due_date = ctx.now + delay if delay else job.due_date
    job.failed_activity_id = job.activity_id
    ctx.runtime.history.job_failed(job)
    if job.retries == 0 and previous > 0:
        _open_incident(ctx, job)


def _retry_cycle(ctx: CommandContext, job: Job) -> str | None:
    if not (job.proc_def_id and job.activity_id):
        return None
    try:
        _, model = ctx.engine.definitions.get(job.proc_def_id)
    except EngineError:
        return None
    node = model.nodes.get(job.activity_id)
    return node.props.get("retry_cycle") if node is not None else None


def _open_incident(ctx: CommandContext, job: Job) -> Incident:
    """The ``failedJob`` incident of a job out of retries, tied to its job definition and to
    the failure's log entry (Camunda's ``historyConfiguration``)."""
    rt = ctx.runtime
    ex = None
    if job.proc_inst_id:
        inst = rt.find_instance(job.proc_inst_id)
        ex = inst.by_id.get(job.execution_id or "") if inst is not None else None
    incident = rt.create_incident("failedJob", job.exception_message, ex, job.activity_id,
                                  job.id, proc_inst_id=job.proc_inst_id,
                                  proc_def_id=job.proc_def_id, proc_def_key=job.proc_def_key,
                                  tenant_id=job.tenant_id)
    incident.job_def_id = job.job_def_id
    incident.failed_activity_id = job.failed_activity_id or job.activity_id
    historic = ctx.uow.get(HistoricIncident, incident.id)
    if historic is not None:
        historic.job_def_id = job.job_def_id
        historic.failed_activity_id = incident.failed_activity_id
        failures = [entry for entry in ctx.uow.pending(HistoricJobLog)
                    if entry.job_id == job.id and entry.job_state == 1]
        historic.history_configuration = failures[-1].id if failures else None
    return incident


def unlock(ctx: CommandContext, job_id: str, owner: str | None = None) -> None:
    """Give a job back for acquisition; with ``owner``, only if that owner still holds it
    (a node whose lock expired must not release the lock another node took since)."""
    job = ctx.uow.get(Job, job_id)
    if job is not None and (owner is None or job.lock_owner == owner):
        job.lock_owner = job.lock_expiration = None


def describe_failure(exc: BaseException) -> tuple[str, str]:
    message = exc.message if isinstance(exc, EngineError) else f"{type(exc).__name__}: {exc}"
    return message, "".join(traceback.format_exception(exc))


def _check_retries(retries: int) -> None:
    if retries < 0:
        raise EngineError(f"ENGINE-13054 The number of job retries must be a non-negative "
                          f"Integer, but '{retries}' has been provided.")


def apply_retries(ctx: CommandContext, job: Job, retries: int) -> None:
    """Camunda's ``JobEntity.setRetries``: 0 → n resolves the incident, n → 0 opens one."""
    if job.lock_owner is not None and job.lock_expiration is not None and job.retries == 0:
        job.lock_owner = job.lock_expiration = None  # a lock left by a failed run
    previous = job.retries
    job.retries = retries
    if previous == 0 and retries > 0:
        ctx.runtime.resolve_incidents(configuration=job.id)
    elif previous > 0 and retries == 0:
        _open_incident(ctx, job)
    ctx.runtime.notify("job", job.due_date)


@dataclass(frozen=True)
class DueDate:
    """A due date to set along with retries; ``None`` for "leave the due date alone"."""

    value: int | None


def set_retries(ctx: CommandContext, job_id: str, retries: int,
                due: DueDate | None = None) -> None:
    _check_retries(retries)
    # a plain ProcessEngineException in Camunda (the REST layer answers 500 either way);
    # NotFoundError lets a retries batch skip a job that is gone
    job = job_or_fail(ctx, job_id, f"ENGINE-13053 No job found with id '{job_id}'.'")
    apply_retries(ctx, job, retries)
    if due is not None:
        job.due_date = due.value


def set_retries_many(ctx: CommandContext, job_ids: list[str], retries: int,
                     due: DueDate | None = None) -> int:
    """The synchronous version of Camunda's set-job-retries batch; unknown ids are skipped
    as the batch would skip them. Returns how many jobs were changed."""
    _check_retries(retries)
    changed = 0
    for job_id in dict.fromkeys(job_ids):
        job = ctx.uow.get(Job, job_id)
        if job is None:
            continue
        apply_retries(ctx, job, retries)
        if due is not None:
            job.due_date = due.value
        changed += 1
    return changed


# -- due dates, priority, suspension, deletion ----------------------------------------------------
def set_due_date(ctx: CommandContext, job_id: str, due_ms: int | None,
                 cascade: bool = False) -> None:
    """A new due date; without ``cascade`` a repeating timer keeps its original schedule."""
    job = job_or_fail(ctx, job_id, f"No job found with id '{job_id}'.", EngineError)
    if job.repeat and not cascade and due_ms is not None and job.due_date is not None \
            and "@" not in job.repeat:
        job.repeat = f"{job.repeat}@{job.due_date}"
    elif job.repeat and cascade:
        job.repeat = job.repeat.partition("@")[0]
    job.due_date = due_ms
    ctx.runtime.notify("job", due_ms)


def recalculate_due_date(ctx: CommandContext, job_id: str, creation_date_based: bool) -> None:
    """Evaluate the timer definition again, from the job's creation time or from now."""
    job = job_or_fail(ctx, job_id, f"No job found with id '{job_id}': job is null")
    if job.handler_type not in TIMER_HANDLERS or job.type != "timer":
        raise EngineError(f"Only timer jobs can be recalculated, but the job with id "
                          f"'{job_id}' is of type '{job.handler_type}'.")
    event, value = _timer_value(ctx, job)
    base = job.create_time if creation_date_based else ctx.now
    job.due_date, _ = timers.first_due(event.timer_kind, value, base)
    if job.repeat:
        job.repeat = job.repeat.partition("@")[0]
    ctx.runtime.notify("job", job.due_date)


def _timer_value(ctx: CommandContext, job: Job) -> tuple[Any, Any]:
    """The timer event of a job and its definition's value, evaluated where the timer lives."""
    _, model = ctx.engine.definitions.get(job.proc_def_id or "")
    node = model.nodes.get(job.activity_id or "")
    event = node.props.get("event") if node is not None else None
    if event is None or event.kind != "timer":
        raise EngineError(f"No timer declaration found for job id '{job.id}'.")
    if job.execution_id is None:
        return event, event.timer.evaluate(_no_variables)
    rt = ctx.runtime
    inst = rt.find_instance(job.proc_inst_id or "")
    ex = inst.by_id.get(job.execution_id) if inst is not None else None
    if ex is None:
        raise EngineError(f"No execution found with id '{job.execution_id}' for job id "
                          f"'{job.id}'.")
    return event, rt.evaluate(event.timer, ex)


def _no_variables(name: str) -> Any:
    raise KeyError(name)


def set_priority(ctx: CommandContext, job_id: str, priority: int) -> None:
    job_or_fail(ctx, job_id, f"No job found with id '{job_id}': job is null").priority = priority


def set_suspended(ctx: CommandContext, job_id: str, suspended: bool) -> None:
    """Suspend or activate one job; an unknown id changes nothing, as in Camunda."""
    job = ctx.uow.get(Job, job_id)
    if job is not None:
        _suspend(ctx, [job], suspended)


@dataclass(frozen=True)
class JobSelection:
    """Which jobs ``PUT /job/suspended`` touches: exactly one of the ids or the key."""

    job_definition_id: str | None = None
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    tenant_id: str | None = None
    without_tenant: bool = False


def select_jobs(ctx: CommandContext, selection: JobSelection) -> list[Job]:
    if selection.job_definition_id is not None:
        return ctx.uow.select(Job, "job_def_id = ?", (selection.job_definition_id,))
    if selection.process_instance_id is not None:
        return ctx.uow.select(Job, "proc_inst_id = ?", (selection.process_instance_id,))
    if selection.process_definition_id is not None:
        return ctx.uow.select(Job, "proc_def_id = ?", (selection.process_definition_id,))
    if selection.tenant_id is not None:
        return ctx.uow.select(Job, "proc_def_key = ? AND tenant_id = ?",
                              (selection.process_definition_key, selection.tenant_id))
    if selection.without_tenant:
        return ctx.uow.select(Job, "proc_def_key = ? AND tenant_id IS NULL",
                              (selection.process_definition_key,))
    return ctx.uow.select(Job, "proc_def_key = ?", (selection.process_definition_key,))


def set_suspended_many(ctx: CommandContext, selection: JobSelection, suspended: bool) -> None:
    _suspend(ctx, select_jobs(ctx, selection), suspended)


def _suspend(ctx: CommandContext, found: list[Job], suspended: bool) -> None:
    state = SUSPENDED if suspended else ACTIVE
    for job in found:
        job.suspension_state = state
    if not suspended and found:
        ctx.runtime.notify("job", None)


def delete_job(ctx: CommandContext, job_id: str) -> None:
    """Remove a job that no executor holds; its incident, if any, ends as deleted."""
    job = job_or_fail(ctx, job_id, f"No job found with id '{job_id}': job is null",
                      NullValueError)
    if job.lock_owner is not None or job.lock_expiration is not None:
        raise EngineError("Cannot delete job when the job is being executed. Try again later.")
    ctx.runtime.history.job_deleted(job)
    if job.retries <= 0:
        ctx.runtime.resolve_incidents(configuration=job.id, deleted=True)
    ctx.uow.remove(job)


def exception_stacktrace(ctx: CommandContext, job_id: str) -> str | None:
    job = job_or_fail(ctx, job_id, f"No job found with id {job_id}: job is null",
                      NullValueError)
    return job.exception_stacktrace


def next_due_date(ctx: CommandContext) -> int | None:
    """When the next not-yet-due job falls due: the executor sleeps no longer than that, so a
    timer fires on time instead of after the idle back-off."""
    due = ctx.session.scalar(
        "SELECT MIN(due_date) FROM bf_job WHERE due_date > ? AND retries > 0 "
        "AND suspension_state = 1", (ctx.now,))
    return int(due) if due is not None else None
