"""``/history/external-task-log``: the log of every external task's creation, failures,
success and deletion."""

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
from bpmnflow.store.entities import HistoricExternalTaskLog
from bpmnflow.store.query import Query

CREATED, FAILED, SUCCESSFUL, DELETED = 0, 1, 2, 3


def historic_external_task_log(e: HistoricExternalTaskLog, _: bool = True) -> dict[str, Any]:
    """Camunda's HistoricExternalTaskLogDto."""
    return {
        "id": e.id, "externalTaskId": e.ext_task_id, "timestamp": date(e.timestamp),
        "topicName": e.topic_name, "workerId": e.worker_id, "retries": e.retries,
        "priority": e.priority, "errorMessage": e.error_msg, "activityId": e.activity_id,
        "activityInstanceId": e.activity_instance_id, "executionId": e.execution_id,
        "processInstanceId": e.proc_inst_id, "processDefinitionId": e.proc_def_id,
        "processDefinitionKey": e.proc_def_key, "tenantId": e.tenant_id,
        "creationLog": e.state == CREATED, "failureLog": e.state == FAILED,
        "successLog": e.state == SUCCESSFUL, "deletionLog": e.state == DELETED,
        "removalTime": date(e.removal_time), "rootProcessInstanceId": e.root_proc_inst_id,
    }


def _build(params: dict[str, Any], from_url: bool = True) -> Query[Any]:
    return job_queries.build(job_queries.HISTORIC_EXTERNAL_TASK_LOGS, params, convert)


def _get(ctx: CommandContext, log_id: str) -> HistoricExternalTaskLog | None:
    return ctx.uow.get(HistoricExternalTaskLog, log_id)


async def get_log(request: Request) -> Response:
    log_id = request.path_params["id"]
    found = await query(request, _get, log_id)
    if found is None:
        raise InvalidRequestError(404, f"Historic external task log with id {log_id} does "
                                       "not exist")
    return json(historic_external_task_log(found))


async def error_details(request: Request) -> Response:
    log_id = request.path_params["id"]
    found = await query(request, _get, log_id)
    if found is None:
        raise InvalidRequestError(404, f"No historic external task log found with id {log_id}: "
                                       "historicExternalTaskLog is null")
    if found.error_details is None:  # a null String: JAX-RS answers 204
        return no_content()
    return Response(found.error_details, media_type="text/plain")


routes = [
    *query_routes("/history/external-task-log", _build, historic_external_task_log),
    Route("/history/external-task-log/{id}", get_log, methods=["GET"]),
    Route("/history/external-task-log/{id}/error-details", error_details, methods=["GET"]),
]
