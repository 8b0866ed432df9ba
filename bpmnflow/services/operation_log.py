"""The user operation log: who changed what, and every attempt the security rules refused.

Camunda's ``ACT_HI_OP_LOG``, read through ``GET /history/user-operation``: one row per changed
property, the rows of one operation sharing an ``operation_id``.  Any command may write an
entry with :func:`write`; the acting user comes from the command context or, for commands run
on behalf of a REST request, from :data:`actor`, which the security middleware sets per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from bpmnflow.errors import BadUserRequestError
from bpmnflow.runtime.ids import new_id, next_seq
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import Filter, QuerySpec, date_cmp, eq, in_list
from bpmnflow.store.identity_entities import OperationLogEntry

# Camunda's categories (``UserOperationLogEntry.CATEGORY_*``)
ADMIN = "Admin"
OPERATOR = "Operator"
TASK_WORKER = "TaskWorker"

# Written for a request that the security rules refused (not one of Camunda's operation types:
# Camunda has no such entry, bpmnflow's audit needs one).
ACCESS_DENIED = "AccessDenied"

REFS = ("deployment_id", "proc_def_id", "proc_def_key", "proc_inst_id", "execution_id",
        "task_id", "external_task_id", "batch_id", "job_id", "job_def_id", "root_proc_inst_id")


@dataclass
class Actor:
    """The user a request runs for; ``wrote`` tells the middleware a command logged already."""

    user_id: str | None
    wrote: bool = False


actor: ContextVar[Actor | None] = ContextVar("bpmnflow_actor", default=None)


@dataclass(frozen=True)
class Change:
    """One property of an operation: its value before and after (strings, as Camunda stores)."""

    property: str | None
    org_value: Any = None
    new_value: Any = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def current_user(ctx: CommandContext | None = None) -> str | None:
    if ctx is not None and ctx.user_id is not None:
        return ctx.user_id
    who = actor.get()
    return who.user_id if who is not None else None


def write(ctx: CommandContext, operation_type: str, entity_type: str, category: str,
          changes: Iterable[Change] = (), *, user_id: str | None = None,
          **refs: str | None) -> str:
    """Add the entries of one operation to the command's unit of work; returns its id.

    ``refs`` name the entities touched (``proc_inst_id=…``, ``proc_def_key=…``: see ``REFS``),
    so that the entries show up in the history of what they touched.
    """
    unknown = set(refs) - set(REFS)
    if unknown:
        raise ValueError(f"unknown operation log references: {sorted(unknown)}")
    operation_id = new_id()
    who = user_id if user_id is not None else current_user(ctx)
    for change in list(changes) or [Change(None)]:
        ctx.uow.add(OperationLogEntry(
            id=new_id(), operation_id=operation_id, operation_type=operation_type,
            entity_type=entity_type, category=category, user_id=who, timestamp=ctx.now,
            property=change.property, org_value=_text(change.org_value),
            new_value=_text(change.new_value), annotation=None,
            removal_time=None, seq=next_seq(),
            **{ref: refs.get(ref) for ref in REFS}))
    marker = actor.get()
    if marker is not None:
        marker.wrote = True
    return operation_id


def denied(ctx: CommandContext, user_id: str | None, request: str, entity_type: str,
           key: str | None = None) -> None:
    """Record a refused request (``METHOD /route``) with the workflow it aimed at, if known."""
    write(ctx, ACCESS_DENIED, entity_type, ADMIN, [Change("request", None, request)],
          user_id=user_id, proc_def_key=key)


def set_annotation(ctx: CommandContext, operation_id: str, annotation: str | None) -> None:
    """Camunda's set/clear annotation: every entry of the operation, itself logged."""
    entries = ctx.uow.select(OperationLogEntry, "operation_id = ?", (operation_id,))
    if not entries:
        raise BadUserRequestError(
            f"There is no user operation log entry with operation id '{operation_id}'")
    for entry in entries:
        entry.annotation = annotation
    kind = "SetAnnotation" if annotation is not None else "ClearAnnotation"
    first = entries[0]
    write(ctx, kind, "OperationLog", OPERATOR, [Change("operationId", None, operation_id)],
          proc_def_key=first.proc_def_key, proc_inst_id=first.proc_inst_id)


def _never(kind: str) -> Filter:
    """Case filters: bpmnflow runs no CMMN, so any value matches nothing."""
    return Filter(kind, lambda q, v: q.add("1 = 0") if v else None)


SPEC = QuerySpec(
    OperationLogEntry,
    key_column="t.proc_def_key",
    filters={
        "deploymentId": eq("deployment_id"), "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"), "processInstanceId": eq("proc_inst_id"),
        "executionId": eq("execution_id"), "taskId": eq("task_id"),
        "externalTaskId": eq("external_task_id"), "batchId": eq("batch_id"),
        "jobId": eq("job_id"), "jobDefinitionId": eq("job_def_id"), "userId": eq("user_id"),
        "operationId": eq("operation_id"), "operationType": eq("operation_type"),
        "entityType": eq("entity_type"), "entityTypeIn": in_list("entity_type"),
        "category": eq("category"), "categoryIn": in_list("category"),
        "property": eq("property"),
        "afterTimestamp": date_cmp("timestamp", ">"),
        "beforeTimestamp": date_cmp("timestamp", "<"),
        "caseDefinitionId": _never("str"), "caseInstanceId": _never("str"),
        "caseExecutionId": _never("str"),
    },
    sorts={"timestamp": "t.timestamp"},
    default_order=(("t.timestamp", False), ("t.seq", False)),
)
