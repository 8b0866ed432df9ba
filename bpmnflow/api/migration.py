"""``/migration``: generate, validate and execute migration plans."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, convert
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import InvalidRequestError, NotFoundError
from bpmnflow.services import migration, process_instances, queries


async def generate(request: Request) -> Response:
    data = await body(request)
    source, target = data.get("sourceProcessDefinitionId"), data.get("targetProcessDefinitionId")
    if not source or not target:
        raise InvalidRequestError(400, "Source and target process definition ids are required")
    try:
        plan = await query(request, migration.generate, source, target,
                           bool(data.get("updateEventTriggers")))
    except NotFoundError as exc:
        raise InvalidRequestError(400, exc.message) from None
    plan.variables = parse_variables(data.get("variables"))
    return json(migration.plan_dto(plan, dto.variables(plan.variables) if data.get("variables")
                                   else None))


async def validate(request: Request) -> Response:
    plan = migration.plan_from(await body(request), parse_variables)
    try:
        report = await query(request, migration.validate, plan)
    except NotFoundError as exc:
        raise InvalidRequestError(400, exc.message) from None
    return json(report)


async def _ids(request: Request, data: dict[str, Any]) -> list[str]:
    ids = list(data.get("processInstanceIds") or [])
    if isinstance(data.get("processInstanceQuery"), dict):
        q = queries.build(process_instances.SPEC, data["processInstanceQuery"], convert)
        ids += [r.id for r in await query(request, queries.run_list, q, None, None)]
    return list(dict.fromkeys(ids))


async def execute(request: Request) -> Response:
    data = await body(request)
    plan = migration.plan_from(data.get("migrationPlan"), parse_variables)
    ids = await _ids(request, data)
    try:
        await command(request, migration.execute, plan, ids, bool(data.get("skipCustomListeners")),
                      bool(data.get("skipIoMappings")))
    except NotFoundError as exc:
        raise InvalidRequestError(400, exc.message) from None
    return no_content()


routes = [
    Route("/migration/generate", generate, methods=["POST"]),
    Route("/migration/validate", validate, methods=["POST"]),
    Route("/migration/execute", execute, methods=["POST"]),
]
