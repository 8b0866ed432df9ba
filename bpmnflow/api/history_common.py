"""What the read-mostly query resources share: list/count routes, stored values as REST values.

Historic resources, executions and variable instances all answer ``GET|POST <base>`` and
``GET|POST <base>/count`` the same way; only the query they build and the row mapping differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.params import body, flag, paging, query_params
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.errors import InvalidRequestError
from bpmnflow.services import queries
from bpmnflow.store.query import Query
from bpmnflow.variables import TypedValue, VariableTypeError, from_columns, to_rest

# (raw parameters, parameters came from the URL) -> query
Builder = Callable[[dict[str, Any], bool], Query[Any]]
# (row, deserializeValues) -> DTO
Mapper = Callable[[Any, bool], dict[str, Any]]

BINARY_TYPES = ("Bytes", "File")


def query_routes(base: str, build: Builder, mapper: Mapper, post_count: bool = True,
                 values: bool = False) -> list[Route]:
    """``GET|POST base`` (list, paged by URL parameters) and ``GET[|POST] base/count``.

    ``values``: the rows carry typed values, so ``deserializeValues`` (a URL parameter on GET
    and POST alike) is read; elsewhere it is an unknown parameter and ignored, as in Camunda.
    """

    async def _list(request: Request, params: dict[str, Any], from_url: bool) -> Response:
        q = build(params, from_url)
        first, limit = paging(request)
        rows = await query(request, queries.run_list, q, first, limit)
        deserialize = flag(request, "deserializeValues", True) if values else True
        return json([mapper(row, deserialize) for row in rows])

    async def _count(request: Request, params: dict[str, Any], from_url: bool) -> Response:
        return json({"count": await query(request, queries.run_count, build(params, from_url))})

    async def list_get(request: Request) -> Response:
        return await _list(request, query_params(request), True)

    async def list_post(request: Request) -> Response:
        return await _list(request, await body(request), False)

    async def count_get(request: Request) -> Response:
        return await _count(request, query_params(request), True)

    async def count_post(request: Request) -> Response:
        return await _count(request, await body(request), False)

    routes = [
        Route(base, list_get, methods=["GET"]),
        Route(base, list_post, methods=["POST"]),
        Route(base + "/count", count_get, methods=["GET"]),
    ]
    if post_count:
        routes.append(Route(base + "/count", count_post, methods=["POST"]))
    return routes


def stored_value(row: Any, with_content: bool = False) -> TypedValue:
    """The typed value of a row with Camunda's value columns (variables, history)."""
    content = row.bytes_value if with_content else None
    return from_columns(row.var_type, row.text_value, row.long_value, row.double_value, content,
                        row.value_info)


def typed_fields(row: Any, deserialize: bool) -> dict[str, Any]:
    """``type``, ``value``, ``valueInfo`` and ``errorMessage`` of a stored variable.

    Lists and single lookups leave binary content out (value null), as Camunda's queries do
    with binary fetching disabled: the bytes come from the ``/data`` endpoint.  A value that
    cannot be read is reported in ``errorMessage`` instead of failing the whole answer.
    """
    try:
        out = to_rest(stored_value(row), deserialize)
    except VariableTypeError as exc:
        return {"type": row.var_type, "value": None, "valueInfo": {}, "errorMessage": str(exc)}
    out["errorMessage"] = None
    return out


def binary_response(row: Any, ident: str) -> Response:
    """A Bytes or File value as raw content; anything else is Camunda's 400."""
    if row.var_type not in BINARY_TYPES:
        raise InvalidRequestError(400, f"Value of variable with id {ident} is not a binary "
                                       "value.")
    value = stored_value(row, with_content=True)
    info = value.value_info or {}
    if value.type == "Bytes":
        return Response(value.value or b"", media_type="application/octet-stream")
    media = info.get("mimeType") or "application/octet-stream"
    if info.get("encoding"):
        media = f"{media}; charset={info['encoding']}"
    disposition = f'attachment; filename="{info.get("filename") or ident}"'
    return Response(value.value or b"", media_type=media,
                    headers={"Content-Disposition": disposition})


def not_found(resource: str, ident: str) -> InvalidRequestError:
    """Camunda's 404 for the variable-like resources ('Historic detail with Id ...')."""
    return InvalidRequestError(404, f"{resource} with Id '{ident}' does not exist.")
