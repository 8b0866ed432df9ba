"""Query specs for jobs, job definitions, incidents and their history (Camunda's filter names).

Each spec maps a Camunda query parameter to a parameterised SQL condition; ``build`` adds the
parameters that depend on each other (``tenantIdIn`` with ``include…WithoutTenantId``,
``timers`` with ``messages``) before the common query builder sees the rest.
"""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import InvalidRequestError
from bpmnflow.services.queries import (
    Converter,
    Filter,
    QuerySpec,
    date_cmp,
    eq,
    flag,
    in_list,
    int_cmp,
    like,
)
from bpmnflow.services.queries import build as build_query
from bpmnflow.store.entities import (
    HistoricExternalTaskLog,
    HistoricIncident,
    HistoricJobLog,
    Incident,
    Job,
    JobDefinition,
)
from bpmnflow.store.query import NOW, Query
from bpmnflow.variables.dates import parse_date

__all__ = ["JOBS", "JOB_DEFINITIONS", "INCIDENTS", "HISTORIC_INCIDENTS", "HISTORIC_JOB_LOGS",
           "HISTORIC_EXTERNAL_TASK_LOGS", "build"]


# -- condition lists: dueDates / createTimes -----------------------------------------------------
def _conditions(name: str, raw: Any) -> list[tuple[str, str]]:
    """``gt_<date>,lt_<date>`` (URL) or ``[{"operator": "gt", "value": <date>}]`` (JSON)."""
    if isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
        return [(str(item.get("operator")), str(item.get("value"))) for item in raw]
    parts = raw if isinstance(raw, list) else str(raw).split(",")
    out = []
    for part in parts:
        op, sep, value = str(part).partition("_")
        if not sep:
            raise InvalidRequestError(400, f"Cannot set query parameter '{name}' to value "
                                           f"'{raw}'")
        out.append((op, value))
    return out


def _date_conditions(column: str, label: str) -> Filter:
    """Camunda's ``ApplyDates``: ``gt`` is strictly after, ``lt`` strictly before."""
    def apply(q: Query[Any], raw: Any) -> None:
        for op, value in _conditions(label, raw):
            try:
                when = int(parse_date(value).timestamp() * 1000)
            except (ValueError, TypeError):
                raise InvalidRequestError(
                    400, f"Invalid {label} format: Cannot convert value {value} to java type "
                         "java.util.Date") from None
            if op not in ("gt", "lt"):
                raise InvalidRequestError(400, f"Invalid {label} comparator specified: {op}")
            q.add(f"t.{column} {'>' if op == 'gt' else '<'} ?", when)
    return Filter("raw", apply)


def _in_subquery(sql: str) -> Filter:
    """``t.<column> IN (SELECT … IN (<values>))`` for filters that name another table's key."""
    def apply(q: Query[Any], values: list[str]) -> None:
        if values:
            marks = ", ".join("?" for _ in values)
            q.add(sql.format(marks=marks), *values)
    return Filter("list", apply)


_DEFINITION_KEYS = "t.proc_def_id IN (SELECT d.id FROM bf_process_definition d " \
                   "WHERE d.def_key IN ({marks}))"
_LOCKED = "t.lock_expiration IS NOT NULL AND t.lock_expiration > ?"


# -- jobs -----------------------------------------------------------------------------------------
JOBS = QuerySpec(
    Job,
    key_column="t.proc_def_key",
    filters={
        "jobId": eq("id"), "jobIds": in_list("id"),
        "jobDefinitionId": eq("job_def_id"),
        "processInstanceId": eq("proc_inst_id"), "processInstanceIds": in_list("proc_inst_id"),
        "executionId": eq("execution_id"),
        "processDefinitionId": eq("proc_def_id"), "processDefinitionKey": eq("proc_def_key"),
        "activityId": eq("activity_id"),
        "withRetriesLeft": flag("t.retries > 0"),
        "executable": Filter("bool", lambda q, v: q.add(
            "t.retries > 0 AND (t.due_date IS NULL OR t.due_date <= ?)", NOW) if v else None),
        "timers": flag("t.type = 'timer'"), "messages": flag("t.type = 'message'"),
        "dueDates": _date_conditions("due_date", "due date"),
        "createTimes": _date_conditions("create_time", "create time"),
        "withException": flag("t.exception_message IS NOT NULL"),
        "exceptionMessage": eq("exception_message"),
        "failedActivityId": eq("failed_activity_id"),
        "noRetriesLeft": flag("t.retries = 0"),
        "active": flag("t.suspension_state = 1"), "suspended": flag("t.suspension_state = 2"),
        "priorityLowerThanOrEquals": int_cmp("priority", "<="),
        "priorityHigherThanOrEquals": int_cmp("priority", ">="),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
        "acquired": Filter("bool", lambda q, v: q.add(_LOCKED, NOW) if v else None),
    },
    sorts={"jobId": "t.id", "executionId": "t.execution_id",
           "processInstanceId": "t.proc_inst_id", "processDefinitionId": "t.proc_def_id",
           "processDefinitionKey": "t.proc_def_key", "jobPriority": "t.priority",
           "jobRetries": "t.retries", "jobDueDate": "t.due_date", "tenantId": "t.tenant_id"},
)

