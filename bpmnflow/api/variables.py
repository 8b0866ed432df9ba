"""Typed variables over REST, and the variable sub-resource every scope shares.

Process instances, executions and tasks expose the same six variable operations; only the
scope, its name in messages and the engine calls differ, so one builder serves them all.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, flag, mapping_error
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import EngineError, InvalidRequestError, RestError
from bpmnflow.variables import TypedValue, VariableTypeError, from_rest


def parse_variables(raw: Any, prefix: str | None = None) -> dict[str, TypedValue]:
    """A ``{"name": {"value", "type", "valueInfo"}}`` map; bad entries are one 400 error."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise mapping_error("Cannot deserialize variables: expected a JSON object")
    out = {}
    for name, value in raw.items():
        try:
            out[name] = from_rest(name, value if isinstance(value, dict) else {"value": value})
        except VariableTypeError as exc:
            message = f"{prefix}: {exc}" if prefix else str(exc)
            raise InvalidRequestError(400, message) from None
    return out


def _file_info(filename: str, content_type: str | None) -> dict[str, str]:
    """A File's valueInfo from an upload: mime type and charset come from its content type."""
    media, _, params = (content_type or "application/octet-stream").partition(";")
    info = {"filename": filename, "mimeType": media.strip()}
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            info["encoding"] = value.strip().strip('"')
    return info


@dataclass(frozen=True)
class VariableScope:
    """How one resource reaches its variables (all engine calls are commands)."""

    label: str  # "process instance", "execution", "task"
    get_all: Callable[..., dict[str, TypedValue]]  # (ctx, id) -> map
    set_many: Callable[..., None]  # (ctx, id, variables, deletions) -> None
    remove: Callable[..., None]  # (ctx, id, name) -> None


def variable_routes(base: str, scope: VariableScope) -> list[Route]:
    """The six variable routes under ``base`` (e.g. '/process-instance/{id}/variables')."""

    async def get_all(request: Request) -> Response:
        values = await query(request, scope.get_all, request.path_params["id"])
        return json(dto.variables(values, flag(request, "deserializeValues", True)))

    async def modify(request: Request) -> Response:
        data = await body(request)
        variables = parse_variables(data.get("modifications"),
                                    f"Cannot modify variables for {scope.label}")
        deletions = data.get("deletions") or []
        try:
            await command(request, scope.set_many, request.path_params["id"], variables, deletions)
        except EngineError as exc:
            if isinstance(exc, RestError):
                raise
            raise RestError.wrap(f"Cannot modify variables for {scope.label} "
                                 f"{request.path_params['id']}", exc, 500) from None
        return no_content()

    async def get_one(request: Request) -> Response:
        name = request.path_params["name"]
        value = await _one(request, name, "get")
        return json(dto.variables({name: value}, flag(request, "deserializeValue", True))[name])

    async def _one(request: Request, name: str, verb: str) -> TypedValue:
        try:
            values = await query(request, scope.get_all, request.path_params["id"])
        except EngineError as exc:
            raise RestError.wrap(f"Cannot {verb} {scope.label} variable {name}", exc) from None
        if name not in values:
            raise InvalidRequestError(404, f"{scope.label} variable with name {name} does not "
                                           "exist")
        return values[name]

    async def put_one(request: Request) -> Response:
        name = request.path_params["name"]
        data = await body(request)
        variables = parse_variables({name: data}, f"Cannot put {scope.label} variable {name}")
        try:
            await command(request, scope.set_many, request.path_params["id"], variables, [])
        except EngineError as exc:
            raise RestError.wrap(f"Cannot put {scope.label} variable {name}", exc,
                                 400 if exc.status == 400 else 500) from None
        return no_content()

    async def delete_one(request: Request) -> Response:
        name = request.path_params["name"]
        try:
            await command(request, scope.remove, request.path_params["id"], name)
        except EngineError as exc:
            raise RestError.wrap(f"Cannot delete {scope.label} variable {name}", exc,
                                 500) from None
        return no_content()

    async def get_data(request: Request) -> Response:
        name = request.path_params["name"]
        value = await _one(request, name, "get")
        if value.type not in ("Bytes", "File"):
            raise InvalidRequestError(
                400, f"Value of variable with id {name} is not a binary value.")
        info = value.value_info or {}
        media = info.get("mimeType") or "application/octet-stream"
        if value.type == "File" and info.get("encoding"):
            media = f"{media}; charset={info['encoding']}"
        headers = {}
        if value.type == "File":
            headers["Content-Disposition"] = f'attachment; filename="{info.get("filename", name)}"'
        return Response(value.value or b"", media_type=media, headers=headers)

    async def put_data(request: Request) -> Response:
        name = request.path_params["name"]
        form = await request.form()
        upload = form.get("data")
        if upload is None or isinstance(upload, str):
            raise InvalidRequestError(400, f"Cannot put {scope.label} binary variable {name}: "
                                           "no data part")
        content = await upload.read()
        # Camunda decides by the 'valueType' part alone (default Bytes), never by the filename
        value_type = str(form.get("valueType") or "Bytes")
        raw: dict[str, Any] = {"type": value_type, "value": base64.b64encode(content).decode()}
        if value_type.lower() == "file":
            raw["valueInfo"] = _file_info(upload.filename or name, upload.content_type)
        variables = parse_variables({name: raw}, f"Cannot put {scope.label} binary variable "
                                                 f"{name}")
        await command(request, scope.set_many, request.path_params["id"], variables, [])
        return no_content()

    return [
        Route(base, get_all, methods=["GET"]),
        Route(base, modify, methods=["POST"]),
        Route(base + "/{name}/data", get_data, methods=["GET"]),
        Route(base + "/{name}/data", put_data, methods=["POST"]),
        Route(base + "/{name}", get_one, methods=["GET"]),
        Route(base + "/{name}", put_one, methods=["PUT"]),
        Route(base + "/{name}", delete_one, methods=["DELETE"]),
    ]
