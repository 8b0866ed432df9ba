"""``/external-task``: fetch and lock (with long polling), complete, failure, BPMN error,
locks, retries, priority and queries.

Long polling parks the request on the engine's ``external_task`` notifier: a command that
creates or frees a task wakes every parked fetch, which then tries again. A parked fetch also
wakes when a lock on its topics runs out, when its worker hangs up (so that no task is locked
for a worker that is gone), and every ``PENDING_FETCH_INTERVAL`` for tasks that other nodes of
a cluster created.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, convert, flag, mapping_error, paging, query_params
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, engine_of, query
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import BadUserRequestError, InvalidRequestError, NotFoundError, RestError
from bpmnflow.services import external_tasks as ext
from bpmnflow.services import queries
from bpmnflow.services.external_task_queries import SPEC
from bpmnflow.store.entities import ExternalTask

MAX_TIMEOUT = 1_800_000
PENDING_FETCH_INTERVAL = 5.0  # seconds between re-fetches of a parked request
MIN_PARK = 0.02  # seconds: the shortest a parked request sleeps before fetching again


def task_dto(t: ExternalTask) -> dict[str, Any]:
    return {
        "activityId": t.activity_id, "activityInstanceId": t.activity_instance_id,
        "errorMessage": t.error_message, "executionId": t.execution_id, "id": t.id,
        "lockExpirationTime": dto.date(t.lock_expiration),
        "processDefinitionId": t.proc_def_id, "processDefinitionKey": t.proc_def_key,
        "processDefinitionVersionTag": t.proc_def_version_tag,
        "processInstanceId": t.proc_inst_id, "tenantId": t.tenant_id, "retries": t.retries,
        "suspended": t.suspension_state == 2, "workerId": t.worker_id,
        "topicName": t.topic_name, "priority": t.priority, "businessKey": t.business_key,
        "createTime": dto.date(t.create_time),
    }


def _int(data: dict[str, Any], name: str, default: int | None = None) -> int | None:
    """A number field as Jackson reads it: JSON numbers, and numeric strings coerced."""
    value = data.get(name, default)
    if value is None:
        return default
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise mapping_error(f"Cannot deserialize value of type `int` from '{name}': not a number")
    return int(value)


def _strings(raw: dict[str, Any], name: str) -> list[str] | None:
    value = raw.get(name)
    if value is None:
        return None
    if not isinstance(value, list):
        raise mapping_error(f"Cannot deserialize '{name}': expected a JSON array")
    return [str(v) for v in value]


def _topic(raw: Any) -> ext.Topic:
    if not isinstance(raw, dict):
        raise mapping_error("Cannot deserialize a topic: expected a JSON object")
    process_variables = raw.get("processVariables") or {}
    if not isinstance(process_variables, dict):
        raise mapping_error("Cannot deserialize 'processVariables': expected a JSON object")
    return ext.Topic(
        name=_text(raw.get("topicName")), lock_duration=_int(raw, "lockDuration", 0) or 0,
        variables=_strings(raw, "variables"), local_variables=bool(raw.get("localVariables")),
        deserialize_values=bool(raw.get("deserializeValues")),
        business_key=raw.get("businessKey"),
        definition_id=raw.get("processDefinitionId"),
        definition_ids=_strings(raw, "processDefinitionIdIn"),
        definition_key=raw.get("processDefinitionKey"),
        definition_keys=_strings(raw, "processDefinitionKeyIn"),
        version_tag=raw.get("processDefinitionVersionTag"),
        tenant_ids=_strings(raw, "tenantIdIn"),
        without_tenant_id=bool(raw.get("withoutTenantId")),
        process_variables=process_variables,
        include_extension_properties=bool(raw.get("includeExtensionProperties")))


def _sort_create_time(data: dict[str, Any]) -> str | None:
    order = None
    for item in data.get("sorting") or []:
        if isinstance(item, dict) and item.get("sortBy") == "createTime":
            order = item.get("sortOrder")
    return order


def _locked_dto(request: Request, locked: ext.Locked) -> dict[str, Any]:
    t, topic = locked.task, locked.topic
    out = task_dto(t)
    out["errorDetails"] = t.error_details
    out["variables"] = dto.variables(locked.variables, deserialize=topic.deserialize_values)
    props: dict[str, Any] = {}
    if topic.include_extension_properties:
        _, model = engine_of(request).definitions.get(t.proc_def_id)
        node = model.nodes.get(t.activity_id)
        props = dict(node.props.get("properties") or {}) if node is not None else {}
    out["extensionProperties"] = props
    return out


async def _parked_for(request: Request, topics: list[ext.Topic], remaining: float) -> float:
    """How long a fetch that found nothing may sleep: until its timeout, a lock on its topics
    running out (a failed task's retry timeout), or the next poll, whichever comes first.

    Wake-ups from commands reach only the waiters of this process, so the poll interval is
    what lets tasks created by another node of a cluster arrive (Camunda polls too)."""
    names = list(dict.fromkeys(t.name for t in topics if t.name is not None))
    unlock_at = await query(request, ext.next_unlock, names)
    wait = min(remaining, PENDING_FETCH_INTERVAL)
    if unlock_at is not None:  # a floor, so that a clock held still cannot make us spin
        until = (unlock_at - engine_of(request).clock.now_ms()) / 1000
        wait = min(wait, max(until, MIN_PARK))
    return wait


async def fetch_and_lock(request: Request) -> Response:
    """Answer at once when tasks are available; else park the request until a command wakes
    it, a lock runs out, the worker hangs up, or ``asyncResponseTimeout`` ends with ``[]``."""
    data = await body(request)
    timeout = _int(data, "asyncResponseTimeout")
    if timeout is not None and timeout > MAX_TIMEOUT:
        raise InvalidRequestError(
            400, f"The asynchronous response timeout cannot be set to a value greater than "
                 f"{MAX_TIMEOUT} milliseconds")
    raw_topics = data.get("topics") or []
    if not isinstance(raw_topics, list):
        raise mapping_error("Cannot deserialize 'topics': expected a JSON array")
    topics = [_topic(raw) for raw in raw_topics]
    args = (ext.worker_text(data.get("workerId")), _int(data, "maxTasks", 0) or 0,
            bool(data.get("usePriority")), topics, _sort_create_time(data))
    if timeout is None:
        locked = await command(request, ext.fetch_and_lock, *args)
        return json([_locked_dto(request, item) for item in locked])
    hung_up = asyncio.ensure_future(_hang_up(request))
    try:
        return await _long_poll(request, args, topics, time.monotonic() + timeout / 1000,
                                hung_up)
    finally:
        hung_up.cancel()


async def _long_poll(request: Request, args: tuple[Any, ...], topics: list[ext.Topic],
                     deadline: float, hung_up: asyncio.Future[None]) -> Response:
    notifier = engine_of(request).notifiers["external_task"]
    while True:
        # registered before fetching, so that a task created meanwhile still wakes us
        waiter = notifier.register()
        try:
            locked = await command(request, ext.fetch_and_lock, *args)
            remaining = deadline - time.monotonic()
            if locked and hung_up.done():
                # The worker left while we locked for it: give the tasks back at once
                # instead of keeping them locked for nobody until lockDuration ends.
                await command(request, ext.unlock_for_worker,
                              [item.task.id for item in locked], args[0])
                return json([])
            if locked or remaining <= 0:
                return json([_locked_dto(request, item) for item in locked])
            sleep = await _parked_for(request, topics, remaining)
            woken: asyncio.Future[Any] = asyncio.ensure_future(waiter[1].wait())
            either: set[asyncio.Future[Any]] = {woken, hung_up}
            try:
                await asyncio.wait(either, timeout=sleep, return_when=asyncio.FIRST_COMPLETED)
            finally:
                woken.cancel()
            if hung_up.done():  # nobody left to hand a locked task to
                return json([])
        finally:
            notifier.unregister(waiter)


async def _hang_up(request: Request) -> None:
    """Returns when the client disconnects (the body has been read: nothing else arrives)."""
    try:
        while (await request.receive())["type"] != "http.disconnect":
            pass
    except Exception:  # a connection that cannot be read from is as good as gone
        return


async def _handle(request: Request, fn: Any, *args: Any, bad_request: bool = True) -> Response:
    """Run a task operation; Camunda's resource turns a missing task into 404 and (for the
    worker operations) a refused request into 400, both as ``RestException``."""
    task_id = request.path_params["id"]
    try:
        await command(request, fn, task_id, *args)
    except NotFoundError as exc:
        raise RestError(404, f"External task with id {task_id} does not exist",
                        code=exc.code) from None
    except BadUserRequestError as exc:
        if not bad_request:
            raise
        raise RestError(400, exc.message, code=exc.code) from None
    return no_content()


async def complete(request: Request) -> Response:
    data = await body(request)
    return await _handle(request, ext.complete, data.get("workerId"),
                         parse_variables(data.get("variables")),
                         parse_variables(data.get("localVariables")))


async def failure(request: Request) -> Response:
    data = await body(request)
    return await _handle(request, ext.failure, data.get("workerId"), data.get("errorMessage"),
                         _text(data.get("errorDetails")), _int(data, "retries", 0) or 0,
                         _int(data, "retryTimeout", 0) or 0,
                         parse_variables(data.get("variables")),
                         parse_variables(data.get("localVariables")))


def _text(value: Any) -> str | None:
    """Error details are a String in Camunda; a worker sending JSON gets its text stored."""
    if value is None or isinstance(value, str):
        return value
    return orjson.dumps(value).decode()


async def bpmn_error(request: Request) -> Response:
    data = await body(request)
    code = data.get("errorCode")
    return await _handle(request, ext.bpmn_error, data.get("workerId"),
                         None if code is None else str(code), data.get("errorMessage"),
                         parse_variables(data.get("variables")))


async def extend_lock(request: Request) -> Response:
    data = await body(request)
    return await _handle(request, ext.extend_lock, data.get("workerId"),
                         _int(data, "newDuration", 0) or 0)


async def lock(request: Request) -> Response:
    data = await body(request)
    return await _handle(request, ext.lock, data.get("workerId"),
                         _int(data, "lockDuration", 0) or 0)


async def unlock(request: Request) -> Response:
    return await _handle(request, ext.unlock, bad_request=False)


async def set_retries(request: Request) -> Response:
    data = await body(request)
    retries = _int(data, "retries")
    if retries is None:
        raise InvalidRequestError(400, "The number of retries cannot be null.")
    return await _handle(request, ext.set_retries, retries, bad_request=False)


async def set_priority(request: Request) -> Response:
    data = await body(request)
    priority = _int(data, "priority")
    if priority is None:
        raise InvalidRequestError(400, "priority must not be null")
    return await _handle(request, ext.set_priority, priority, bad_request=False)


async def retries_bulk(request: Request) -> Response:
    """``PUT /external-task/retries``: by ids, by external task query, by process instances."""
    data = await body(request)
    retries = _int(data, "retries")
    if retries is None:
        raise InvalidRequestError(400, "The number of retries cannot be null.")
    ids = data.get("externalTaskIds") or []
    if not isinstance(ids, list):
        raise mapping_error("Cannot deserialize 'externalTaskIds': expected a JSON array")
    if isinstance(data.get("externalTaskQuery"), dict):
        q = queries.build(SPEC, data["externalTaskQuery"], convert)
        ids = [*ids, *(t.id for t in await query(request, queries.run_list, q, None, None))]
    instances = _strings(data, "processInstanceIds") or []
    try:
        await command(request, ext.set_retries_many, ids, retries, instances)
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    except BadUserRequestError as exc:
        raise InvalidRequestError(400, exc.message) from None
    return no_content()


async def get_task(request: Request) -> Response:
    task_id = request.path_params["id"]
    found = await query(request, ext.get, task_id)
    if found is None:
        raise RestError(404, f"External task with id {task_id} does not exist")
    return json(task_dto(found))


async def error_details(request: Request) -> Response:
    task_id = request.path_params["id"]
    found = await query(request, ext.get, task_id)
    if found is None:  # Camunda wraps the engine's NotFoundException, keeping its code
        raise RestError(404, f"External task with id {task_id} does not exist", code=0)
    if found.error_details is None:  # a null String entity is JAX-RS's 204
        return no_content()
    return Response(found.error_details, media_type="text/plain")


async def _list(request: Request, params: dict[str, Any]) -> Response:
    q = queries.build(SPEC, params, convert)
    first, limit = paging(request)
    rows = await query(request, queries.run_list, q, first, limit)
    return json([task_dto(t) for t in rows])


async def _count(request: Request, params: dict[str, Any]) -> Response:
    q = queries.build(SPEC, params, convert)
    return json({"count": await query(request, queries.run_count, q)})


async def list_get(request: Request) -> Response:
    return await _list(request, query_params(request))


async def list_post(request: Request) -> Response:
    return await _list(request, await body(request))


async def count_get(request: Request) -> Response:
    return await _count(request, query_params(request))


async def count_post(request: Request) -> Response:
    return await _count(request, await body(request))


async def topic_names(request: Request) -> Response:
    names = await query(request, ext.topic_names, flag(request, "withLockedTasks"),
                        flag(request, "withUnlockedTasks"), flag(request, "withRetriesLeft"))
    return json(names)


routes = [
    Route("/external-task", list_get, methods=["GET"]),
    Route("/external-task", list_post, methods=["POST"]),
    Route("/external-task/count", count_get, methods=["GET"]),
    Route("/external-task/count", count_post, methods=["POST"]),
    Route("/external-task/fetchAndLock", fetch_and_lock, methods=["POST"]),
    Route("/external-task/retries", retries_bulk, methods=["PUT"]),
    Route("/external-task/topic-names", topic_names, methods=["GET"]),
    Route("/external-task/{id}", get_task, methods=["GET"]),
    Route("/external-task/{id}/complete", complete, methods=["POST"]),
    Route("/external-task/{id}/failure", failure, methods=["POST"]),
    Route("/external-task/{id}/bpmnError", bpmn_error, methods=["POST"]),
    Route("/external-task/{id}/extendLock", extend_lock, methods=["POST"]),
    Route("/external-task/{id}/lock", lock, methods=["POST"]),
    Route("/external-task/{id}/unlock", unlock, methods=["POST"]),
    Route("/external-task/{id}/retries", set_retries, methods=["PUT"]),
    Route("/external-task/{id}/priority", set_priority, methods=["PUT"]),
    Route("/external-task/{id}/errorDetails", error_details, methods=["GET"]),
]