JOB_DEFINITIONS = QuerySpec(
    JobDefinition,
    key_column="t.proc_def_key",
    filters={
        "jobDefinitionId": eq("id"), "activityIdIn": in_list("activity_id"),
        "processDefinitionId": eq("proc_def_id"), "processDefinitionKey": eq("proc_def_key"),
        "jobType": eq("job_type"), "jobConfiguration": eq("job_configuration"),
        "active": flag("t.suspension_state = 1"), "suspended": flag("t.suspension_state = 2"),
        "withOverridingJobPriority": flag("t.priority IS NOT NULL"),
        "withoutTenantId": flag("t.tenant_id IS NULL"),
    },
    sorts={"jobDefinitionId": "t.id", "activityId": "t.activity_id",
           "processDefinitionId": "t.proc_def_id", "processDefinitionKey": "t.proc_def_key",
           "jobType": "t.job_type", "jobConfiguration": "t.job_configuration",
           "tenantId": "t.tenant_id"},
)

# -- incidents ------------------------------------------------------------------------------------
_INCIDENT_FILTERS: dict[str, Filter] = {
    "incidentId": eq("id"), "incidentType": eq("incident_type"),
    "incidentMessage": eq("incident_message"), "incidentMessageLike": like("incident_message"),
    "processDefinitionId": eq("proc_def_id"), "processDefinitionKeyIn": _in_subquery(
        _DEFINITION_KEYS),
    "processInstanceId": eq("proc_inst_id"), "executionId": eq("execution_id"),
    "activityId": eq("activity_id"), "failedActivityId": eq("failed_activity_id"),
    "causeIncidentId": eq("cause_incident_id"),
    "rootCauseIncidentId": eq("root_cause_incident_id"),
    "configuration": eq("configuration"), "tenantIdIn": in_list("tenant_id"),
    "jobDefinitionIdIn": in_list("job_def_id"),
}
_INCIDENT_SORTS = {
    "incidentId": "t.id", "incidentMessage": "t.incident_message",
    "incidentType": "t.incident_type", "executionId": "t.execution_id",
    "activityId": "t.activity_id", "processInstanceId": "t.proc_inst_id",
    "processDefinitionId": "t.proc_def_id", "causeIncidentId": "t.cause_incident_id",
    "rootCauseIncidentId": "t.root_cause_incident_id", "configuration": "t.configuration",
    "tenantId": "t.tenant_id",
}

INCIDENTS = QuerySpec(
    Incident,
    key_column="(SELECT p.def_key FROM bf_process_definition p WHERE p.id = t.proc_def_id)",
    filters={**_INCIDENT_FILTERS,
             "incidentTimestampBefore": date_cmp("incident_timestamp", "<"),
             "incidentTimestampAfter": date_cmp("incident_timestamp", ">")},
    sorts={**_INCIDENT_SORTS, "incidentTimestamp": "t.incident_timestamp"},
    default_order=(("t.incident_timestamp", False), ("t.id", False)),
)

HISTORIC_INCIDENTS = QuerySpec(
    HistoricIncident,
    key_column="t.proc_def_key",
    filters={**_INCIDENT_FILTERS,
             "processDefinitionKey": eq("proc_def_key"),
             "processDefinitionKeyIn": in_list("proc_def_key"),
             "createTimeBefore": date_cmp("create_time", "<"),
             "createTimeAfter": date_cmp("create_time", ">"),
             "endTimeBefore": date_cmp("end_time", "<"),
             "endTimeAfter": date_cmp("end_time", ">"),
             "historyConfiguration": eq("history_configuration"),
             "open": flag("t.incident_state = 0"), "resolved": flag("t.incident_state = 1"),
             "deleted": flag("t.incident_state = 2"),
             "withoutTenantId": flag("t.tenant_id IS NULL")},
    sorts={**_INCIDENT_SORTS, "createTime": "t.create_time", "endTime": "t.end_time",
           "processDefinitionKey": "t.proc_def_key",
           "historyConfiguration": "t.history_configuration",
           "incidentState": "t.incident_state"},
    default_order=(("t.create_time", False), ("t.id", False)),
)

