"""External task query filters and sort keys (``GET/POST /external-task``)."""

from __future__ import annotations

from bpmnflow.services.queries import Filter, QuerySpec, eq, flag, in_list, int_cmp, variables
from bpmnflow.store.entities import ExternalTask
from bpmnflow.store.query import NOW

_DEFINITION = "t.proc_def_id IN (SELECT d.id FROM bf_process_definition d WHERE d.name {} ?)"

SPEC = QuerySpec(
    ExternalTask,
    key_column="t.proc_def_key",
    filters={
        "externalTaskId": eq("id"), "externalTaskIdIn": in_list("id"),
        "topicName": eq("topic_name"), "workerId": eq("worker_id"),
        "locked": Filter("bool", lambda q, v: q.add(
            "t.lock_expiration IS NOT NULL AND t.lock_expiration > ?", NOW) if v else None),
        "notLocked": Filter("bool", lambda q, v: q.add(
            "(t.lock_expiration IS NULL OR t.lock_expiration <= ?)", NOW) if v else None),
        "withRetriesLeft": flag("(t.retries IS NULL OR t.retries > 0)"),
        "noRetriesLeft": flag("t.retries = 0"),
        "lockExpirationAfter": Filter("date", lambda q, v: q.compare("lock_expiration", ">", v)),
        "lockExpirationBefore": Filter("date", lambda q, v: q.compare("lock_expiration", "<",
                                                                       v)),
        "activityId": eq("activity_id"), "activityIdIn": in_list("activity_id"),
        "executionId": eq("execution_id"),
        "processInstanceId": eq("proc_inst_id"), "processInstanceIdIn": in_list("proc_inst_id"),
        "processDefinitionId": eq("proc_def_id"),
        "processDefinitionKey": eq("proc_def_key"),
        "processDefinitionKeyIn": in_list("proc_def_key"),
        "processDefinitionName": Filter("str", lambda q, v: q.add(_DEFINITION.format("="), v)),
        "processDefinitionNameLike": Filter("str", lambda q, v: q.add(
            _DEFINITION.format("LIKE") + " ESCAPE '\\'", v)),
        # variables of the task's process instance itself, as Camunda's processVariables
        "processVariables": variables("v.execution_id = t.proc_inst_id AND v.task_id IS NULL",
                                      "processVariables"),
        "tenantIdIn": in_list("tenant_id"),
        "active": flag("t.suspension_state = 1"), "suspended": flag("t.suspension_state = 2"),
        "priorityHigherThanOrEquals": int_cmp("priority", ">="),
        "priorityLowerThanOrEquals": int_cmp("priority", "<="),
    },
    sorts={"id": "t.id", "lockExpirationTime": "t.lock_expiration",
           "processInstanceId": "t.proc_inst_id", "processDefinitionId": "t.proc_def_id",
           "processDefinitionKey": "t.proc_def_key", "tenantId": "t.tenant_id",
           "taskPriority": "t.priority", "createTime": "t.create_time"},
)
