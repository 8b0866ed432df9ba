"""``/history/job-log``: the log of every job's creation, failures, success and deletion."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import convert
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import query
from bpmnflow.errors import InvalidRequestError
from bpmnflow.services import job_queries
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import HistoricJobLog
from bpmnflow.store.query import Query

CREATED, FAILED, SUCCESSFUL, DELETED = 0, 1, 2, 3


def historic_job_log(e: HistoricJobLog, _: bool = True) -> dict[str, Any]:
    """Camunda's HistoricJobLogDto; the four ``…Log`` flags come from one state column."""
    return {
        "id": e.id, "timestamp": date(e.timestamp), "removalTime": date(e.removal_time),
        "jobId": e.job_id, "jobDueDate": date(e.job_due_date), "jobRetries": e.job_retries,
        "jobPriority": e.job_priority, "jobExceptionMessage": e.job_exception_msg,
        "failedActivityId": e.failed_activity_id, "jobDefinitionId": e.job_def_id,
        "jobDefinitionType": e.job_def_type,
        "jobDefinitionConfiguration": e.job_def_configuration, "activityId": e.activity_id,
        "executionId": e.execution_id, "processInstanceId": e.proc_inst_id,
        "processDefinitionId": e.proc_def_id, "processDefinitionKey": e.proc_def_key,
        "deploymentId": e.deployment_id, "rootProcessInstanceId": e.root_proc_inst_id,
        "tenantId": e.tenant_id, "hostname": e.hostname, "batchId": None,
        "creationLog": e.job_state == CREATED, "failureLog": e.job_state == FAILED,
        "successLog": e.job_state == SUCCESSFUL, "deletionLog": e.job_state == DELETED,
    }


def _build(params: dict[str, Any], from_url: bool = True) -> Query[Any]:
    return job_queries.build(job_queries.HISTORIC_JOB_LOGS, params, convert)


def _get(ctx: CommandContext, log_id: str) -> HistoricJobLog | None:
    return ctx.uow.get(HistoricJobLog, log_id)


async def get_log(request: Request) -> Response:
    log_id = request.path_params["id"]
    found = await query(request, _get, log_id)
    if found is None:
        raise InvalidRequestError(404, f"Historic job log with id {log_id} does not exist")
    return json(historic_job_log(found))


async def stacktrace(request: Request) -> Response:
    log_id = request.path_params["id"]
    found = await query(request, _get, log_id)
    if found is None:
        raise InvalidRequestError(404, f"No historic job log found with id {log_id}: "
                                       "historicJobLog is null")
    if found.job_exception_stack is None:  # a null String: JAX-RS answers 204
        return no_content()
    return Response(found.job_exception_stack, media_type="text/plain")


routes = [
    *query_routes("/history/job-log", _build, historic_job_log),
    Route("/history/job-log/{id}", get_log, methods=["GET"]),
    Route("/history/job-log/{id}/stacktrace", stacktrace, methods=["GET"]),
]