# -- historic logs --------------------------------------------------------------------------------
HISTORIC_JOB_LOGS = QuerySpec(
    HistoricJobLog,
    key_column="t.proc_def_key",
    filters={
        "logId": eq("id"), "jobId": eq("job_id"),
        "jobExceptionMessage": eq("job_exception_msg"),
        "jobDefinitionId": eq("job_def_id"), "jobDefinitionType": eq("job_def_type"),
        "jobDefinitionConfiguration": eq("job_def_configuration"),
        "activityIdIn": in_list("activity_id"),
        "failedActivityIdIn": in_list("failed_activity_id"),
        "executionIdIn": in_list("execution_id"),
        "processInstanceId": eq("proc_inst_id"), "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"), "deploymentId": eq("deployment_id"),
        "tenantIdIn": in_list("tenant_id"), "withoutTenantId": flag("t.tenant_id IS NULL"),
        "hostname": eq("hostname"),
        "jobPriorityLowerThanOrEquals": int_cmp("job_priority", "<="),
        "jobPriorityHigherThanOrEquals": int_cmp("job_priority", ">="),
        "creationLog": flag("t.job_state = 0"), "failureLog": flag("t.job_state = 1"),
        "successLog": flag("t.job_state = 2"), "deletionLog": flag("t.job_state = 3"),
    },
    sorts={"timestamp": "t.timestamp", "jobId": "t.job_id",
           "jobDefinitionId": "t.job_def_id", "jobDueDate": "t.job_due_date",
           "jobRetries": "t.job_retries", "jobPriority": "t.job_priority",
           "activityId": "t.activity_id", "executionId": "t.execution_id",
           "processInstanceId": "t.proc_inst_id", "processDefinitionId": "t.proc_def_id",
           "processDefinitionKey": "t.proc_def_key", "deploymentId": "t.deployment_id",
           "hostname": "t.hostname", "occurrence": "t.seq", "tenantId": "t.tenant_id"},
    default_order=(("t.seq", False),),
)

HISTORIC_EXTERNAL_TASK_LOGS = QuerySpec(
    HistoricExternalTaskLog,
    key_column="t.proc_def_key",
    filters={
        "logId": eq("id"), "externalTaskId": eq("ext_task_id"), "topicName": eq("topic_name"),
        "workerId": eq("worker_id"), "errorMessage": eq("error_msg"),
        "activityIdIn": in_list("activity_id"),
        "activityInstanceIdIn": in_list("activity_instance_id"),
        "executionIdIn": in_list("execution_id"),
        "processInstanceId": eq("proc_inst_id"), "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        "tenantIdIn": in_list("tenant_id"), "withoutTenantId": flag("t.tenant_id IS NULL"),
        "priorityLowerThanOrEquals": int_cmp("priority", "<="),
        "priorityHigherThanOrEquals": int_cmp("priority", ">="),
        "creationLog": flag("t.state = 0"), "failureLog": flag("t.state = 1"),
        "successLog": flag("t.state = 2"), "deletionLog": flag("t.state = 3"),
    },
    sorts={"timestamp": "t.timestamp", "externalTaskId": "t.ext_task_id",
           "topicName": "t.topic_name", "workerId": "t.worker_id", "retries": "t.retries",
           "priority": "t.priority", "activityId": "t.activity_id",
           "activityInstanceId": "t.activity_instance_id", "executionId": "t.execution_id",
           "processInstanceId": "t.proc_inst_id", "processDefinitionId": "t.proc_def_id",
           "processDefinitionKey": "t.proc_def_key", "tenantId": "t.tenant_id"},
    default_order=(("t.seq", False),),
)


def _include_param(spec: QuerySpec) -> str | None:
    """The flag that, with ``tenantIdIn``, also admits rows without a tenant."""
    if spec is JOBS:
        return "includeJobsWithoutTenantId"
    if spec is JOB_DEFINITIONS:
        return "includeJobDefinitionsWithoutTenantId"
    return None


def build(spec: QuerySpec, params: dict[str, Any], convert: Converter) -> Query[Any]:
    """The spec's query, its default order kept as a tie-breaker so that paging is stable."""
    rest = dict(params)
    tenants = None
    include_param = _include_param(spec)
    include = None
    if include_param is not None:
        _check_timer_message(spec, rest, convert)
        tenants = rest.pop("tenantIdIn", None)
        include = rest.pop(include_param, None)
    query = build_query(spec, rest, convert)
    if tenants is not None:
        _tenant_clause(query, convert("list", "tenantIdIn", tenants),
                       include is not None and convert("bool", str(include_param), include))
    for expression, descending in spec.default_order:
        if not any(term.startswith(expression + " ") for term in query.order):
            query.order.append(f"{expression} {'DESC' if descending else 'ASC'}")
    return query


def _tenant_clause(query: Query[Any], tenants: list[str], include_none: bool) -> None:
    if not tenants:
        if not include_none:
            query.empty = True
        return
    marks = ", ".join("?" for _ in tenants)
    clause = f"t.tenant_id IN ({marks})"
    query.add(f"({clause} OR t.tenant_id IS NULL)" if include_none else clause, *tenants)


def _check_timer_message(spec: QuerySpec, params: dict[str, Any], convert: Converter) -> None:
    """Camunda's JobQueryDto refuses ``timers`` and ``messages`` together."""
    if spec is not JOBS:
        return
    timers = params.get("timers") is not None and convert("bool", "timers", params["timers"])
    messages = params.get("messages") is not None and convert("bool", "messages",
                                                              params["messages"])
    if timers and messages:
        raise InvalidRequestError(
            400, "Parameter timers cannot be used together with parameter messages.")
