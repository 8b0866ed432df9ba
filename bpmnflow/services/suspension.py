"""Suspending and activating process definitions and process instances, now or at a date.

A suspended definition starts no instances; a suspended instance keeps its whole state but
nothing in it moves: its tasks cannot be completed, its jobs are not acquired, its external
tasks are not fetched and messages pass it by.  The checks live where the work happens (task
service, job acquisition, external task fetch, correlation, start); this module only flips the
state, on every row that carries it, in one bulk ``UPDATE`` per table.

The updates go straight to SQL, each bumping the row revision, as Camunda's bulk statements do:
an operator may suspend thousands of instances at once, and a command that loaded one of those
rows concurrently then fails on its revision instead of overwriting the new state.

A suspension planned for a later date (``executionDate``) is a timer job of its own, so it
survives restarts and runs on whichever node acquires it (its handlers register with
``jobs.handlers``, which ``services.jobs.execute_job`` dispatches to).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import orjson

from bpmnflow.errors import BadUserRequestError, EngineError
from bpmnflow.jobs.handlers import register
from bpmnflow.runtime import waiting
from bpmnflow.services import operation_log
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import ACTIVE, SUSPENDED, Job
from bpmnflow.store.query import Query

# Camunda's job handler types for a planned definition suspension (TimerSuspend/Activate...).
SUSPEND_DEFINITION = "suspend-processdefinition"
ACTIVATE_DEFINITION = "activate-processdefinition"
_CHUNK = 500  # ids per IN list: far below every driver's bound-parameter limit


@dataclass(frozen=True)
class DefinitionSelection:
    """One definition by id, or every version of a key (of one tenant, of none, or of all)."""

    definition_id: str | None = None
    key: str | None = None
    tenant_id: str | None = None
    tenant_set: bool = False

    def where(self, key_column: str = "def_key", id_column: str = "id") -> tuple[str, list[Any]]:
        if self.definition_id is not None:
            return f"{id_column} = ?", [self.definition_id]
        if not self.tenant_set:
            return f"{key_column} = ?", [self.key]
        if self.tenant_id is None:
            return f"{key_column} = ? AND tenant_id IS NULL", [self.key]
        return f"{key_column} = ? AND tenant_id = ?", [self.key, self.tenant_id]


@dataclass(frozen=True)
class InstanceSelection:
    """One instance, or every instance of a definition (by id, or by key and tenant)."""

    instance_id: str | None = None
    definition: DefinitionSelection | None = None

    def where(self) -> tuple[str, list[Any]]:
        """A condition on any runtime row carrying proc_inst_id / proc_def_id / proc_def_key."""
        if self.instance_id is not None:
            return "proc_inst_id = ?", [self.instance_id]
        assert self.definition is not None
        return self.definition.where("proc_def_key", "proc_def_id")


# -- process instances -------------------------------------------------------------------------
_INSTANCE_TABLES = ("bf_execution", "bf_task", "bf_external_task", "bf_job")


def set_instance_state(ctx: CommandContext, selection: InstanceSelection,
                       suspended: bool) -> None:
    """Suspend or activate every execution, task, external task and job the selection holds,
    and mark the historic instances ``SUSPENDED`` / ``ACTIVE``."""
    where, params = selection.where()
    _update_rows(ctx, where, params, suspended)
    _log(ctx, "Suspend" if suspended else "Activate", "ProcessInstance", suspended,
         proc_inst_id=selection.instance_id,
         proc_def_id=selection.definition.definition_id if selection.definition else None,
         proc_def_key=selection.definition.key if selection.definition else None)


def set_instances_state(ctx: CommandContext, ids: Iterable[str | None], suspended: bool) -> None:
    """The group operation: every instance named (by id or by a query), one by one."""
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise BadUserRequestError("No process instance ids given: Process Instance ids is empty")
    if any(i is None for i in unique):
        raise BadUserRequestError("Cannot be null.: Process Instance ids is null")
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start:start + _CHUNK]
        marks = ", ".join("?" for _ in chunk)
        _update_rows(ctx, f"proc_inst_id IN ({marks})", chunk, suspended)
    # Camunda logs the group operation once, as a job suspension with the instance count.
    _log(ctx, "SuspendJob" if suspended else "ActivateJob", "ProcessInstance", None,
         extra=[("nrOfInstances", None, len(unique)), ("async", None, False)])


def set_group_state(ctx: CommandContext, ids: list[str], queries: list[Query[Any]],
                    suspended: bool) -> None:
    """``processInstanceIds`` plus what the runtime and historic queries select, together."""
    set_instances_state(ctx, [*ids, *instance_ids(ctx, queries)], suspended)


def _update_rows(ctx: CommandContext, where: str, params: list[Any], suspended: bool) -> None:
    state = SUSPENDED if suspended else ACTIVE
    session = ctx.session
    history = ctx.engine.config.engine.history_level != "none"
    if history:  # before the executions change: the instances are found by their root rows
        session.execute(
            "UPDATE bf_hi_procinst SET state = ? WHERE end_time IS NULL AND id IN "
            f"(SELECT id FROM bf_execution WHERE parent_id IS NULL AND {where})",
            [("SUSPENDED" if suspended else "ACTIVE"), *params])
    for table in _INSTANCE_TABLES:
        session.execute(f"UPDATE {table} SET suspension_state = ?, rev = rev + 1 WHERE {where}",
                        [state, *params])
    if not suspended:  # work that was held back may be picked up again
        ctx.runtime.notify("job", None)
        ctx.runtime.notify("external_task", None)


def instance_ids(ctx: CommandContext, queries: Iterable[Query[Any]]) -> list[str]:
    """The ids a runtime or historic process instance query selects (both key on ``id``)."""
    out: list[str] = []
    for query in queries:
        out.extend(row.id for row in query.list(ctx.session, now=ctx.now))
    return out


# -- process definitions -----------------------------------------------------------------------
def set_definition_state(ctx: CommandContext, selection: DefinitionSelection, suspended: bool,
                         include_instances: bool = False,
                         execution_ms: int | None = None) -> None:
    """Suspend or activate definitions (with their job definitions, and with
    ``include_instances`` their instances), or plan it for ``execution_ms``."""
    _log(ctx, "SuspendProcessDefinition" if suspended else "ActivateProcessDefinition",
         "ProcessDefinition", suspended, [("includeProcessInstances", None, include_instances)],
         proc_def_id=selection.definition_id, proc_def_key=selection.key)
    if execution_ms is not None:
        _plan(ctx, selection, suspended, include_instances, execution_ms)
        return
    apply_definition_state(ctx, selection, suspended, include_instances)


def apply_definition_state(ctx: CommandContext, selection: DefinitionSelection,
                           suspended: bool, include_instances: bool) -> None:
    state = SUSPENDED if suspended else ACTIVE
    where, params = selection.where()
    ids = [row[0] for row in ctx.session.query(
        f"SELECT id FROM bf_process_definition WHERE {where}", params)]
    if not ids:
        return  # as Camunda: an update that matches nothing is no error
    ctx.session.execute(
        f"UPDATE bf_process_definition SET suspension_state = ?, rev = rev + 1 WHERE {where}",
        [state, *params])
    job_where, job_params = selection.where("proc_def_key", "proc_def_id")
    ctx.session.execute(
        f"UPDATE bf_job_definition SET suspension_state = ?, rev = rev + 1 WHERE {job_where}",
        [state, *job_params])
    if include_instances:
        _update_rows(ctx, job_where, job_params, suspended)
    cache = ctx.engine.definitions
    ctx.post_commit.extend((lambda i=i: cache.evict(i)) for i in ids)


def _plan(ctx: CommandContext, selection: DefinitionSelection, suspended: bool,
          include_instances: bool, execution_ms: int) -> Job:
    cfg = orjson.dumps({**asdict(selection), "includeProcessInstances": include_instances})
    handler = SUSPEND_DEFINITION if suspended else ACTIVATE_DEFINITION
    return waiting.new_job(ctx.runtime, None, None, handler, cfg.decode(),
                           due_date=execution_ms, job_type="timer")


@register(SUSPEND_DEFINITION)
def run_planned_suspension(ctx: CommandContext, job: Job) -> None:
    """The job of a planned suspension: the change happens now, on the selection it names."""
    _run_planned(ctx, job, True)


@register(ACTIVATE_DEFINITION)
def run_planned_activation(ctx: CommandContext, job: Job) -> None:
    _run_planned(ctx, job, False)


def _run_planned(ctx: CommandContext, job: Job, suspended: bool) -> None:
    try:
        cfg = orjson.loads(job.handler_cfg or "")
        include = bool(cfg.pop("includeProcessInstances", False))
        selection = DefinitionSelection(**cfg)
    except (orjson.JSONDecodeError, TypeError) as exc:
        raise EngineError(f"Invalid configuration of job {job.id}: {exc}") from None
    apply_definition_state(ctx, selection, suspended, include)


# -- user operation log --------------------------------------------------------------------------
def _log(ctx: CommandContext, operation: str, entity: str, suspended: bool | None,
         extra: list[tuple[str, Any, Any]] | None = None, **refs: str | None) -> None:
    """One entry per operation, as Camunda writes it: Suspend/Activate (instances),
    SuspendProcessDefinition/ActivateProcessDefinition, SuspendJob/ActivateJob (the group
    operation); property ``suspensionState`` null -> suspended/active, plus ``extra``."""
    changes = [operation_log.Change(*change) for change in extra or []]
    if suspended is not None:
        changes.insert(0, operation_log.Change(
            "suspensionState", None, "suspended" if suspended else "active"))
    operation_log.write(ctx, operation, entity, operation_log.OPERATOR, changes,
                        **{k: v for k, v in refs.items() if v is not None})


__all__ = ["ACTIVATE_DEFINITION", "DefinitionSelection", "InstanceSelection",
           "SUSPEND_DEFINITION", "apply_definition_state", "instance_ids",
           "run_planned_activation", "run_planned_suspension", "set_definition_state",
           "set_group_state", "set_instance_state", "set_instances_state"]
