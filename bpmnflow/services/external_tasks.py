"""External task commands: fetch and lock, complete, failure, BPMN error, locks, retries.

A task is locked by one worker at a time: the lock is a revisioned update, so two concurrent
fetches can never both win the same task (on PostgreSQL the candidates are also selected
``FOR UPDATE SKIP LOCKED`` so that concurrent fetches spread over different tasks).

Validation follows Camunda's commands, in their order, because workers branch on the status
and type of the answer: input first (``NullValueException``, ``BadUserRequestException``), then
the task (``NotFoundException``), then the lock holder, then the suspension state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmnflow.errors import (
    BadUserRequestError,
    EngineError,
    NotFoundError,
    NullValueError,
    SuspendedEntityError,
)
from bpmnflow.runtime import events
from bpmnflow.services import variable_filters
from bpmnflow.services.context import CommandContext
from bpmnflow.store.database import POSTGRES
from bpmnflow.store.entities import ExternalTask, ProcessDefinition
from bpmnflow.variables import TypedValue

MAX_ERROR_MESSAGE = 666  # Camunda truncates the short error message to this length

# Camunda's wording when a worker touches a task another worker holds, per operation; the
# extend-lock message really does end in two quotes before the holder's part.
_WRONG_WORKER = {
    "complete": "External Task {id} cannot be completed by worker '{worker}",
    "failure": "Failure of External Task {id} cannot be reported by worker '{worker}",
    "bpmnError": "Bpmn error of External Task {id} cannot be reported by worker '{worker}",
    "extendLock": "The lock of the External Task {id} cannot be extended by worker '{worker}'",
    "lock": "External Task {id} cannot be locked by worker '{worker}",
}


@dataclass
class Topic:
    """One entry of a fetch request's ``topics``: which tasks, and what to send back."""

    name: str | None  # None only in a request that fails validation
    lock_duration: int
    variables: list[str] | None = None
    local_variables: bool = False
    deserialize_values: bool = False
    business_key: str | None = None
    definition_id: str | None = None
    definition_ids: list[str] | None = None
    definition_key: str | None = None
    definition_keys: list[str] | None = None
    version_tag: str | None = None
    tenant_ids: list[str] | None = None
    without_tenant_id: bool = False
    process_variables: dict[str, Any] = field(default_factory=dict)
    include_extension_properties: bool = False


@dataclass
class Locked:
    """A task just locked for a worker, with the variables its topic asked for."""

    task: ExternalTask
    variables: dict[str, TypedValue]
    topic: Topic


def task_or_fail(ctx: CommandContext, task_id: str) -> ExternalTask:
    task = ctx.uow.get(ExternalTask, task_id)
    if task is None:
        raise NotFoundError(f"Cannot find external task with id {task_id}: externalTask is null")
    return task


def worker_text(worker_id: Any) -> str | None:
    """A worker id as Camunda's JSON mapper reads it into a String (numbers included)."""
    if worker_id is None or isinstance(worker_id, str):
        return worker_id
    if isinstance(worker_id, bool):
        return "true" if worker_id else "false"
    return str(worker_id)


def _java(text: str | None) -> str:
    return "null" if text is None else text


def _need_worker(worker_id: Any) -> str:
    worker = worker_text(worker_id)
    if worker is None:
        raise NullValueError("workerId is null")
    return worker


def _held(ctx: CommandContext, task_id: str, worker: str, operation: str) -> ExternalTask:
    """The task, provided ``worker`` holds its lock."""
    task = task_or_fail(ctx, task_id)
    if task.worker_id != worker:
        raise BadUserRequestError(
            _WRONG_WORKER[operation].format(id=task_id, worker=worker)
            + f"'. It is locked by worker '{_java(task.worker_id)}'.")
    return task


def _check_active(task: ExternalTask) -> None:
    if task.suspension_state != 1:
        raise SuspendedEntityError(f"ExternalTask with id '{task.id}' is suspended.")


def _scope(ctx: CommandContext, task: ExternalTask) -> tuple[Any, Any]:
    inst = ctx.runtime.find_instance(task.proc_inst_id)
    ex = inst.by_id.get(task.execution_id) if inst is not None else None
    if inst is None or ex is None:
        raise EngineError(f"Cannot find execution with id {task.execution_id} for external "
                          f"task {task.id}")
    return inst, ex


# -- fetch and lock ---------------------------------------------------------------------------

