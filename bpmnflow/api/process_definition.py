"""``/process-definition``: list, get (by id, key, key+tenant), XML, diagram, start, statistics,
forms, suspension, deletion, history time-to-live.  Every by-key route resolves the newest
version first, then behaves as the by-id route -- except the bulk routes that name a key in
their body or end in ``/delete``, which act on every version of the key."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.deployment import media_type
from bpmnflow.api.job import int_field
from bpmnflow.api.links import self_link
from bpmnflow.api.params import body, convert, flag, mapping_error, paging, query_params
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import EngineError, InvalidRequestError, NotFoundError, RestError
from bpmnflow.services import deletion, history_cleanup, queries, suspension
from bpmnflow.services import process_definitions as defs
from bpmnflow.store.entities import ProcessDefinition
from bpmnflow.variables.dates import parse_date

Handler = Callable[[Request, ProcessDefinition], Awaitable[Response]]


Missing = Callable[[str], EngineError]


def _no_definition(definition_id: str) -> EngineError:
    return InvalidRequestError(404, f"No matching definition with id {definition_id}")


def _cannot_start(definition_id: str) -> EngineError:
    # Camunda's start resolves the id inside the engine command, so an unknown id is the
    # command's failure (500), not the resource lookup's 404.
    return RestError(500, f"Cannot instantiate process definition {definition_id}: no deployed "
                          f"process definition found with id '{definition_id}': "
                          "processDefinition is null", code=0)


def _no_start_form(definition_id: str) -> EngineError:
    return InvalidRequestError(
        400, f"Cannot get start form data for process definition {definition_id}")


async def _resolve(request: Request, missing: Missing = _no_definition) -> ProcessDefinition:
    params = request.path_params
    if "key" in params:
        tenant = params.get("tenant_id")
        found = await query(request, defs.latest, params["key"], tenant)
        if found is None:
            suffix = f"and tenant-id: {tenant}" if tenant else "and no tenant-id"
            raise RestError(404, f"No matching process definition with key: {params['key']} "
                                 f"{suffix}")
        return found
    found = await query(request, defs.by_id, params["id"])
    if found is None:
        raise missing(params["id"])
    return found


def _by_definition(handler: Handler, missing: Missing = _no_definition) -> Callable[..., Any]:
    async def endpoint(request: Request) -> Response:
        return await handler(request, await _resolve(request, missing))
    return endpoint


async def list_definitions(request: Request) -> Response:
    q = queries.build(defs.SPEC, query_params(request), convert)
    first, limit = paging(request)
    rows = await query(request, queries.run_list, q, first, limit)
    return json([dto.definition(d) for d in rows])


async def count_definitions(request: Request) -> Response:
    q = queries.build(defs.SPEC, query_params(request), convert)
    return json({"count": await query(request, queries.run_count, q)})


async def get_definition(request: Request, d: ProcessDefinition) -> Response:
    return json(dto.definition(d))


async def xml(request: Request, d: ProcessDefinition) -> Response:
    content = await query(request, defs.resource, d.deployment_id, d.resource_name)
    return json({"id": d.id, "bpmn20Xml": (content or b"").decode("utf-8", "replace")})


async def diagram(request: Request, d: ProcessDefinition) -> Response:
    if not d.diagram_resource_name:
        return no_content()
    content = await query(request, defs.resource, d.deployment_id, d.diagram_resource_name)
    if content is None:
        return no_content()
    return Response(content, media_type=media_type(d.diagram_resource_name))


async def start(request: Request, d: ProcessDefinition) -> Response:
    data = await body(request)
    prefix = f"Cannot instantiate process definition {d.id}"
    variables = parse_variables(data.get("variables"), prefix)
    business_key = data.get("businessKey")
    with_vars = bool(data.get("withVariablesInReturn"))
    try:
        inst, result = await command(request, defs.start, d.id, business_key, variables,
                                     with_vars)
    except EngineError as exc:
        if isinstance(exc, RestError):
            raise
        raise RestError.wrap(prefix, exc, 400 if exc.status == 400 else 500) from None
    links = self_link(request, f"/process-instance/{inst.id}")
    out = dto.process_instance(inst.root, inst.ended, links)
    if with_vars:
        out["variables"] = dto.variables(result or {}, True)
    return json(out)


async def submit_form(request: Request, d: ProcessDefinition) -> Response:
    return await start(request, d)


async def start_form(request: Request, d: ProcessDefinition) -> Response:
    key = await query(request, defs.start_form_key, d.id)
    return json({"key": key, "contextPath": None, "camundaFormRef": None})


async def form_variables(request: Request, d: ProcessDefinition) -> Response:
    names = request.query_params.get("variableNames")
    values = await query(request, defs.form_variables, d.id)
    if names:
        wanted = set(names.split(","))
        values = {k: v for k, v in values.items() if k in wanted}
    return json(dto.variables(values, flag(request, "deserializeValues", True)))


async def rendered_form(request: Request, d: ProcessDefinition) -> Response:
    raise InvalidRequestError(404, f"No matching rendered start form for process definition "
                                   f"with the id {d.id} found.")


async def deployed_start_form(request: Request, d: ProcessDefinition) -> Response:
    raise InvalidRequestError(404, f"No deployed start form for process definition {d.id}")


async def activity_statistics(request: Request, d: ProcessDefinition) -> Response:
    rows = await query(request, defs.activity_statistics, d.id)
    return json([{"@class": "org.camunda.bpm.engine.rest.dto.repository."
                            "ActivityStatisticsResultDto",
                  "id": activity, "instances": count, "failedJobs": 0, "incidents": []}
                 for activity, count in rows])


async def statistics(request: Request) -> Response:
    rows = await query(request, defs.definition_statistics)
    return json([{"@class": "org.camunda.bpm.engine.rest.dto.repository."
                            "ProcessDefinitionStatisticsResultDto",
                  "id": d.id, "instances": count, "failedJobs": 0, "incidents": [],
                  "definition": dto.definition(d)} for d, count in rows])


# -- suspension ----------------------------------------------------------------------------------
def suspended_flag(data: dict[str, Any], name: str = "suspended") -> bool:
    """A JSON boolean of a suspension body; absent or null is false, as Camunda's DTOs have it."""
    value = data.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise mapping_error(f"Cannot deserialize value of type `boolean` from {value!r}")
    return value


