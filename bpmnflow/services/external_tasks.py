"""External task commands: fetch and lock, complete, failure, BPMN error, locks, retries.

A task is locked by one worker at a time: the lock is a revisioned update, so two concurrent
fetches can never both win the same task (on PostgreSQL the candidates are also selected
``FOR UPDATE SKIP LOCKED`` so that concurrent fetches spread over different tasks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmnflow.errors import BadUserRequestError, EngineError, NotFoundError
from bpmnflow.runtime import events
from bpmnflow.services.context import CommandContext
from bpmnflow.store.database import POSTGRES
from bpmnflow.store.entities import ExternalTask, ProcessDefinition
from bpmnflow.variables import TypedValue


@dataclass
class Topic:
    name: str
    lock_duration: int
    variables: list[str] | None = None
    local_variables: bool = False
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
    task: ExternalTask
    variables: dict[str, TypedValue]


def task_or_fail(ctx: CommandContext, task_id: str) -> ExternalTask:
    task = ctx.uow.get(ExternalTask, task_id)
    if task is None:
        raise NotFoundError(f"External task with id {task_id} does not exist")
    return task


def _matches(ctx: CommandContext, task: ExternalTask, topic: Topic) -> bool:
    if topic.business_key is not None and task.business_key != topic.business_key:
        return False
    if topic.definition_id is not None and task.proc_def_id != topic.definition_id:
        return False
    if topic.definition_ids is not None and task.proc_def_id not in topic.definition_ids:
        return False
    if topic.definition_key is not None and task.proc_def_key != topic.definition_key:
        return False
    if topic.definition_keys is not None and task.proc_def_key not in topic.definition_keys:
        return False
    if topic.version_tag is not None and task.proc_def_version_tag != topic.version_tag:
        return False
    if topic.tenant_ids is not None and task.tenant_id not in topic.tenant_ids:
        return False
    if topic.without_tenant_id and task.tenant_id is not None:
        return False
    if topic.process_variables:
        inst = ctx.runtime.find_instance(task.proc_inst_id)
        if inst is None:
            return False
        for name, expected in topic.process_variables.items():
            tv = ctx.runtime.get_variable_local(inst.root, name)
            if tv is None or tv.value != expected:
                return False
    return True


def fetch_and_lock(ctx: CommandContext, worker_id: str, max_tasks: int, use_priority: bool,
                   topics: list[Topic], sort_create_time: str | None = None) -> list[Locked]:
    if not topics or max_tasks <= 0:
        return []
    by_name: dict[str, list[Topic]] = {}
    for topic in topics:
        by_name.setdefault(topic.name, []).append(topic)
    marks = ", ".join("?" for _ in by_name)
    order = []
    if use_priority:
        order.append("priority DESC")
    if sort_create_time in ("asc", "desc"):
        order.append(f"create_time {sort_create_time.upper()}")
    order.append("id")
    where = (f"topic_name IN ({marks}) AND (lock_expiration IS NULL OR lock_expiration <= ?) "
             "AND suspension_state = 1 AND (retries IS NULL OR retries > 0)")
    sql = f"{ExternalTask.select_sql} WHERE {where} ORDER BY {', '.join(order)} LIMIT ?"
    params: list[Any] = [*by_name, ctx.now, max_tasks * 4 + 16]
    if ctx.session.dialect == POSTGRES:
        sql += " FOR UPDATE SKIP LOCKED"
    out: list[Locked] = []
    for row in ctx.session.query(sql, params):
        task = ctx.uow._adopt(ExternalTask, row)  # noqa: SLF001 - the same identity map
        topic = next((t for t in by_name[task.topic_name] if _matches(ctx, task, t)), None)
        if topic is None:
            continue
        task.worker_id = str(worker_id)
        task.lock_expiration = ctx.now + topic.lock_duration
        out.append(Locked(task, _variables(ctx, task, topic)))
        if len(out) >= max_tasks:
            break
    return out


def _variables(ctx: CommandContext, task: ExternalTask, topic: Topic) -> dict[str, TypedValue]:
    rt = ctx.runtime
    inst = rt.find_instance(task.proc_inst_id)
    if inst is None:
        return {}
    ex = inst.by_id.get(task.execution_id)
    if ex is None:
        return {}
    if topic.local_variables:
        values = {n: inst.value(v) for n, v in rt.local_variables(ex).items()}
    else:
        values = rt.visible_variables(ex)
    if topic.variables is not None:
        values = {n: v for n, v in values.items() if n in topic.variables}
    return values


def _locked_by(task: ExternalTask, worker_id: Any, verb: str) -> None:
    worker = None if worker_id is None else str(worker_id)
    if task.worker_id != worker:
        raise BadUserRequestError(
            f"External Task {task.id} cannot be {verb} by worker '{worker}'. It is locked by "
            f"worker '{task.worker_id}'.")


def _scope(ctx: CommandContext, task: ExternalTask) -> tuple[Any, Any]:
    inst = ctx.runtime.find_instance(task.proc_inst_id)
    ex = inst.by_id.get(task.execution_id) if inst is not None else None
    if inst is None or ex is None:
        raise EngineError(f"Execution {task.execution_id} of external task {task.id} is gone")
    return inst, ex


def _check_active(task: ExternalTask) -> None:
    if task.suspension_state != 1:
        raise EngineError(f"ExternalTask with id '{task.id}' is suspended")


def complete(ctx: CommandContext, task_id: str, worker_id: Any,
             variables: dict[str, TypedValue], local_variables: dict[str, TypedValue]) -> None:
    task = task_or_fail(ctx, task_id)
    _locked_by(task, worker_id, "completed")
    _check_active(task)
    rt = ctx.runtime
    inst, ex = _scope(ctx, task)
    for name, value in variables.items():
        rt.set_variable(ex, name, value)
    for name, value in local_variables.items():
        rt.set_variable_local(ex, name, value)
    rt.history.external_task_logged(task, 2)
    ctx.uow.remove(task)
    rt.signal(inst, ex)


def failure(ctx: CommandContext, task_id: str, worker_id: Any, message: str | None,
            details: str | None, retries: int, retry_timeout: int) -> None:
    task = task_or_fail(ctx, task_id)
    _locked_by(task, worker_id, "failed")
    rt = ctx.runtime
    task.error_message = message[:666] if message else message
    task.error_details = details
    task.retries = max(retries, 0)
    task.lock_expiration = ctx.now + max(retry_timeout, 0)
    rt.history.external_task_logged(task, 1)
    if task.retries == 0:
        inst, ex = _scope(ctx, task)
        rt.create_incident("failedExternalTask", task.error_message, ex, task.activity_id,
                           task.id)


def bpmn_error(ctx: CommandContext, task_id: str, worker_id: Any, code: str,
               message: str | None, variables: dict[str, TypedValue]) -> None:
    task = task_or_fail(ctx, task_id)
    _locked_by(task, worker_id, "reported a BPMN error")
    rt = ctx.runtime
    inst, ex = _scope(ctx, task)
    for name, value in variables.items():
        rt.set_variable(ex, name, value)
    rt.history.external_task_logged(task, 2)
    ctx.uow.remove(task)
    if not events.propagate(rt, inst, ex, "error", code, message):
        node = rt.node(inst, ex)
        scope = inst.parent(ex)
        rt.end_activity(inst, ex)
        rt.scope_may_end(inst, scope, node)
    rt.run()


def extend_lock(ctx: CommandContext, task_id: str, worker_id: Any, duration: int) -> None:
    task = task_or_fail(ctx, task_id)
    if task.lock_expiration is None or task.lock_expiration < ctx.now:
        raise BadUserRequestError(f"Cannot extend a lock that expired for external task "
                                  f"{task_id}")
    _locked_by(task, worker_id, "extended")
    task.lock_expiration = ctx.now + duration


def unlock(ctx: CommandContext, task_id: str) -> None:
    task = task_or_fail(ctx, task_id)
    task.worker_id = None
    task.lock_expiration = None
    ctx.runtime.notify("external_task", task.topic_name)


def set_retries(ctx: CommandContext, task_id: str, retries: int) -> None:
    task = task_or_fail(ctx, task_id)
    previous = task.retries
    task.retries = retries
    if previous == 0 and retries > 0:
        ctx.runtime.resolve_incidents(configuration=task.id)
        ctx.runtime.notify("external_task", task.topic_name)
    elif retries == 0 and previous != 0:
        _, ex = _scope(ctx, task)
        ctx.runtime.create_incident("failedExternalTask", task.error_message, ex,
                                    task.activity_id, task.id)


def set_priority(ctx: CommandContext, task_id: str, priority: int) -> None:
    task_or_fail(ctx, task_id).priority = priority


def get(ctx: CommandContext, task_id: str) -> ExternalTask | None:
    return ctx.uow.get(ExternalTask, task_id)


def definition_of(ctx: CommandContext, definition_id: str) -> ProcessDefinition | None:
    return ctx.uow.get(ProcessDefinition, definition_id)


def lock(ctx: CommandContext, task_id: str, worker_id: Any, duration: int) -> None:
    """Lock one task for a worker (``POST /external-task/{id}/lock``)."""
    task = task_or_fail(ctx, task_id)
    if task.lock_expiration is not None and task.lock_expiration > ctx.now and \
            task.worker_id != (None if worker_id is None else str(worker_id)):
        raise BadUserRequestError(f"External Task {task_id} cannot be locked by worker "
                                  f"'{worker_id}'. It is locked by worker '{task.worker_id}'.")
    task.worker_id = None if worker_id is None else str(worker_id)
    task.lock_expiration = ctx.now + duration


def set_retries_many(ctx: CommandContext, task_ids: list[str], retries: int) -> None:
    for task_id in task_ids:
        set_retries(ctx, task_id, retries)


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