def _validate_fetch(worker_id: Any, max_tasks: int, topics: list[Topic]) -> str:
    worker = _need_worker(worker_id)
    if max_tasks < 0:
        raise EngineError("maxResults is not greater than or equal to 0")
    for topic in topics:
        if topic.name is None:
            raise NullValueError("topicName is null")
        if topic.lock_duration <= 0:
            raise EngineError("lockTime is not greater than 0")
    return worker


def _topic_clause(topic: Topic) -> tuple[str, list[Any]]:
    """SQL (on alias ``t``) selecting the tasks one topic asks for; empty lists filter nothing,
    as in Camunda's query."""
    parts, params = ["t.topic_name = ?"], [topic.name]

    def where(sql: str, *args: Any) -> None:
        parts.append(sql)
        params.extend(args)

    def where_in(column: str, values: list[str] | None) -> None:
        if values:
            where(f"t.{column} IN ({', '.join('?' for _ in values)})", *values)

    if topic.business_key is not None:
        where("t.business_key = ?", topic.business_key)
    if topic.definition_id is not None:
        where("t.proc_def_id = ?", topic.definition_id)
    where_in("proc_def_id", topic.definition_ids)
    if topic.definition_key is not None:
        where("t.proc_def_key = ?", topic.definition_key)
    where_in("proc_def_key", topic.definition_keys)
    if topic.version_tag is not None:
        where("t.proc_def_version_tag = ?", topic.version_tag)
    where_in("tenant_id", topic.tenant_ids)
    if topic.without_tenant_id:
        where("t.tenant_id IS NULL")
    for name, value in topic.process_variables.items():
        cond, args = variable_filters.condition("eq", value, False)
        where("EXISTS (SELECT 1 FROM bf_variable v WHERE v.execution_id = t.proc_inst_id "
              f"AND v.task_id IS NULL AND v.name = ? AND {cond})", name, *args)
    return "(" + " AND ".join(parts) + ")", params


_FETCHABLE = ("(t.lock_expiration IS NULL OR t.lock_expiration <= ?) AND t.suspension_state = 1 "
              "AND (t.retries IS NULL OR t.retries > 0)")


def _matches(task: ExternalTask, topic: Topic) -> bool:
    """Which topic a fetched row answers (the SQL already applied every criterion; this picks
    among several topics of one name)."""
    return (task.topic_name == topic.name
            and topic.business_key in (None, task.business_key)
            and topic.definition_id in (None, task.proc_def_id)
            and (not topic.definition_ids or task.proc_def_id in topic.definition_ids)
            and topic.definition_key in (None, task.proc_def_key)
            and (not topic.definition_keys or task.proc_def_key in topic.definition_keys)
            and topic.version_tag in (None, task.proc_def_version_tag)
            and (not topic.tenant_ids or task.tenant_id in topic.tenant_ids)
            and not (topic.without_tenant_id and task.tenant_id is not None))


def fetch_and_lock(ctx: CommandContext, worker_id: Any, max_tasks: int, use_priority: bool,
                   topics: list[Topic], sort_create_time: str | None = None) -> list[Locked]:
    """Lock up to ``max_tasks`` available tasks of ``topics`` for the worker."""
    worker = _validate_fetch(worker_id, max_tasks, topics)
    if not topics or max_tasks == 0:
        return []
    clauses, params = [], []
    for topic in topics:
        clause, args = _topic_clause(topic)
        clauses.append(clause)
        params.extend(args)
    order = ["t.priority DESC"] if use_priority else []
    if sort_create_time in ("asc", "desc"):
        order.append(f"t.create_time {sort_create_time.upper()}")
    order.append("t.id")
    sql = (f"{ExternalTask.select_sql} t WHERE ({' OR '.join(clauses)}) AND {_FETCHABLE} "
           f"ORDER BY {', '.join(order)} LIMIT ?")
    if ctx.session.dialect == POSTGRES:
        sql += " FOR UPDATE OF t SKIP LOCKED"
    out: list[Locked] = []
    for row in ctx.session.query(sql, [*params, ctx.now, max_tasks]):
        task = ctx.uow._adopt(ExternalTask, row)  # noqa: SLF001 - the same identity map
        topic = next((t for t in topics if _matches(task, t)), topics[0])
        task.worker_id = worker
        task.lock_expiration = ctx.now + topic.lock_duration
        out.append(Locked(task, _variables(ctx, task, topic), topic))
    return out


