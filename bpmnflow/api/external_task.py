"""``/external-task``: fetch and lock (with long polling), complete, failure, BPMN error,
locks, retries, priority and queries."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, convert, flag, paging, query_params
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, engine_of, query
from bpmnflow.api.variables import parse_variables
from bpmnflow.errors import InvalidRequestError, NotFoundError, RestError
from bpmnflow.services import external_tasks as ext
from bpmnflow.services import queries
from bpmnflow.services.external_task_queries import SPEC
from bpmnflow.store.entities import ExternalTask

MAX_TIMEOUT = 1_800_000


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
    value = data.get(name, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequestError(400, f"Cannot deserialize value of '{name}': not a number")
    return int(value)


def _topics(data: dict[str, Any]) -> list[ext.Topic]:
    topics = []
    for raw in data.get("topics") or []:
        if not isinstance(raw, dict) or not raw.get("topicName"):
            raise InvalidRequestError(400, "Each topic needs a topicName")
        lock = _int(raw, "lockDuration")
        if lock is None or lock <= 0:
            raise RestError(400, f"lockDuration is not greater than 0 for topic "
                                 f"'{raw['topicName']}'")
        topics.append(ext.Topic(
            name=raw["topicName"], lock_duration=lock, variables=raw.get("variables"),
            local_variables=bool(raw.get("localVariables")),
            business_key=raw.get("businessKey"),
            definition_id=raw.get("processDefinitionId"),
            definition_ids=raw.get("processDefinitionIdIn"),
            definition_key=raw.get("processDefinitionKey"),
            definition_keys=raw.get("processDefinitionKeyIn"),
            version_tag=raw.get("processDefinitionVersionTag"),
            tenant_ids=raw.get("tenantIdIn"),
            without_tenant_id=bool(raw.get("withoutTenantId")),
            process_variables=raw.get("processVariables") or {},
            include_extension_properties=bool(raw.get("includeExtensionProperties"))))
    return topics


def _locked_dto(request: Request, locked: ext.Locked, topics: list[ext.Topic]) -> dict[str, Any]:
    t = locked.task
    out = task_dto(t)
    out["errorDetails"] = t.error_details
    topic = next(tp for tp in topics if tp.name == t.topic_name)
    out["variables"] = dto.variables(locked.variables, deserialize=False)
    props: dict[str, Any] = {}
    if topic.include_extension_properties:
        _, model = engine_of(request).definitions.get(t.proc_def_id)
        node = model.nodes.get(t.activity_id)
        props = dict(node.props.get("properties") or {}) if node is not None else {}
    out["extensionProperties"] = props
    return out


async def fetch_and_lock(request: Request) -> Response:
    data = await body(request)
    worker = data.get("workerId")
    if worker is None:
        raise InvalidRequestError(400, "workerId must not be null")
    max_tasks = _int(data, "maxTasks", 10) or 0
    timeout = _int(data, "asyncResponseTimeout", 0) or 0
    if timeout > MAX_TIMEOUT:
        raise InvalidRequestError(
            400, f"The asynchronous response timeout cannot be set to a value greater than "
                 f"{MAX_TIMEOUT} milliseconds")
    topics = _topics(data)
    sorting = None
    for item in data.get("sorting") or []:
        if isinstance(item, dict) and item.get("sortBy") == "createTime":
            sorting = item.get("sortOrder")
    notifier = engine_of(request).notifiers["external_task"]
    deadline = time.monotonic() + timeout / 1000
    while True:
        waiter = notifier.register() if timeout > 0 else None
        try:
            locked = await command(request, ext.fetch_and_lock, str(worker), max_tasks,
                                   bool(data.get("usePriority")), topics, sorting)
            remaining = deadline - time.monotonic()
            if locked or waiter is None or remaining <= 0:
                return json([_locked_dto(request, item, topics) for item in locked])
            try:
                await asyncio.wait_for(waiter[1].wait(), remaining)
            except TimeoutError:
                return json([])
        finally:
            if waiter is not None:
                notifier.unregister(waiter)


async def _handle(request: Request, fn: Any, *args: Any) -> Response:
    try:
        await command(request, fn, request.path_params["id"], *args)
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    return no_content()


async def complete(request: Request) -> Response:
    data = await body(request)
    return await _handle(request, ext.complete, data.get("workerId"),
                         parse_variables(data.get("variables")),
                         parse_variables(data.get("localVariables")))


async def failure(request: Request) -> Response:
    data = await body(request)
    retries = _int(data, "retries", 0)
    return await _handle(request, ext.failure, data.get("workerId"), data.get("errorMessage"),
                         data.get("errorDetails"), retries or 0,
                         _int(data, "retryTimeout", 0) or 0)


async def bpmn_error(request: Request) -> Response:
    data = await body(request)
    code = data.get("errorCode")
    if not code:
        raise InvalidRequestError(400, "errorCode must not be null or empty")
    return await _handle(request, ext.bpmn_error, data.get("workerId"), str(code),
                         data.get("errorMessage"), parse_variables(data.get("variables")))


async def extend_lock(request: Request) -> Response:
    data = await body(request)
    duration = _int(data, "newDuration")
    if duration is None or duration <= 0:
        raise InvalidRequestError(400, "newDuration must be greater than 0")
    return await _handle(request, ext.extend_lock, data.get("workerId"), duration)


async def lock(request: Request) -> Response:
    data = await body(request)
    duration = _int(data, "lockDuration")
    if duration is None or duration <= 0:
        raise InvalidRequestError(400, "lockDuration must be greater than 0")
    return await _handle(request, ext.lock, data.get("workerId"), duration)


async def unlock(request: Request) -> Response:
    return await _handle(request, ext.unlock)


async def set_retries(request: Request) -> Response:
    data = await body(request)
    retries = _int(data, "retries")
    if retries is None or retries < 0:
        raise InvalidRequestError(400, "The number of retries cannot be negative.")
    return await _handle(request, ext.set_retries, retries)


async def set_priority(request: Request) -> Response:
    data = await body(request)
    priority = _int(data, "priority")
    if priority is None:
        raise InvalidRequestError(400, "priority must not be null")
    return await _handle(request, ext.set_priority, priority)


async def retries_bulk(request: Request) -> Response:
    data = await body(request)
    retries = _int(data, "retries")
    if retries is None or retries < 0:
        raise InvalidRequestError(400, "The number of retries cannot be negative.")
    ids = list(data.get("externalTaskIds") or [])
    if data.get("externalTaskQuery"):
        q = queries.build(SPEC, data["externalTaskQuery"], convert)
        ids += [t.id for t in await query(request, queries.run_list, q, None, None)]
    if not ids:
        raise InvalidRequestError(400, "externalTaskIds is empty")
    await command(request, ext.set_retries_many, ids, retries)
    return no_content()


async def get_task(request: Request) -> Response:
    task_id = request.path_params["id"]
    found = await query(request, ext.get, task_id)
    if found is None:
        raise InvalidRequestError(404, f"External task with id {task_id} does not exist")
    return json(task_dto(found))


async def error_details(request: Request) -> Response:
    task_id = request.path_params["id"]
    found = await query(request, ext.get, task_id)
    if found is None:
        raise InvalidRequestError(404, f"External task with id {task_id} does not exist")
    return Response(found.error_details or "", media_type="text/plain")


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
