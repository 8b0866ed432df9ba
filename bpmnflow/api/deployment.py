"""``/deployment``: create (multipart), list, get, redeploy, resources, delete."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.links import self_link
from bpmnflow.api.params import body, convert, flag, paging, query_params
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import InvalidRequestError, NotFoundError
from bpmnflow.services import queries, repository
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import QuerySpec, date_cmp, eq, like
from bpmnflow.services.queries import flag as flag_filter
from bpmnflow.store.entities import Deployment, Resource

RESERVED = {"deployment-name", "deployment-activation-time", "enable-duplicate-filtering",
            "deploy-changed-only", "deployment-source", "tenant-id"}

SPEC = QuerySpec(
    Deployment,
    filters={
        "id": eq("id"), "name": eq("name"), "nameLike": like("name"), "source": eq("source"),
        "withoutSource": flag_filter("t.source IS NULL"),
        "tenantIdIn": queries.Filter("list", lambda q, v: q.in_("tenant_id", v)),
        "withoutTenantId": flag_filter("t.tenant_id IS NULL"),
        "after": date_cmp("deploy_time", ">"), "before": date_cmp("deploy_time", "<"),
    },
    sorts={"id": "t.id", "name": "t.name", "deploymentTime": "t.deploy_time",
           "tenantId": "t.tenant_id"},
)


def _with_definitions(request: Request, result: repository.DeploymentResult) -> dict[str, Any]:
    deployment = result.deployment
    out = dto.deployment(deployment, self_link(request, f"/deployment/{deployment.id}"))
    out["deployedProcessDefinitions"] = (
        {d.id: dto.definition(d) for d in result.definitions} if result.definitions else None)
    out["deployedCaseDefinitions"] = None
    out["deployedDecisionDefinitions"] = None
    out["deployedDecisionRequirementsDefinitions"] = None
    return out


async def create(request: Request) -> Response:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise InvalidRequestError(415, "The deployment must be sent as multipart/form-data")
    form = await request.form(max_files=1000, max_fields=1000)
    fields: dict[str, str] = {}
    resources: dict[str, bytes] = {}
    for key, value in form.multi_items():
        if key in RESERVED and isinstance(value, str):
            fields[key] = value
        elif key in RESERVED:
            fields[key] = (await value.read()).decode()
        elif isinstance(value, str):
            raise InvalidRequestError(400, "No file name found in the deployment resource "
                                           "described by form parameter 'null'.")
        else:
            if not value.filename:
                raise InvalidRequestError(400, "No file name found in the deployment resource "
                                               "described by form parameter 'null'.")
            resources[value.filename] = await value.read()
    if not resources:
        raise InvalidRequestError(400, "No deployment resources contained in the form upload.")
    result = await command(
        request, repository.deploy, fields.get("deployment-name"), resources,
        source=fields.get("deployment-source"), tenant_id=fields.get("tenant-id") or None,
        duplicate_filtering=fields.get("enable-duplicate-filtering", "").lower() == "true",
        changed_only=fields.get("deploy-changed-only", "").lower() == "true")
    return json(_with_definitions(request, result))


async def list_deployments(request: Request) -> Response:
    q = queries.build(SPEC, query_params(request), convert)
    first, limit = paging(request)
    rows = await query(request, queries.run_list, q, first, limit)
    return json([dto.deployment(d) for d in rows])


async def count_deployments(request: Request) -> Response:
    q = queries.build(SPEC, query_params(request), convert)
    return json({"count": await query(request, queries.run_count, q)})


async def registered(request: Request) -> Response:
    return json([])


def _get(ctx: CommandContext, deployment_id: str) -> Deployment | None:
    return ctx.uow.get(Deployment, deployment_id)


async def get_deployment(request: Request) -> Response:
    deployment_id = request.path_params["id"]
    found = await query(request, _get, deployment_id)
    if found is None:
        raise InvalidRequestError(404, f"Deployment with id '{deployment_id}' does not exist")
    return json(dto.deployment(found))


async def redeploy(request: Request) -> Response:
    deployment_id = request.path_params["id"]
    data = await body(request)
    try:
        result = await command(request, repository.redeploy, deployment_id,
                               data.get("resourceIds"), data.get("resourceNames"),
                               data.get("source"))
    except NotFoundError as exc:
        if exc.message.startswith("Deployment with id"):
            raise InvalidRequestError(404, exc.message) from None
        raise InvalidRequestError.wrap(f"Cannot redeploy deployment '{deployment_id}'", exc,
                                       404) from None
    return json(_with_definitions(request, result))


def _resources(ctx: CommandContext, deployment_id: str) -> list[Resource] | None:
    if ctx.uow.get(Deployment, deployment_id) is None:
        return None
    return repository.resources_of(ctx, deployment_id)


def _resource_dto(r: Resource) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "deploymentId": r.deployment_id}


async def list_resources(request: Request) -> Response:
    deployment_id = request.path_params["id"]
    found = await query(request, _resources, deployment_id)
    if found is None:
        raise InvalidRequestError(
            404, f"Deployment resources for deployment id '{deployment_id}' do not exist.")
    return json([_resource_dto(r) for r in found])


async def _resource(request: Request) -> Resource:
    deployment_id, resource_id = request.path_params["id"], request.path_params["resourceId"]
    found = await query(request, _resources, deployment_id)
    match = next((r for r in found or [] if r.id == resource_id), None)
    if match is None:
        raise InvalidRequestError(
            404, f"Deployment resource with resource id '{resource_id}' for deployment id "
                 f"'{deployment_id}' does not exist.")
    return match


async def get_resource(request: Request) -> Response:
    return json(_resource_dto(await _resource(request)))


MEDIA_TYPES = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".gif": "image/gif", ".bpmn": "application/xml",
               ".xml": "application/xml", ".dmn": "application/xml", ".json": "application/json",
               ".form": "application/json", ".txt": "text/plain"}


def media_type(name: str) -> str:
    dot = name.rfind(".")
    return MEDIA_TYPES.get(name[dot:].lower(), "application/octet-stream") if dot >= 0 else \
        "application/octet-stream"


async def resource_data(request: Request) -> Response:
    resource = await _resource(request)
    return Response(bytes(resource.content), media_type=media_type(resource.name),
                    headers={"Content-Disposition": f'attachment; filename="{resource.name}"'})


async def delete_deployment(request: Request) -> Response:
    deployment_id = request.path_params["id"]
    try:
        await command(request, repository.delete_deployment, deployment_id,
                      flag(request, "cascade"), flag(request, "skipCustomListeners"),
                      flag(request, "skipIoMappings"))
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    return no_content()


routes = [
    Route("/deployment", list_deployments, methods=["GET"]),
    Route("/deployment/count", count_deployments, methods=["GET"]),
    Route("/deployment/create", create, methods=["POST"]),
    Route("/deployment/registered", registered, methods=["GET"]),
    Route("/deployment/{id}", get_deployment, methods=["GET"]),
    Route("/deployment/{id}", delete_deployment, methods=["DELETE"]),
    Route("/deployment/{id}/redeploy", redeploy, methods=["POST"]),
    Route("/deployment/{id}/resources", list_resources, methods=["GET"]),
    Route("/deployment/{id}/resources/{resourceId}", get_resource, methods=["GET"]),
    Route("/deployment/{id}/resources/{resourceId}/data", resource_data, methods=["GET"]),
]
