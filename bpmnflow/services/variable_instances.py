"""Runtime variable instance queries: one row per stored variable, of any scope."""

from __future__ import annotations

from typing import Any

from bpmnflow.services import variable_filters
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import Filter, QuerySpec, eq, in_list, like
from bpmnflow.store.entities import Variable
from bpmnflow.store.query import Query


def _values(q: Query[Any], raw: Any) -> None:
    """``variableValues=name_op_value``: the variable itself has that name and such a value."""
    variable_filters.apply(q, variable_filters.parse("variableValues", raw), "v.id = t.id")


def _scope_ids(q: Query[Any], ids: list[str]) -> None:
    """A variable's scope is its task when it has one, else its execution."""
    if not ids:
        q.empty = True
        return
    marks = ", ".join("?" for _ in ids)
    q.add(f"(t.task_id IN ({marks}) OR (t.task_id IS NULL AND t.execution_id IN ({marks})))",
          *ids, *ids)


def _nothing(q: Query[Any], ids: list[str]) -> None:
    """Case executions and batches hold no variables here."""
    if ids:
        q.add("1 = 0")


SPEC = QuerySpec(
    Variable,
    key_column="(SELECT e.proc_def_key FROM bf_execution e WHERE e.id = t.proc_inst_id)",
    filters={
        "variableName": eq("name"),
        "variableNameLike": like("name"),
        "processInstanceIdIn": in_list("proc_inst_id"),
        "executionIdIn": in_list("execution_id"),
        "taskIdIn": in_list("task_id"),
        # an activity instance is an execution row here, so its id is the execution id
        "activityInstanceIdIn": in_list("execution_id"),
        "variableScopeIdIn": Filter("list", _scope_ids),
        "tenantIdIn": in_list("tenant_id"),
        "variableValues": Filter("raw", _values),
        "caseInstanceIdIn": Filter("list", _nothing),
        "caseExecutionIdIn": Filter("list", _nothing),
        "batchIdIn": Filter("list", _nothing),
    },
    sorts={"variableName": "t.name", "variableType": "t.var_type",
           "activityInstanceId": "t.execution_id", "tenantId": "t.tenant_id"},
    default_order=(("t.create_time", False), ("t.id", False)),
)


def get(ctx: CommandContext, variable_id: str) -> Variable | None:
    """None when unknown, or gone with the scope that held it."""
    return ctx.uow.get(Variable, variable_id)
