"""``/history/process-instance``: query, get, delete, and delete the variables of one."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import convert, flag
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import AuthorizationError, EngineError, InvalidRequestError, NotFoundError
from bpmnflow.services import history, history_variables
from bpmnflow.store.entities import HistoricProcessInstance
from bpmnflow.store.query import Query


def historic_process_instance(hi: HistoricProcessInstance, _: bool = True) -> dict[str, Any]:
    """Camunda's HistoricProcessInstanceDto; no case management, so case ids are null."""
    return {
        "id": hi.id, "businessKey": hi.business_key, "processDefinitionId": hi.proc_def_id,
        "processDefinitionKey": hi.proc_def_key, "processDefinitionName": hi.proc_def_name,
        "processDefinitionVersion": hi.proc_def_version, "startTime": date(hi.start_time),
        "endTime": date(hi.end_time), "removalTime": date(hi.removal_time),
        "durationInMillis": hi.duration, "startUserId": hi.start_user_id,
        "startActivityId": hi.start_act_id, "deleteReason": hi.delete_reason,
        "rootProcessInstanceId": hi.root_proc_inst_id,
        "superProcessInstanceId": hi.super_proc_inst_id, "superCaseInstanceId": None,
        "caseInstanceId": None, "tenantId": hi.tenant_id, "state": hi.state,
        "restartedProcessInstanceId": hi.restarted_proc_inst_id,
    }


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return history.build_stable(history.PROCESS_INSTANCES, params, convert)


def _missing(pid: str) -> str:
    return f"Historic process instance with id {pid} does not exist"


async def get_instance(request: Request) -> Response:
    pid = request.path_params["id"]
    found = await query(request, history.process_instance, pid)
    if found is None:
        raise InvalidRequestError(404, _missing(pid))
    return json(historic_process_instance(found))


async def delete_instance(request: Request) -> Response:
    """Any engine refusal (unknown, or still running) is Camunda's one 404 message."""
    pid = request.path_params["id"]
    fail = flag(request, "failIfNotExists", True)
    try:
        await command(request, history.delete_process_instance, pid, fail)
    except AuthorizationError:
        raise
    except EngineError as exc:
        raise InvalidRequestError(404, _missing(pid), code=exc.code) from None
    return no_content()


async def delete_variables(request: Request) -> Response:
    try:
        await command(request, history_variables.delete_variables_of_instance,
                      request.path_params["id"])
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    return no_content()


routes = [
    *query_routes("/history/process-instance", _build, historic_process_instance),
    Route("/history/process-instance/{id}", get_instance, methods=["GET"]),
    Route("/history/process-instance/{id}", delete_instance, methods=["DELETE"]),
    Route("/history/process-instance/{id}/variable-instances", delete_variables,
          methods=["DELETE"]),
]
