"""``/history/user-operation``: the user operation log (list, count, annotations)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.identity_support import count_handler, list_handler, run, string_field
from bpmnflow.api.params import body
from bpmnflow.api.responses import no_content
from bpmnflow.services import operation_log
from bpmnflow.store.identity_entities import OperationLogEntry


def entry_dto(e: OperationLogEntry) -> dict[str, Any]:
    return {
        "id": e.id, "userId": e.user_id, "timestamp": dto.date(e.timestamp),
        "operationId": e.operation_id, "operationType": e.operation_type,
        "entityType": e.entity_type, "category": e.category, "annotation": e.annotation,
        "property": e.property, "orgValue": e.org_value, "newValue": e.new_value,
        "deploymentId": e.deployment_id, "processDefinitionId": e.proc_def_id,
        "processDefinitionKey": e.proc_def_key, "processInstanceId": e.proc_inst_id,
        "executionId": e.execution_id, "caseDefinitionId": None, "caseInstanceId": None,
        "caseExecutionId": None, "taskId": e.task_id, "externalTaskId": e.external_task_id,
        "batchId": e.batch_id, "jobId": e.job_id, "jobDefinitionId": e.job_def_id,
        "removalTime": dto.date(e.removal_time), "rootProcessInstanceId": e.root_proc_inst_id,
    }


async def set_annotation(request: Request) -> Response:
    data = await body(request)
    annotation = string_field(data, "annotation")
    await run(request, operation_log.set_annotation, request.path_params["operationId"],
              annotation)
    return no_content()


async def clear_annotation(request: Request) -> Response:
    await run(request, operation_log.set_annotation, request.path_params["operationId"], None)
    return no_content()


routes = [
    Route("/history/user-operation", list_handler(operation_log.SPEC, entry_dto),
          methods=["GET"]),
    Route("/history/user-operation/count", count_handler(operation_log.SPEC), methods=["GET"]),
    Route("/history/user-operation/{operationId}/set-annotation", set_annotation,
          methods=["PUT"]),
    Route("/history/user-operation/{operationId}/clear-annotation", clear_annotation,
          methods=["PUT"]),
]
