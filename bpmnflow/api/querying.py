"""List and count routes for every queryable resource: ``GET|POST <base>`` (paged by URL
parameters) and ``GET|POST <base>/count``; only the query and the row mapping differ."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.params import body, convert, flag, paging, query_params
from bpmnflow.api.responses import json
from bpmnflow.api.runner import query
from bpmnflow.services import queries
from bpmnflow.services.queries import QuerySpec
from bpmnflow.store.query import Query

# (raw parameters, parameters came from the URL) -> query
Builder = Callable[[dict[str, Any], bool], Query[Any]]
# (row, deserializeValues) -> DTO
Mapper = Callable[[Any, bool], dict[str, Any]]


def spec_builder(spec: QuerySpec) -> Builder:
    """The plain builder: Camunda's parameters of one query spec."""
    return lambda params, from_url: queries.build(spec, params, convert)


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
