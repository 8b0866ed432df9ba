"""``/execution``: query, get, the local variables of one execution, and the operations on it:
resume it (signal), its message subscriptions (get, trigger), and custom incidents."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.event_subscription import event_subscription
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import body, convert
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.api.variables import VariableScope, parse_variables, variable_routes
from bpmnflow.errors import BadUserRequestError, EngineError, InvalidRequestError, RestError
from bpmnflow.services import execution_commands, executions, queries, runtime_service
from bpmnflow.store.entities import Execution, Incident
from bpmnflow.store.query import Query


def _execution(row: Execution, _: bool = True) -> dict[str, Any]:
    return dto.execution(row)


def _build(params: dict[str, Any], from_url: bool) -> Query[Any]:
    return queries.build(executions.SPEC, params, convert)


async def get_execution(request: Request) -> Response:
    eid = request.path_params["id"]
    found = await query(request, executions.get, eid)
    if found is None:
        raise InvalidRequestError(404, f"Execution with id {eid} does not exist")
    return json(dto.execution(found))


async def signal_execution(request: Request) -> Response:
    eid = request.path_params["id"]
    prefix = f"Cannot signal execution {eid}"
    variables = parse_variables((await body(request)).get("variables"), prefix)
    try:
        await command(request, execution_commands.signal_execution, eid, variables)
    except RestError:
        raise
    except EngineError as exc:  # Camunda wraps every engine failure here as a 500
        raise RestError(500, f"{prefix}: {exc.message}", code=exc.code) from None
    return no_content()


async def get_message_subscription(request: Request) -> Response:
    eid, name = request.path_params["id"], request.path_params["messageName"]
    found = await query(request, execution_commands.message_subscription, eid, name)
    if found is None:
        raise InvalidRequestError(404, f"Message event subscription for execution {eid} named "
                                       f"{name} does not exist")
    return json(event_subscription(found))


async def trigger_message(request: Request) -> Response:
    eid, name = request.path_params["id"], request.path_params["messageName"]
    prefix = f"Cannot trigger message {name} for execution {eid}"
    variables = parse_variables((await body(request)).get("variables"), prefix)
    try:
        await command(request, execution_commands.trigger_message, eid, name, variables)
    except RestError:
        raise
    except EngineError as exc:
        raise RestError(500, f"{prefix}: {exc.message}", code=exc.code) from None
    return no_content()


def incident(row: Incident) -> dict[str, Any]:
    """Camunda's IncidentDto."""
    return {
        "id": row.id, "processDefinitionId": row.proc_def_id,
        "processInstanceId": row.proc_inst_id, "executionId": row.execution_id,
        "incidentTimestamp": dto.date(row.incident_timestamp), "incidentType": row.incident_type,
        "activityId": row.activity_id, "failedActivityId": row.failed_activity_id,
        "causeIncidentId": row.cause_incident_id,
        "rootCauseIncidentId": row.root_cause_incident_id, "configuration": row.configuration,
        "tenantId": row.tenant_id, "incidentMessage": row.incident_message,
        "jobDefinitionId": row.job_def_id, "annotation": row.annotation,
    }


async def create_incident(request: Request) -> Response:
    data = await body(request)
    try:
        created = await command(request, execution_commands.create_incident,
                                request.path_params["id"], data.get("incidentType"),
                                data.get("configuration"), data.get("message"))
    except BadUserRequestError as exc:  # Camunda: 400 with the engine's message, no code
        raise InvalidRequestError(400, exc.message) from None
    return json(incident(created))


LOCAL = VariableScope(
    "execution",
    get_all=lambda ctx, eid: runtime_service.get_variables(ctx, eid, local=True),
    set_many=lambda ctx, eid, values, deletions: runtime_service.set_variables(
        ctx, eid, values, local=True, deletions=deletions),
    remove=lambda ctx, eid, name: runtime_service.remove_variable(ctx, eid, name, local=True),
)

routes = [
    *query_routes("/execution", _build, _execution),
    Route("/execution/{id}", get_execution, methods=["GET"]),
    *variable_routes("/execution/{id}/localVariables", LOCAL),
    Route("/execution/{id}/signal", signal_execution, methods=["POST"]),
    Route("/execution/{id}/messageSubscriptions/{messageName}", get_message_subscription,
          methods=["GET"]),
    Route("/execution/{id}/messageSubscriptions/{messageName}/trigger", trigger_message,
          methods=["POST"]),
    Route("/execution/{id}/create-incident", create_incident, methods=["POST"]),
]
