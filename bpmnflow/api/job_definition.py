"""``/job-definition``: query, get, suspend/activate, retries of failed jobs, priority."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.history_common import query_routes
from bpmnflow.api.job import bool_field, date_field, int_field, str_field
from bpmnflow.api.params import body, convert, mapping_error
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import EngineError, InvalidRequestError, NotFoundError, RestError
from bpmnflow.services import job_definitions, job_queries, jobs
from bpmnflow.store.entities import SUSPENDED, JobDefinition
from bpmnflow.store.query import Query
from bpmnflow.variables.dates import parse_date


def job_definition_dto(d: JobDefinition, _: bool = True) -> dict[str, Any]:
    """Camunda's JobDefinitionDto."""
    return {
        "id": d.id, "processDefinitionId": d.proc_def_id, "processDefinitionKey": d.proc_def_key,
        "activityId": d.activity_id, "jobType": d.job_type,
        "jobConfiguration": d.job_configuration, "overridingJobPriority": d.priority,
        "suspended": d.suspension_state == SUSPENDED, "tenantId": d.tenant_id,
        "deploymentId": d.deployment_id,
    }


def _build(params: dict[str, Any], from_url: bool = True) -> Query[Any]:
    return job_queries.build(job_queries.JOB_DEFINITIONS, params, convert)


async def get_definition(request: Request) -> Response:
    definition_id = request.path_params["id"]
    found = await query(request, job_definitions.get, definition_id)
    if found is None:
        raise InvalidRequestError(404, f"Job Definition with id {definition_id} does not exist")
    return json(job_definition_dto(found))


def _execution_date(data: dict[str, Any], prefix: str) -> int | None:
    """``executionDate``: Camunda parses it with DateTimeUtil; a bad one is a 400 naming the
    definition (``prefix``)."""
    raw = data.get("executionDate")
    if raw is None or raw == "":
        return None
    try:
        return int(parse_date(str(raw)).timestamp() * 1000)
    except (ValueError, TypeError):
        raise InvalidRequestError(400, f"{prefix}: Invalid format: \"{raw}\"") from None


async def _suspend(request: Request, data: dict[str, Any], selection: Any, prefix: str
                   ) -> Response:
    await command(request, job_definitions.set_suspended, selection,
                  bool_field(data, "suspended"), bool_field(data, "includeJobs"),
                  _execution_date(data, prefix))
    return no_content()


async def suspend_one(request: Request) -> Response:
    definition_id = request.path_params["id"]
    data = await body(request)
    if any(data.get(n) is not None for n in ("processDefinitionId", "processDefinitionKey")):
        raise InvalidRequestError(400, "Only one of jobDefinitionId, processDefinitionId or "
                                       "processDefinitionKey should be set to update the "
                                       "suspension state.")
    prefix = (f"The suspension state of Job Definition with id {definition_id} could not be "
              "updated due to")
    return await _suspend(request, data, job_definitions.Selection(
        job_definition_id=definition_id), prefix)


async def suspend_many(request: Request) -> Response:
    data = await body(request)
    if data.get("jobDefinitionId") is not None:
        raise InvalidRequestError(400, "Either processDefinitionId or processDefinitionKey can "
                                       "be set to update the suspension state.")
    given = [n for n in ("processDefinitionId", "processDefinitionKey")
             if data.get(n) is not None]
    if len(given) > 1:
        raise InvalidRequestError(400, "Only one of jobDefinitionId, processDefinitionId or "
                                       "processDefinitionKey should be set to update the "
                                       "suspension state.")
    if not given:
        raise InvalidRequestError(400, "Either jobDefinitionId, processDefinitionId or "
                                       "processDefinitionKey should be set to update the "
                                       "suspension state.")
    selection = job_definitions.Selection(
        process_definition_id=str_field(data, "processDefinitionId"),
        process_definition_key=str_field(data, "processDefinitionKey"),
        tenant_id=str_field(data, "processDefinitionTenantId"),
        without_tenant=bool_field(data, "processDefinitionWithoutTenantId"))
    return await _suspend(request, data, selection,
                          "Could not update the suspension state of Job Definitions due to")


async def set_retries(request: Request) -> Response:
    data = await body(request)
    retries = int_field(data, "retries")
    if retries is None:
        raise InvalidRequestError(400, "retries is null")
    due = jobs.DueDate(date_field(data, "dueDate")) if "dueDate" in data else None
    try:
        await command(request, job_definitions.set_retries, request.path_params["id"],
                      retries, due)
    except RestError:
        raise
    except EngineError as exc:
        raise InvalidRequestError(500, exc.message) from None
    return no_content()


async def set_priority(request: Request) -> Response:
    definition_id = request.path_params["id"]
    data = await body(request)
    priority = data.get("priority")
    if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)):
        raise mapping_error(f"Cannot deserialize value of type `java.lang.Long` from "
                            f"{priority!r}: not a valid Long value")
    include_jobs = bool_field(data, "includeJobs")
    if priority is None and include_jobs:
        raise InvalidRequestError(400, f"Cannot reset priority for job definition "
                                       f"{definition_id} with includeJobs=true")
    try:
        await command(request, job_definitions.set_priority, definition_id, priority,
                      include_jobs)
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    except RestError:
        raise
    except EngineError as exc:
        raise RestError(500, exc.message) from None
    return no_content()


routes = [
    *query_routes("/job-definition", _build, job_definition_dto),
    Route("/job-definition/suspended", suspend_many, methods=["PUT"]),
    Route("/job-definition/{id}", get_definition, methods=["GET"]),
    Route("/job-definition/{id}/jobPriority", set_priority, methods=["PUT"]),
    Route("/job-definition/{id}/retries", set_retries, methods=["PUT"]),
    Route("/job-definition/{id}/suspended", suspend_one, methods=["PUT"]),
]
