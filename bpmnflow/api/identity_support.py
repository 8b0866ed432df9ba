"""What the identity and authorization routers share: 404s, OPTIONS links, query routes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bpmnflow.api.params import body, convert, paging, query_params
from bpmnflow.api.responses import json
from bpmnflow.api.runner import command, query
from bpmnflow.errors import InvalidRequestError, NotFoundError
from bpmnflow.security.principal import current
from bpmnflow.services import queries
from bpmnflow.services.queries import QuerySpec
from bpmnflow.store.query import Query


async def run(request: Request, fn: Callable[..., Any], *args: Any, write: bool = True) -> Any:
    """A command whose engine ``NotFoundError`` is the REST layer's 404, as in Camunda."""
    try:
        if write:
            return await command(request, fn, *args)
        return await query(request, fn, *args)
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None


def link(request: Request, method: str, path: str, rel: str) -> dict[str, str]:
    url = request.url
    root = request.scope.get("root_path", "")
    return {"method": method, "href": f"{url.scheme}://{url.netloc}{root}{path}", "rel": rel}


def options(links: list[tuple[str, str, str]], self_only: tuple[str, ...] = (),
            owner: str | None = None) -> Callable[[Request], Awaitable[Response]]:
    """An ``OPTIONS`` handler: the operations the caller may call (all for administrators;
    ``self_only`` rels for the caller's own record, when ``owner`` names a path parameter)."""

    async def endpoint(request: Request) -> Response:
        principal = current()
        params = {k: str(v) for k, v in request.path_params.items()}
        own = owner is not None and principal.user_id is not None \
            and params.get(owner) == principal.user_id
        allowed = [(m, p, r) for m, p, r in links
                   if principal.admin or (own and r in self_only)]
        return json({"links": [link(request, m, p.format(**params), r)
                               for m, p, r in allowed]})
    return endpoint


Mapper = Callable[[Any], dict[str, Any]]
Extra = Callable[[Query[Any], dict[str, Any]], None]


def _build(spec: QuerySpec, params: dict[str, Any], extra: Extra | None) -> Query[Any]:
    q = queries.build(spec, params, convert)
    if extra is not None:
        extra(q, params)
    return q


def list_handler(spec: QuerySpec, mapper: Mapper, from_body: bool = False,
                 extra: Extra | None = None) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        params = await body(request) if from_body else query_params(request)
        first, limit = paging(request)
        rows = await query(request, queries.run_list, _build(spec, params, extra), first, limit)
        return json([mapper(row) for row in rows])
    return endpoint


def count_handler(spec: QuerySpec, from_body: bool = False,
                  extra: Extra | None = None) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        params = await body(request) if from_body else query_params(request)
        count = await query(request, queries.run_count, _build(spec, params, extra))
        return json({"count": count})
    return endpoint


def string_field(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidRequestError(400, f"Cannot deserialize value of '{name}': not a string")
    return value
