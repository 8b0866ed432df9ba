"""Deleting process instances and process definitions (and, with ``cascade``, their history).

Instances are ended through the runtime, so every activity is cancelled as Camunda cancels it:
tasks, jobs, subscriptions and external tasks go with their activities, called instances are
deleted with their caller, history records ``EXTERNALLY_TERMINATED``.  Deleting a called
instance cancels the call activity that waits for it, as Camunda's modification does.

Deleting a definition that is the newest version of its key makes the previous version the
newest again: its message, signal and timer start events listen again.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bpmnflow.errors import EngineError, NotFoundError
from bpmnflow.runtime import waiting
from bpmnflow.runtime.instance import Instance
from bpmnflow.runtime.runtime import Runtime
from bpmnflow.services import operation_log, start_events
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import EventSubscription, Execution, Job, ProcessDefinition

# Every history table that holds rows of one process instance (besides bf_hi_procinst itself).
# The user operation log stays when history is deleted (as in Camunda); only history cleanup,
# which removes whatever has outlived its time, takes an instance's log entries along.
HISTORY_TABLES = ("bf_hi_actinst", "bf_hi_taskinst", "bf_hi_varinst", "bf_hi_detail",
                  "bf_hi_incident", "bf_hi_job_log", "bf_hi_ext_task_log")
OPERATION_LOG = "bf_hi_op_log"
# History of a definition that belongs to no instance (timer start jobs, their incidents).
_DEFINITION_HISTORY = ("bf_hi_incident", "bf_hi_job_log")
_CHUNK = 500


# -- process instances ---------------------------------------------------------------------------
def delete_process_instance(ctx: CommandContext, proc_inst_id: str, reason: str | None = None,
                            *, skip_custom_listeners: bool = False,
                            skip_io_mappings: bool = False, skip_subprocesses: bool = False,
                            fail_if_not_exists: bool = True) -> None:
    """``DELETE /process-instance/{id}``: end one running instance from the outside."""
    inst = ctx.runtime.find_instance(proc_inst_id)
    if inst is None:
        if not fail_if_not_exists:
            return
        raise NotFoundError(f"No process instance found for id '{proc_inst_id}': "
                            "processInstance is null")
    end_instance(ctx, inst, reason, "EXTERNALLY_TERMINATED", skip_custom_listeners,
                 skip_io_mappings, skip_subprocesses)
    _log(ctx, "Delete", "ProcessInstance", [], proc_inst_id=proc_inst_id,
         proc_def_id=inst.definition.id, proc_def_key=inst.definition.def_key)


def end_instance(ctx: CommandContext, inst: Instance, reason: str | None, state: str,
                 skip_custom_listeners: bool = False, skip_io_mappings: bool = False,
                 skip_subprocesses: bool = False) -> None:
    """End a running instance with the given history ``state``, and cancel what called it."""
    rt = ctx.runtime
    if skip_subprocesses:
        _detach_called_instances(ctx, inst)
    with _skipping(rt, skip_custom_listeners, skip_io_mappings):
        rt.end_process(inst, state, None, reason, canceled=True)
        _cancel_caller(rt, inst, reason)


@contextmanager
def _skipping(rt: Runtime, listeners: bool, io: bool) -> Iterator[None]:
    """Skip custom listeners / input-output mappings for this deletion only."""
    before = rt.skip_listeners, rt.skip_io
    rt.skip_listeners, rt.skip_io = before[0] or listeners, before[1] or io
    try:
        yield
    finally:
        rt.skip_listeners, rt.skip_io = before


def _detach_called_instances(ctx: CommandContext, inst: Instance) -> None:
    """``skipSubprocesses``: instances called from this one keep running, on their own."""
    ids = list(inst.by_id)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        ctx.session.execute(
            f"UPDATE bf_execution SET super_exec_id = NULL, rev = rev + 1 "
            f"WHERE super_exec_id IN ({marks})", chunk)


def _cancel_caller(rt: Runtime, inst: Instance, reason: str | None) -> None:
    """A deleted called instance takes its call activity with it; a caller left without any
    activity ends too (``INTERNALLY_TERMINATED``), and so on up the call chain."""
    super_id = inst.root.super_exec_id
    if not super_id:
        return
    row = rt.uow.get(Execution, super_id)
    caller = rt.find_instance(row.proc_inst_id) if row is not None else None
    ex = caller.by_id.get(super_id) if caller is not None else None
    if caller is None or ex is None:
        return
    scope = caller.parent(ex)
    rt.end_activity(caller, ex, canceled=True)
    while scope is not None and scope is not caller.root and not caller.children_of(scope):
        above = caller.parent(scope)
        rt.end_activity(caller, scope, canceled=True)
        scope = above
    if not caller.children_of(caller.root):
        rt.end_process(caller, "INTERNALLY_TERMINATED", None, reason, canceled=True)
        _cancel_caller(rt, caller, reason)


# -- process definitions ---------------------------------------------------------------------
def delete_definition(ctx: CommandContext, definition_id: str, cascade: bool = False,
                      skip_custom_listeners: bool = False,
                      skip_io_mappings: bool = False) -> None:
    """``DELETE /process-definition/{id}``: one version."""
    definition = ctx.uow.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFoundError(f"No process definition found with id '{definition_id}': "
                            "processDefinition is null")
    delete_definitions(ctx, [definition], cascade, skip_custom_listeners, skip_io_mappings)


def delete_definitions_by_key(ctx: CommandContext, key: str, tenant_id: str | None = None,
                              tenant_set: bool = False, cascade: bool = False,
                              skip_custom_listeners: bool = False,
                              skip_io_mappings: bool = False) -> None:
    """``DELETE /process-definition/key/{key}/delete``: every version of a key (of one
    tenant when ``tenant_set``, else of every tenant)."""
    where, params = "def_key = ?", [key]
    if tenant_set:
        where += " AND tenant_id = ?" if tenant_id is not None else " AND tenant_id IS NULL"
        params += [tenant_id] if tenant_id is not None else []
    found = ctx.uow.select(ProcessDefinition, f"{where} ORDER BY version DESC", params)
    if not found:
        raise NotFoundError(f"No process definition found with key '{key}': "
                            "processDefinitions is empty")
    delete_definitions(ctx, found, cascade, skip_custom_listeners, skip_io_mappings)


def delete_definitions(ctx: CommandContext, definitions: list[ProcessDefinition],
                       cascade: bool, skip_custom_listeners: bool = False,
                       skip_io_mappings: bool = False, log: bool = True,
                       reason: str = "deleted process definition") -> None:
    """Delete definitions grouped by key and tenant; re-arm the version that becomes newest."""
    groups: dict[tuple[str, str | None], list[ProcessDefinition]] = {}
    for definition in definitions:
        groups.setdefault((definition.def_key, definition.tenant_id), []).append(definition)
    for (key, tenant), group in groups.items():
        doomed = {d.id for d in group}
        successor = _successor(ctx, key, tenant, doomed)
        for definition in group:
            if log:
                _log(ctx, "Delete", "ProcessDefinition", [("cascade", False, cascade)],
                     proc_def_id=definition.id, proc_def_key=definition.def_key)
            _delete_one(ctx, definition, cascade, skip_custom_listeners, skip_io_mappings,
                        reason)
        if successor is not None:
            _, model = ctx.engine.definitions.get(successor.id)
            start_events.register(ctx, successor, model)


def _successor(ctx: CommandContext, key: str, tenant: str | None,
               doomed: set[str]) -> ProcessDefinition | None:
    """The version that becomes newest, if the newest one is among those deleted."""
    tenant_clause = "tenant_id = ?" if tenant is not None else "tenant_id IS NULL"
    params: list[Any] = [key] + ([tenant] if tenant is not None else [])
    versions = ctx.uow.select(ProcessDefinition,
                              f"def_key = ? AND {tenant_clause} ORDER BY version DESC", params)
    if not versions or versions[0].id not in doomed:
        return None
    return next((d for d in versions if d.id not in doomed), None)


def _delete_one(ctx: CommandContext, definition: ProcessDefinition, cascade: bool,
                skip_custom_listeners: bool, skip_io_mappings: bool, reason: str) -> None:
    rt = ctx.runtime
    running = [inst for inst in (rt.find_instance(pid) for pid in _root_ids(ctx, definition.id))
               if inst is not None]
    if running and not cascade:
        raise EngineError(
            f"ENGINE-03076 Deletion of process definition without cascading failed. Process "
            f"definition with id: {definition.id} can't be deleted, since there exists "
            f"{len(running)} dependening process instances.")
    for inst in running:
        if not inst.ended:  # a called instance may have gone with its caller meanwhile
            end_instance(ctx, inst, reason, "INTERNALLY_TERMINATED", skip_custom_listeners,
                         skip_io_mappings)
    _disarm(ctx, definition)
    if cascade:
        ctx.uow.flush()  # the runtime's last history rows first, then all of it goes
        delete_history(ctx, "proc_def_id = ?", [definition.id])
        for table in _DEFINITION_HISTORY:  # rows of the definition outside any instance
            ctx.session.execute(f"DELETE FROM {table} WHERE proc_def_id = ?", (definition.id,))
    ctx.session.execute("DELETE FROM bf_identity_link WHERE proc_def_id = ? AND task_id IS NULL",
                        (definition.id,))
    ctx.session.execute("DELETE FROM bf_job_definition WHERE proc_def_id = ?", (definition.id,))
    ctx.uow.remove(definition)
    cache = ctx.engine.definitions
    ctx.post_commit.append(lambda i=definition.id: cache.evict(i))


def _root_ids(ctx: CommandContext, definition_id: str) -> list[str]:
    return [row[0] for row in ctx.session.query(
        "SELECT id FROM bf_execution WHERE parent_id IS NULL AND proc_def_id = ? "
        "ORDER BY start_time, id", (definition_id,))]


def _disarm(ctx: CommandContext, definition: ProcessDefinition) -> None:
    """Start-event subscriptions and timer start jobs of the definition go with it."""
    for sub in ctx.uow.select(EventSubscription, "execution_id IS NULL AND proc_def_id = ?",
                              (definition.id,)):
        ctx.uow.remove(sub)
    for job in ctx.uow.select(Job, "handler_type = ? AND proc_def_id = ?",
                              (waiting.TIMER_START, definition.id)):
        ctx.runtime.history.job_deleted(job)
        ctx.uow.remove(job)


# -- history ---------------------------------------------------------------------------------
def delete_history(ctx: CommandContext, where: str, params: list[Any]) -> None:
    """Remove every historic row of the historic process instances ``where`` selects (a
    condition on ``bf_hi_procinst``), rows of their definition without instance included."""
    instances = f"SELECT id FROM bf_hi_procinst WHERE {where}"
    for table in HISTORY_TABLES:
        ctx.session.execute(f"DELETE FROM {table} WHERE proc_inst_id IN ({instances})", params)
    ctx.session.execute(f"DELETE FROM bf_hi_procinst WHERE {where}", params)


def delete_historic_instances(ctx: CommandContext, ids: list[str],
                              with_operation_log: bool = False) -> int:
    """Remove the whole history of these process instances (optionally with their user
    operation log entries); returns how many instances there were."""
    removed = 0
    tables = (*HISTORY_TABLES, OPERATION_LOG) if with_operation_log else HISTORY_TABLES
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        for table in tables:
            ctx.session.execute(f"DELETE FROM {table} WHERE proc_inst_id IN ({marks})", chunk)
        removed += ctx.session.execute(f"DELETE FROM bf_hi_procinst WHERE id IN ({marks})",
                                       chunk)
    return removed


# -- user operation log ----------------------------------------------------------------------
def log_deployment_deletion(ctx: CommandContext, deployment_id: str, cascade: bool) -> None:
    _log(ctx, "Delete", "Deployment", [("cascade", False, cascade)], deployment_id=deployment_id)


def _log(ctx: CommandContext, operation: str, entity: str,
         changes: list[tuple[str, Any, Any]], **refs: str | None) -> None:
    """One entry per operation, as Camunda writes it: ``Delete`` of a ProcessInstance (no
    property), a ProcessDefinition or a Deployment (property ``cascade``: false -> flag)."""
    operation_log.write(ctx, operation, entity, operation_log.OPERATOR,
                        [operation_log.Change(*change) for change in changes], **refs)


__all__ = ["HISTORY_TABLES", "delete_definition", "delete_definitions",
           "delete_definitions_by_key", "delete_history", "delete_historic_instances",
           "delete_process_instance", "end_instance", "log_deployment_deletion"]
