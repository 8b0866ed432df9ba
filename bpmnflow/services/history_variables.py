"""Historic variable instances and historic details: queries, lookups and deletion.

Both tables hold typed values in the same columns as runtime variables; the REST layer decodes
them with ``bpmnflow.variables.from_columns``.
"""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import InvalidRequestError, NotFoundError
from bpmnflow.services import variable_filters
from bpmnflow.services.context import CommandContext
from bpmnflow.services.history import build_stable, lower_in, never
from bpmnflow.services.queries import (
    Converter,
    QuerySpec,
    date_cmp,
    eq,
    flag,
    in_list,
    like,
)
from bpmnflow.store.entities import (
    HistoricDetail,
    HistoricProcessInstance,
    HistoricVariableInstance,
)
from bpmnflow.store.query import Query

VARIABLE_INSTANCES = QuerySpec(
    HistoricVariableInstance,
    key_column="t.proc_def_key",
    filters={
        "variableName": eq("name"),
        "variableNameLike": like("name"),
        "variableNameIn": in_list("name"),
        "variableTypeIn": lower_in("var_type"),
        "processInstanceId": eq("proc_inst_id"),
        "processInstanceIdIn": in_list("proc_inst_id"),
        "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        "executionIdIn": in_list("execution_id"),
        "taskIdIn": in_list("task_id"),
        "activityInstanceIdIn": in_list("act_inst_id"),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        "caseInstanceId": never("str"), "caseExecutionIdIn": never("list"),
        "caseActivityIdIn": never("list"),
    },
    sorts={"instanceId": "t.proc_inst_id", "variableName": "t.name", "tenantId": "t.tenant_id"},
    default_order=(("t.create_time", False), ("t.id", False)),
)

_VALUE_WITHOUT_NAME = ("Only a single variable value parameter specified: variable name and "
                       "value are required to be able to query after a specific variable value.")


def variable_instance_query(params: dict[str, Any], convert: Converter,
                            from_url: bool) -> Query[Any]:
    """The query, plus the two rules a filter table cannot say.

    ``variableValue`` compares the value of the variable named by ``variableName`` (a URL
    value is text, a JSON value keeps its type), and deleted variables stay hidden unless
    ``includeDeleted`` is true.
    """
    query = build_stable(VARIABLE_INSTANCES, params, convert)
    if params.get("variableValue") is not None:
        name = params.get("variableName")
        if name is None:
            raise InvalidRequestError(400, _VALUE_WITHOUT_NAME)
        cond, values = variable_filters.condition("eq", params["variableValue"], from_url)
        query.add(f"EXISTS (SELECT 1 FROM bf_hi_varinst v WHERE v.id = t.id AND {cond})",
                  *values)
    include_deleted = params.get("includeDeleted")
    if include_deleted is None or not convert("bool", "includeDeleted", include_deleted):
        query.add("t.state = 'CREATED'")
    return query


DETAILS = QuerySpec(
    HistoricDetail,
    key_column="t.proc_def_key",
    filters={
        "processInstanceId": eq("proc_inst_id"),
        "processInstanceIdIn": in_list("proc_inst_id"),
        "executionId": eq("execution_id"),
        "taskId": eq("task_id"),
        "activityInstanceId": eq("act_inst_id"),
        "variableInstanceId": eq("var_inst_id"),
        "variableTypeIn": lower_in("var_type"),
        "variableNameLike": like("var_name"),
        "tenantIdIn": in_list("tenant_id"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        "userOperationId": eq("user_op_id"),
        "formFields": flag("t.type = 'formField'"),
        "variableUpdates": flag("t.type = 'variableUpdate'"),
        "excludeTaskDetails": flag("t.task_id IS NULL"),
        # TRUE literal: a BOOL column on PostgreSQL, 1/0 on SQLite (3.23+ knows both)
        "initial": flag("t.initial = TRUE"),
        "occurredBefore": date_cmp("time", "<="),
        "occurredAfter": date_cmp("time", ">="),
        "caseInstanceId": never("str"), "caseExecutionId": never("str"),
    },
    sorts={"processInstanceId": "t.proc_inst_id", "variableName": "t.var_name",
           "variableType": "t.var_type", "variableRevision": "t.revision",
           "formPropertyId": "t.field_id", "time": "t.time", "occurrence": "t.seq",
           "tenantId": "t.tenant_id"},
    default_order=(("t.time", False), ("t.seq", False)),
)


def detail_query(params: dict[str, Any], convert: Converter) -> Query[Any]:
    """``excludeTaskDetails`` only counts when no ``taskId`` asks for one task's details."""
    if params.get("taskId") is not None and "excludeTaskDetails" in params:
        params = {k: v for k, v in params.items() if k != "excludeTaskDetails"}
    return build_stable(DETAILS, params, convert)


# -- lookups -------------------------------------------------------------------------------------
def variable_instance(ctx: CommandContext, vid: str) -> HistoricVariableInstance | None:
    """None when unknown (deleted variables included: the id still names them)."""
    return ctx.uow.get(HistoricVariableInstance, vid)


def detail(ctx: CommandContext, detail_id: str) -> HistoricDetail | None:
    """None when unknown: the REST layer words Camunda's 404."""
    return ctx.uow.get(HistoricDetail, detail_id)


# -- deletion ------------------------------------------------------------------------------------
def delete_variable_instance(ctx: CommandContext, vid: str) -> None:
    """Forget one historic variable with all its recorded updates."""
    hi = ctx.uow.get(HistoricVariableInstance, vid)
    if hi is None:
        raise NotFoundError(f"No historic variable instance found with id: {vid}: variable is "
                            "null")
    ctx.session.execute("DELETE FROM bf_hi_detail WHERE var_inst_id = ?", (vid,))
    ctx.uow.remove(hi)


def delete_variables_of_instance(ctx: CommandContext, pid: str) -> None:
    """Forget every historic variable and detail of one process instance (running or not)."""
    if ctx.uow.get(HistoricProcessInstance, pid) is None:
        raise NotFoundError(f"No historic process instance found with id: {pid}: instance is "
                            "null")
    ctx.session.execute("DELETE FROM bf_hi_detail WHERE proc_inst_id = ?", (pid,))
    ctx.session.execute("DELETE FROM bf_hi_varinst WHERE proc_inst_id = ?", (pid,))