def next_unlock(ctx: CommandContext, topic_names: list[str]) -> int | None:
    """When the earliest lock on these topics runs out (epoch ms), so that a parked fetch can
    wake for it rather than for the next poll."""
    if not topic_names:
        return None
    marks = ", ".join("?" for _ in topic_names)
    rows = ctx.session.query(
        f"SELECT MIN(lock_expiration) FROM bf_external_task WHERE topic_name IN ({marks}) "
        "AND lock_expiration > ? AND suspension_state = 1 AND (retries IS NULL OR retries > 0)",
        [*topic_names, ctx.now])
    found = next(iter(rows), None)
    return None if found is None or found[0] is None else int(found[0])


def _variables(ctx: CommandContext, task: ExternalTask, topic: Topic) -> dict[str, TypedValue]:
    rt = ctx.runtime
    inst = rt.find_instance(task.proc_inst_id)
    ex = inst.by_id.get(task.execution_id) if inst is not None else None
    if inst is None or ex is None:
        return {}
    if topic.local_variables:
        values = {n: inst.value(v) for n, v in rt.local_variables(ex).items()}
    else:
        values = rt.visible_variables(ex)
    if topic.variables is not None:
        values = {n: v for n, v in values.items() if n in topic.variables}
    return values


# -- a worker's answers -----------------------------------------------------------------------

def _set_variables(ctx: CommandContext, ex: Any, variables: dict[str, TypedValue] | None,
                   local_variables: dict[str, TypedValue] | None) -> None:
    rt = ctx.runtime
    for name, value in (variables or {}).items():
        rt.set_variable(ex, name, value)
    for name, value in (local_variables or {}).items():
        rt.set_variable_local(ex, name, value)


def complete(ctx: CommandContext, task_id: str, worker_id: Any,
             variables: dict[str, TypedValue], local_variables: dict[str, TypedValue]) -> None:
    task = _held(ctx, task_id, _need_worker(worker_id), "complete")
    _check_active(task)
    rt = ctx.runtime
    inst, ex = _scope(ctx, task)
    _set_variables(ctx, ex, variables, local_variables)
    rt.history.external_task_logged(task, 2)
    ctx.uow.remove(task)
    rt.signal(inst, ex)


def failure(ctx: CommandContext, task_id: str, worker_id: Any, message: str | None,
            details: str | None, retries: int, retry_timeout: int,
            variables: dict[str, TypedValue] | None = None,
            local_variables: dict[str, TypedValue] | None = None) -> None:
    """Record a failed attempt: the task stays locked for ``retry_timeout`` and gets an incident
    when no retries are left."""
    worker = _need_worker(worker_id)
    if retries < 0:
        raise EngineError("retries is not greater than or equal to 0")
    if retry_timeout < 0:
        raise EngineError("retryDuration is not greater than or equal to 0")
    task = _held(ctx, task_id, worker, "failure")
    _check_active(task)
    task.error_message = message[:MAX_ERROR_MESSAGE] if message else message
    if details is not None:  # a failure without details keeps the earlier ones, as Camunda
        task.error_details = details
    task.lock_expiration = ctx.now + retry_timeout
    if variables or local_variables:
        _set_variables(ctx, _scope(ctx, task)[1], variables, local_variables)
    _retries_and_incidents(ctx, task, retries)
    ctx.runtime.history.external_task_logged(task, 1)


def _retries_and_incidents(ctx: CommandContext, task: ExternalTask, retries: int) -> None:
    """Running out of retries opens a ``failedExternalTask`` incident; getting some back
    resolves it."""
    had_retries = task.retries is None or task.retries > 0
    task.retries = retries
    if had_retries and retries <= 0:
        _, ex = _scope(ctx, task)
        ctx.runtime.create_incident("failedExternalTask", task.error_message, ex,
                                    task.activity_id, task.id)
    elif not had_retries and retries > 0:
        ctx.runtime.resolve_incidents(configuration=task.id)
        ctx.runtime.notify("external_task", task.topic_name)


def bpmn_error(ctx: CommandContext, task_id: str, worker_id: Any, code: str | None,
               message: str | None, variables: dict[str, TypedValue]) -> None:
    """Throw the error at the task's activity; nothing catching it ends that execution, as
    Camunda does by default."""
    worker = _need_worker(worker_id)
    if code is None:
        raise NullValueError("errorCode is null")
    task = _held(ctx, task_id, worker, "bpmnError")
    _check_active(task)
    rt = ctx.runtime
    inst, ex = _scope(ctx, task)
    _set_variables(ctx, ex, variables, None)
    rt.history.external_task_logged(task, 2)
    ctx.uow.remove(task)
    if not events.propagate(rt, inst, ex, "error", code, message):
        node = rt.node(inst, ex)
        scope = inst.parent(ex)
        rt.end_activity(inst, ex)
        rt.scope_may_end(inst, scope, node)
    rt.run()


