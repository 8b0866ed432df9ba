"""``/incident``: list, count, get, resolve and annotate incidents."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import body, convert
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import BadUserRequestError, InvalidRequestError, NotFoundError
from bpmnflow.services import incidents, job_queries
from bpmnflow.store.entities import Incident
from bpmnflow.store.query import Query


def incident_dto(i: Incident, _: bool = True) -> dict[str, Any]:
    """Camunda's IncidentDto."""
    return {
        "id": i.id, "processDefinitionId": i.proc_def_id, "processInstanceId": i.proc_inst_id,
        "executionId": i.execution_id, "incidentTimestamp": date(i.incident_timestamp),
        "incidentType": i.incident_type, "activityId": i.activity_id,
        "failedActivityId": i.failed_activity_id, "causeIncidentId": i.cause_incident_id,
        "rootCauseIncidentId": i.root_cause_incident_id, "configuration": i.configuration,
        "tenantId": i.tenant_id, "incidentMessage": i.incident_message,
        "jobDefinitionId": i.job_def_id, "annotation": i.annotation,
    }


def get_only(routes: list[Route]) -> list[Route]:
    """Of the shared list/count routes, the ones Camunda serves for a GET-only resource."""
    return [r for r in routes if r.methods and "GET" in r.methods]


def _build(params: dict[str, Any], from_url: bool = True) -> Query[Any]:
    return job_queries.build(job_queries.INCIDENTS, params, convert)


async def get_incident(request: Request) -> Response:
    incident_id = request.path_params["id"]
    found = await query(request, incidents.get, incident_id)
    if found is None:
        raise InvalidRequestError(404, f"No matching incident with id {incident_id}")
    return json(incident_dto(found))


async def resolve(request: Request) -> Response:
    try:
        await command(request, incidents.resolve, request.path_params["id"])
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    except BadUserRequestError as exc:
        raise InvalidRequestError(400, exc.message) from None
    return no_content()


async def set_annotation(request: Request) -> Response:
    data = await body(request)
    annotation = data.get("annotation")
    await command(request, incidents.set_annotation, request.path_params["id"],
                  None if annotation is None else str(annotation))
    return no_content()


async def clear_annotation(request: Request) -> Response:
    await command(request, incidents.set_annotation, request.path_params["id"], None)
    return no_content()


routes = [
    *get_only(query_routes("/incident", _build, incident_dto)),
    Route("/incident/{id}", get_incident, methods=["GET"]),
    Route("/incident/{id}", resolve, methods=["DELETE"]),
    Route("/incident/{id}/annotation", set_annotation, methods=["PUT"]),
    Route("/incident/{id}/annotation", clear_annotation, methods=["DELETE"]),
]
