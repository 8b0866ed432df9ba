"""Process instance modification and restart: ``POST /process-instance/{id}/modification``,
``POST /modification/execute`` and ``POST /process-definition/{id}/restart``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.params import body, convert
from bpmnflow.api.responses import no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import (
    BadUserRequestError,
    EngineError,
    InvalidRequestError,
    NotFoundError,
    RestError,
)
from bpmnflow.runtime.modification import Instruction
from bpmnflow.services import modification, process_instances, queries

_TYPES = ("cancel", "startBeforeActivity", "startAfterActivity", "startTransition")


def instructions(raw: Any, allowed: tuple[str, ...] = _TYPES) -> list[Instruction]:
    try:
        return modification.parse_instructions(raw, allowed)
    except BadUserRequestError as exc:
        raise InvalidRequestError(400, exc.message) from None


async def modify_instance(request: Request) -> Response:
    data = await body(request)
    pid = request.path_params["id"]
    try:
        await command(request, modification.modify, pid,
                      instructions(data.get("instructions") or []),
                      bool(data.get("skipCustomListeners")), bool(data.get("skipIoMappings")))
    except NotFoundError as exc:
        raise InvalidRequestError(400, exc.message) from None
    return no_content()


async def _instance_ids(request: Request, data: dict[str, Any]) -> list[str]:
    ids = list(data.get("processInstanceIds") or [])
    if isinstance(data.get("processInstanceQuery"), dict):
        q = queries.build(process_instances.SPEC, data["processInstanceQuery"], convert)
        ids += [r.id for r in await query(request, queries.run_list, q, None, None)]
    return list(dict.fromkeys(ids))


async def execute_modification(request: Request) -> Response:
    data = await body(request)
    definition_id = data.get("processDefinitionId")
    if not definition_id:
        raise InvalidRequestError(400, "Process definition id cannot be null")
    ids = await _instance_ids(request, data)
    try:
        await command(request, modification.modify_many, definition_id, ids,
                      instructions(data.get("instructions") or []),
                      bool(data.get("skipCustomListeners")), bool(data.get("skipIoMappings")))
    except EngineError as exc:
        if isinstance(exc, RestError):
            raise
        raise RestError(400 if exc.status == 400 else 500, exc.message, code=exc.code) from None
    return no_content()


async def restart(request: Request) -> Response:
    data = await body(request)
    ids = list(data.get("processInstanceIds") or [])
    if isinstance(data.get("historicProcessInstanceQuery"), dict):
        from bpmnflow.services import history

        q = history.build_stable(history.PROCESS_INSTANCES, data["historicProcessInstanceQuery"],
                                 convert)
        ids += [r.id for r in await query(request, queries.run_list, q, None, None)]
    try:
        await command(request, modification.restart, request.path_params["id"], ids,
                      instructions(data.get("instructions") or [], _TYPES[1:]),
                      bool(data.get("initialVariables")), bool(data.get("withoutBusinessKey")),
                      bool(data.get("skipCustomListeners")), bool(data.get("skipIoMappings")))
    except EngineError as exc:
        if isinstance(exc, RestError):
            raise
        raise InvalidRequestError(400 if exc.status == 400 else 500, exc.message) from None
    return no_content()


routes = [
    Route("/process-instance/{id}/modification", modify_instance, methods=["POST"]),
    Route("/modification/execute", execute_modification, methods=["POST"]),
    Route("/process-definition/{id}/restart", restart, methods=["POST"]),
]