def _execution_date(data: dict[str, Any], prefix: str) -> int | None:
    raw = data.get("executionDate")
    if raw is None or raw == "":
        return None
    try:
        return int(parse_date(str(raw)).timestamp() * 1000)
    except (ValueError, TypeError):
        raise InvalidRequestError(400, f'{prefix}: Invalid format: "{raw}"') from None


async def _set_definition_state(request: Request, definition_id: str) -> Response:
    data = await body(request)
    if data.get("processDefinitionKey") is not None:
        raise InvalidRequestError(400, "Only one of processDefinitionId or processDefinitionKey "
                                       "should be set to update the suspension state.")
    when = _execution_date(data, f"The suspension state of Process Definition with id "
                                 f"{definition_id} could not be updated due to")
    await command(request, suspension.set_definition_state,
                  suspension.DefinitionSelection(definition_id=definition_id),
                  suspended_flag(data), suspended_flag(data, "includeProcessInstances"), when)
    return no_content()


async def suspend_by_id(request: Request) -> Response:
    # An unknown id is no error: Camunda's bulk update simply matches no row.
    return await _set_definition_state(request, request.path_params["id"])


async def suspend_latest(request: Request) -> Response:
    return await _set_definition_state(request, (await _resolve(request)).id)


async def suspend_by_key(request: Request) -> Response:
    """``PUT /process-definition/suspended``: every version of the key in the body."""
    data = await body(request)
    if data.get("processDefinitionId") is not None:
        raise InvalidRequestError(400, "Only processDefinitionKey can be set to update the "
                                       "suspension state.")
    when = _execution_date(data, "Could not update the suspension state of Process "
                                 "Definitions due to")
    key = data.get("processDefinitionKey")
    if key is None:
        raise InvalidRequestError(400, "Either processDefinitionId or processDefinitionKey "
                                       "should be set to update the suspension state.")
    await command(request, suspension.set_definition_state,
                  suspension.DefinitionSelection(key=str(key)), suspended_flag(data),
                  suspended_flag(data, "includeProcessInstances"), when)
    return no_content()