# -- locks ------------------------------------------------------------------------------------

def extend_lock(ctx: CommandContext, task_id: str, worker_id: Any, duration: int) -> None:
    if duration <= 0:
        raise BadUserRequestError("lockTime is not greater than 0")
    task = _held(ctx, task_id, _need_worker(worker_id), "extendLock")
    if task.lock_expiration is None or task.lock_expiration < ctx.now:
        raise BadUserRequestError("Cannot extend a lock that expired: lockExpirationTime is not "
                                  f"greater than or equal to {ctx.now}")
    _check_active(task)
    task.lock_expiration = ctx.now + duration


def lock(ctx: CommandContext, task_id: str, worker_id: Any, duration: int) -> None:
    """Lock one task for a worker (``POST /external-task/{id}/lock``); another worker's lock
    stands in the way only until it expires."""
    worker = _need_worker(worker_id)
    if duration <= 0:
        raise BadUserRequestError("lockDuration is not greater than 0")
    task = task_or_fail(ctx, task_id)
    held = task.lock_expiration is not None and ctx.now <= task.lock_expiration
    if task.worker_id is not None and task.worker_id != worker and held:
        raise BadUserRequestError(
            _WRONG_WORKER["lock"].format(id=task_id, worker=worker)
            + f"'. It is locked by worker '{task.worker_id}'.")
    task.worker_id = worker
    task.lock_expiration = ctx.now + duration


def unlock(ctx: CommandContext, task_id: str) -> None:
    task = task_or_fail(ctx, task_id)
    task.worker_id = None
    task.lock_expiration = None
    ctx.runtime.notify("external_task", task.topic_name)


# -- administration ---------------------------------------------------------------------------

def _check_retries(retries: int) -> None:
    if retries < 0:
        raise BadUserRequestError("The number of retries cannot be negative: retries is not "
                                  "greater than or equal to 0")


def set_retries(ctx: CommandContext, task_id: str, retries: int) -> None:
    _check_retries(retries)
    _retries_and_incidents(ctx, task_or_fail(ctx, task_id), retries)


def set_retries_many(ctx: CommandContext, task_ids: list[Any], retries: int,
                     process_instance_ids: list[str] | None = None) -> None:
    """``PUT /external-task/retries``: the tasks named, plus every task of the instances named;
    all or nothing."""
    if any(task_id is None for task_id in task_ids):
        raise BadUserRequestError("External task id cannot be null: externalTaskIds contains "
                                  "null value")
    ids = dict.fromkeys(str(task_id) for task_id in task_ids)
    if process_instance_ids:
        marks = ", ".join("?" for _ in process_instance_ids)
        rows = ctx.session.query(f"SELECT id FROM bf_external_task WHERE proc_inst_id IN ({marks}) "
                                 "ORDER BY id", list(process_instance_ids))
        ids.update(dict.fromkeys(row[0] for row in rows))
    if not ids:
        raise BadUserRequestError("externalTaskIds is empty")
    for task_id in ids:
        set_retries(ctx, task_id, retries)


def set_priority(ctx: CommandContext, task_id: str, priority: int) -> None:
    task_or_fail(ctx, task_id).priority = priority


def get(ctx: CommandContext, task_id: str) -> ExternalTask | None:
    return ctx.uow.get(ExternalTask, task_id)


def definition_of(ctx: CommandContext, definition_id: str) -> ProcessDefinition | None:
    return ctx.uow.get(ProcessDefinition, definition_id)


def topic_names(ctx: CommandContext, locked: bool, unlocked: bool, retries_left: bool
                ) -> list[str]:
    where = []
    if locked:
        where.append("lock_expiration IS NOT NULL AND lock_expiration > ?")
    if unlocked:
        where.append("(lock_expiration IS NULL OR lock_expiration <= ?)")
    if retries_left:
        where.append("(retries IS NULL OR retries > 0)")
    params = [ctx.now] * (int(locked) + int(unlocked))
    sql = "SELECT DISTINCT topic_name FROM bf_external_task"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return sorted(row[0] for row in ctx.session.query(sql + " ORDER BY topic_name", params))


def unlock_for_worker(ctx: CommandContext, task_ids: list[str], worker_id: str) -> None:
    """Release locks this worker took, leaving any another worker holds by now."""
    for task_id in task_ids:
        task = ctx.uow.get(ExternalTask, task_id)
        if task is not None and task.worker_id == worker_id:
            task.worker_id = None
            task.lock_expiration = None
            ctx.runtime.notify("external_task", task.topic_name)
