"""Guards for the scoped routes whose targets are not a row named in the path.

* ``POST /external-task/fetchAndLock``: each topic is narrowed to the workflows the worker
  may work on (``processDefinitionKeyIn``), so nothing else is ever locked or shown;
* ``POST /message`` and ``POST /signal``: the workflows waiting for that message or signal
  are looked up first.  All of them workable: the request runs.  None of them workable: the
  request runs with a name (and instance/execution) that matches nothing, so the caller gets
  the very answer of a message nobody waits for.  Some of each: 403, nothing delivered;
* ``GET /process-definition/statistics`` and ``GET /external-task/topic-names`` do not come
  from ``queries.build``: their answers are filtered to visible workflows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import orjson
from starlette.concurrency import run_in_threadpool

from bpmnflow.services import authorizations, operation_log

if TYPE_CHECKING:
    from bpmnflow.security.middleware import Request


def _parse(body: bytes) -> dict[str, Any] | None:
    try:
        data = orjson.loads(body) if body.strip() else None
    except orjson.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


async def _query(request: Request, fn: Callable[..., Any], *args: Any) -> Any:
    return await run_in_threadpool(request.mw.engine.query, fn, *args)


async def fetch_and_lock(request: Request) -> None:
    body = await request.body()
    data = _parse(body)
    workable = request.principal.workable
    if data is not None and workable is not None and isinstance(data.get("topics"), list):
        topics = []
        for topic in data["topics"]:
            if not isinstance(topic, dict):
                topics.append(topic)  # malformed: the handler refuses it
                continue
            wanted = topic.get("processDefinitionKeyIn")
            keys = workable & {k for k in wanted if isinstance(k, str)} \
                if isinstance(wanted, list) else workable
            if keys:  # a topic left with no workflow is dropped, not sent as an empty filter
                topics.append({**topic, "processDefinitionKeyIn": sorted(keys)})
        body = orjson.dumps({**data, "topics": topics})
    await request.run(receive=request.replay(body))


async def _hide_unless_workable(request: Request, data: dict[str, Any], body: bytes,
                                keys: set[str | None], name_field: str,
                                row: tuple[str, str] | None) -> None:
    """Run, hide or refuse a message/signal, as the module docstring says."""
    principal = request.principal
    hidden = {k for k in keys if not principal.works(k)}
    if row is not None and isinstance(data.get(row[1]), str):
        located = await _query(request, authorizations.key_of, row[0], data[row[1]])
        if located.found and not principal.works(located.key):
            hidden.add(located.key)
            data[row[1]] = request.sentinel(data[row[1]])
    if hidden and keys - hidden:
        await request.deny(next((k for k in hidden if k), None), None)
        return
    if hidden:
        await request.mw.log(operation_log.denied, principal.user_id, request.description,
                             "ProcessInstance", next((k for k in hidden if k), None))
        data[name_field] = request.sentinel(data[name_field])
        body = orjson.dumps(data)
    await request.run(receive=request.replay(body))


async def message(request: Request) -> None:
    body = await request.body()
    data = _parse(body)
    if data is None or not isinstance(data.get("messageName"), str):
        await request.run(receive=request.replay(body))
        return
    instance = data.get("processInstanceId")
    keys = await _query(request, authorizations.message_keys, data["messageName"],
                        instance if isinstance(instance, str) else None)
    await _hide_unless_workable(request, data, body, keys, "messageName",
                                ("instance", "processInstanceId"))


async def signal(request: Request) -> None:
    body = await request.body()
    data = _parse(body)
    if data is None or not isinstance(data.get("name"), str):
        await request.run(receive=request.replay(body))
        return
    execution = data.get("executionId")
    keys = await _query(request, authorizations.signal_keys, data["name"],
                        execution if isinstance(execution, str) else None)
    await _hide_unless_workable(request, data, body, keys, "name",
                                ("execution", "executionId"))


async def definition_statistics(request: Request) -> None:
    principal = request.principal

    def keep(body: bytes) -> bytes:
        rows = orjson.loads(body)
        if not isinstance(rows, list):
            return body
        return orjson.dumps([r for r in rows if isinstance(r, dict) and principal.sees(
            (r.get("definition") or {}).get("key"))])
    await request.run(rewrite=_on_success(keep))


async def topic_names(request: Request) -> None:
    visible = request.principal.visible
    allowed = await _query(request, authorizations.topics_of, visible) if visible is not None \
        else None

    def keep(body: bytes) -> bytes:
        names = orjson.loads(body)
        if allowed is None or not isinstance(names, list):
            return body
        return orjson.dumps([n for n in names if n in allowed])
    await request.run(rewrite=_on_success(keep))


def _on_success(transform: Callable[[bytes], bytes]) -> Callable[[bytes], bytes]:
    """Transform a JSON answer; leave error bodies (and anything unparsable) alone."""
    def safe(body: bytes) -> bytes:
        try:
            return transform(body)
        except orjson.JSONDecodeError:
            return body
    return safe


GUARDS: dict[tuple[str, str], Callable[[Request], Awaitable[None]]] = {
    ("POST", "/external-task/fetchAndLock"): fetch_and_lock,
    ("POST", "/message"): message,
    ("POST", "/signal"): signal,
    ("GET", "/process-definition/statistics"): definition_statistics,
    ("GET", "/external-task/topic-names"): topic_names,
}