# -- history time-to-live -------------------------------------------------------------------------
async def history_ttl(request: Request, d: ProcessDefinition) -> Response:
    ttl = int_field(await body(request), "historyTimeToLive")
    await command(request, history_cleanup.set_history_ttl, d.id, ttl)
    return no_content()


# -- deletion ------------------------------------------------------------------------------------
def _deletion_flags(request: Request) -> tuple[bool, bool, bool]:
    return (flag(request, "cascade"), flag(request, "skipCustomListeners"),
            flag(request, "skipIoMappings"))


async def _delete_one(request: Request, definition_id: str) -> Response:
    try:
        await command(request, deletion.delete_definition, definition_id,
                      *_deletion_flags(request))
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message, code=exc.code) from None
    return no_content()


async def delete_by_id(request: Request) -> Response:
    return await _delete_one(request, request.path_params["id"])


async def delete_latest(request: Request) -> Response:
    """The plain ``DELETE …/key/{key}``: Camunda's sub-resource, the newest version only."""
    return await _delete_one(request, (await _resolve(request)).id)


async def delete_all_versions(request: Request) -> Response:
    params = request.path_params
    tenant = params.get("tenant_id")
    try:
        await command(request, deletion.delete_definitions_by_key, params["key"], tenant,
                      tenant is not None, *_deletion_flags(request))
    except NotFoundError as exc:  # Camunda rethrows the message alone: no cause, no code
        raise InvalidRequestError(404, exc.message) from None
    return no_content()


def _three(suffix: str, handler: Handler, methods: list[str],
           missing: Missing = _no_definition) -> list[Route]:
    endpoint = _by_definition(handler, missing)
    return [Route(f"/process-definition/{{id}}{suffix}", endpoint, methods=methods),
            Route(f"/process-definition/key/{{key}}{suffix}", endpoint, methods=methods),
            Route(f"/process-definition/key/{{key}}/tenant-id/{{tenant_id}}{suffix}", endpoint,
                  methods=methods)]


routes = [
    Route("/process-definition", list_definitions, methods=["GET"]),
    Route("/process-definition/count", count_definitions, methods=["GET"]),
    Route("/process-definition/statistics", statistics, methods=["GET"]),
    *_three("", get_definition, ["GET"]),
    *_three("/xml", xml, ["GET"]),
    *_three("/diagram", diagram, ["GET"]),
    *_three("/start", start, ["POST"], _cannot_start),
    *_three("/submit-form", submit_form, ["POST"], _cannot_start),
    *_three("/startForm", start_form, ["GET"], _no_start_form),
    *_three("/form-variables", form_variables, ["GET"]),
    *_three("/rendered-form", rendered_form, ["GET"]),
    *_three("/deployed-start-form", deployed_start_form, ["GET"]),
    *_three("/statistics", activity_statistics, ["GET"]),
    *_three("/history-time-to-live", history_ttl, ["PUT"]),
    Route("/process-definition/suspended", suspend_by_key, methods=["PUT"]),
    Route("/process-definition/{id}/suspended", suspend_by_id, methods=["PUT"]),
    Route("/process-definition/key/{key}/suspended", suspend_latest, methods=["PUT"]),
    Route("/process-definition/key/{key}/tenant-id/{tenant_id}/suspended", suspend_latest,
          methods=["PUT"]),
    Route("/process-definition/{id}", delete_by_id, methods=["DELETE"]),
    Route("/process-definition/key/{key}", delete_latest, methods=["DELETE"]),
    Route("/process-definition/key/{key}/tenant-id/{tenant_id}", delete_latest,
          methods=["DELETE"]),
    Route("/process-definition/key/{key}/delete", delete_all_versions, methods=["DELETE"]),
    Route("/process-definition/key/{key}/tenant-id/{tenant_id}/delete", delete_all_versions,
          methods=["DELETE"]),
]
