"""The asynchronous operations: each answers a batch and leaves the work to the job executor."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.batch import batch_dto
from bpmnflow.api.params import body, convert
from bpmnflow.api.responses import json
from bpmnflow.api.runner import command, query
from bpmnflow.errors import BadUserRequestError, InvalidRequestError
from bpmnflow.services import batch_operations as _registered  # noqa: F401 - registers types
from bpmnflow.services import batches, history, process_instances, queries
from bpmnflow.services.external_task_queries import SPEC as EXTERNAL_TASKS
from bpmnflow.store.entities import Batch


async def _ids(request: Request, data: dict[str, Any], ids_key: str = "processInstanceIds",
               runtime_key: str | None = "processInstanceQuery",
               history_key: str | None = "historicProcessInstanceQuery") -> list[str]:
    ids = list(data.get(ids_key) or [])
    if runtime_key and isinstance(data.get(runtime_key), dict):
        q = queries.build(process_instances.SPEC, data[runtime_key], convert)
        ids += [r.id for r in await query(request, queries.run_list, q, None, None)]
    if history_key and isinstance(data.get(history_key), dict):
        q = history.build_stable(history.PROCESS_INSTANCES, data[history_key], convert)
        ids += [r.id for r in await query(request, queries.run_list, q, None, None)]
    return list(dict.fromkeys(ids))


async def _create(request: Request, batch_type: str, items: list[str],
                  options: dict[str, Any]) -> Response:
    try:
        batch: Batch = await command(request, batches.create, batch_type, items, options)
    except BadUserRequestError as exc:
        raise InvalidRequestError(400, exc.message) from None
    return json(batch_dto(batch))


async def delete_instances(request: Request) -> Response:
    data = await body(request)
    return await _create(request, "instance-deletion", await _ids(request, data), {
        "deleteReason": data.get("deleteReason"),
        "skipCustomListeners": bool(data.get("skipCustomListeners")),
        "skipSubprocesses": bool(data.get("skipSubprocesses")),
        "skipIoMappings": bool(data.get("skipIoMappings"))})


async def delete_historic_query_based(request: Request) -> Response:
    data = await body(request)
    ids = await _ids(request, data, runtime_key=None)
    return await _create(request, "instance-deletion", ids, {
        "deleteReason": data.get("deleteReason"),
        "skipCustomListeners": bool(data.get("skipCustomListeners")),
        "skipSubprocesses": bool(data.get("skipSubprocesses"))})


async def delete_history(request: Request) -> Response:
    data = await body(request)
    ids = await _ids(request, data, "historicProcessInstanceIds", runtime_key=None)
    return await _create(request, "historic-instance-deletion", ids,
                         {"failIfNotExists": data.get("failIfNotExists", True) is not False})


async def modification_async(request: Request) -> Response:
    data = await body(request)
    from bpmnflow.api.modification import instructions

    instructions(data.get("instructions") or [])  # validate now, run later
    return await _create(request, "instance-modification",
                         [request.path_params["id"]], _modification_options(data))


def _modification_options(data: dict[str, Any]) -> dict[str, Any]:
    return {"instructions": data.get("instructions") or [],
            "skipCustomListeners": bool(data.get("skipCustomListeners")),
            "skipIoMappings": bool(data.get("skipIoMappings"))}


async def execute_modification_async(request: Request) -> Response:
    data = await body(request)
    from bpmnflow.api.modification import instructions

    instructions(data.get("instructions") or [])
    return await _create(request, "instance-modification", await _ids(request, data),
                         _modification_options(data))


async def restart_async(request: Request) -> Response:
    data = await body(request)
    from bpmnflow.api.modification import instructions
    from bpmnflow.runtime.modification import START_TYPES

    instructions(data.get("instructions") or [], START_TYPES)
    ids = await _ids(request, data, runtime_key=None)
    return await _create(request, "instance-restart", ids, {
        "processDefinitionId": request.path_params["id"],
        "instructions": data.get("instructions") or [],
        "initialVariables": bool(data.get("initialVariables")),
        "withoutBusinessKey": bool(data.get("withoutBusinessKey")),
        "skipCustomListeners": bool(data.get("skipCustomListeners")),
        "skipIoMappings": bool(data.get("skipIoMappings"))})


async def migration_async(request: Request) -> Response:
    data = await body(request)
    if not isinstance(data.get("migrationPlan"), dict):
        raise InvalidRequestError(400, "Migration plan cannot be null")
    return await _create(request, "instance-migration", await _ids(request, data, runtime_key=
                                                                     "processInstanceQuery",
                                                                     history_key=None), {
        "plan": data["migrationPlan"],
        "skipCustomListeners": bool(data.get("skipCustomListeners")),
        "skipIoMappings": bool(data.get("skipIoMappings"))})


async def external_task_retries_async(request: Request) -> Response:
    data = await body(request)
    retries = data.get("retries")
    if not isinstance(retries, int) or retries < 0:
        raise InvalidRequestError(400, "The number of retries cannot be negative.")
    ids = list(data.get("externalTaskIds") or [])
    if isinstance(data.get("externalTaskQuery"), dict):
        q = queries.build(EXTERNAL_TASKS, data["externalTaskQuery"], convert)
        ids += [t.id for t in await query(request, queries.run_list, q, None, None)]
    pids = await _ids(request, data)
    if pids:
        q = queries.build(EXTERNAL_TASKS, {"processInstanceIdIn": pids}, convert)
        ids += [t.id for t in await query(request, queries.run_list, q, None, None)]
    return await _create(request, "set-external-task-retries", ids, {"retries": retries})


async def variables_async(request: Request) -> Response:
    data = await body(request)
    if not data.get("variables"):
        raise InvalidRequestError(400, "variables is empty")
    from bpmnflow.api.variables import parse_variables

    parse_variables(data["variables"], "Cannot set variables")
    return await _create(request, "set-variables", await _ids(request, data),
                         {"variables": data["variables"]})


async def message_async(request: Request) -> Response:
    data = await body(request)
    if not data.get("messageName"):
        raise InvalidRequestError(400, "No message name supplied")
    return await _create(request, "correlate-message", await _ids(request, data),
                         {"messageName": data["messageName"],
                          "variables": data.get("variables") or {}})


async def batch_removal_time(request: Request) -> Response:
    from bpmnflow.api.batch import HISTORY_SPEC
    from bpmnflow.api.params import to_date

    data = await body(request)
    modes = [m for m in ("absoluteRemovalTime", "clearedRemovalTime", "calculatedRemovalTime")
             if data.get(m) not in (None, False)]
    if len(modes) != 1:
        raise InvalidRequestError(400, "Exactly one of absoluteRemovalTime, clearedRemovalTime "
                                       "or calculatedRemovalTime must be given")
    ids = list(data.get("historicBatchIds") or [])
    if isinstance(data.get("historicBatchQuery"), dict):
        q = queries.build(HISTORY_SPEC, data["historicBatchQuery"], convert)
        ids += [b.id for b in await query(request, queries.run_list, q, None, None)]
    absolute = to_date("absoluteRemovalTime", data["absoluteRemovalTime"]) \
        if modes[0] == "absoluteRemovalTime" else None
    return await _create(request, "batch-set-removal-time", ids, {
        "mode": "absolute" if absolute is not None else "cleared", "absolute": absolute})


routes = [
    Route("/history/batch/set-removal-time", batch_removal_time, methods=["POST"]),
    Route("/process-instance/delete", delete_instances, methods=["POST"]),
    Route("/process-instance/delete-historic-query-based", delete_historic_query_based,
          methods=["POST"]),
    Route("/process-instance/variables-async", variables_async, methods=["POST"]),
    Route("/process-instance/message-async", message_async, methods=["POST"]),
    Route("/process-instance/{id}/modification-async", modification_async, methods=["POST"]),
    Route("/modification/executeAsync", execute_modification_async, methods=["POST"]),
    Route("/process-definition/{id}/restart-async", restart_async, methods=["POST"]),
    Route("/migration/executeAsync", migration_async, methods=["POST"]),
    Route("/history/process-instance/delete", delete_history, methods=["POST"]),
    Route("/external-task/retries-async", external_task_retries_async, methods=["POST"]),
]
