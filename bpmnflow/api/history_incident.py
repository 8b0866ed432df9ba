"""``/history/incident``: query historic incidents (open, resolved or deleted)."""

from __future__ import annotations

from typing import Any

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.incident import get_only
from bpmnflow.api.params import convert
from bpmnflow.services import job_queries
from bpmnflow.store.entities import HistoricIncident
from bpmnflow.store.query import Query

OPEN, RESOLVED, DELETED = 0, 1, 2


def historic_incident(hi: HistoricIncident, _: bool = True) -> dict[str, Any]:
    """Camunda's HistoricIncidentDto; ``open``/``resolved``/``deleted`` from one state column."""
    return {
        "id": hi.id, "processDefinitionKey": hi.proc_def_key,
        "processDefinitionId": hi.proc_def_id, "processInstanceId": hi.proc_inst_id,
        "executionId": hi.execution_id, "rootProcessInstanceId": hi.root_proc_inst_id,
        "createTime": date(hi.create_time), "endTime": date(hi.end_time),
        "removalTime": date(hi.removal_time), "incidentType": hi.incident_type,
        "activityId": hi.activity_id, "failedActivityId": hi.failed_activity_id,
        "causeIncidentId": hi.cause_incident_id,
        "rootCauseIncidentId": hi.root_cause_incident_id,
        "configuration": hi.configuration, "historyConfiguration": hi.history_configuration,
        "incidentMessage": hi.incident_message, "tenantId": hi.tenant_id,
        "jobDefinitionId": hi.job_def_id, "open": hi.incident_state == OPEN,
        "deleted": hi.incident_state == DELETED, "resolved": hi.incident_state == RESOLVED,
        "annotation": hi.annotation,
    }


def _build(params: dict[str, Any], from_url: bool = True) -> Query[Any]:
    return job_queries.build(job_queries.HISTORIC_INCIDENTS, params, convert)


routes = get_only(query_routes("/history/incident", _build, historic_incident))
