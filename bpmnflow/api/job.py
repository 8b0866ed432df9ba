"""``/job``: query, get, execute, retries, due dates, priority, suspension, deletion.

Status codes follow Camunda's ``JobResourceImpl``, which differ from one operation to the next:
e.g. ``execute`` turns every engine error (also the job's own failure) into a 404, while
``retries`` and ``duedate`` turn them into a 500.
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.history_common import query_routes
from bpmnflow.api.params import body, convert, flag, mapping_error
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, engine_of, query
from bpmnflow.errors import EngineError, InvalidRequestError, NotFoundError, RestError
from bpmnflow.services import job_queries, jobs, queries
from bpmnflow.store.entities import SUSPENDED, Job
from bpmnflow.store.query import Query
from bpmnflow.variables.dates import parse_date


def job_dto(job: Job, _: bool = True) -> dict[str, Any]:
    """Camunda's JobDto."""
    return {
        "id": job.id, "jobDefinitionId": job.job_def_id, "dueDate": date(job.due_date),
        "processInstanceId": job.proc_inst_id, "executionId": job.execution_id,
        "processDefinitionId": job.proc_def_id, "processDefinitionKey": job.proc_def_key,
        "retries": job.retries, "exceptionMessage": job.exception_message,
        "failedActivityId": job.failed_activity_id,
        "suspended": job.suspension_state == SUSPENDED, "priority": job.priority,
        "tenantId": job.tenant_id, "createTime": date(job.create_time), "batchId": None,
    }


def _build(params: dict[str, Any], from_url: bool = True) -> Query[Any]:
    return job_queries.build(job_queries.JOBS, params, convert)


# -- request bodies ------------------------------------------------------------------------------
def int_field(data: dict[str, Any], name: str) -> int | None:
    """A JSON integer; anything else is Jackson's 400, as a Camunda client would see it."""
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise mapping_error(f"Cannot deserialize value of type `java.lang.Integer` from "
                            f"{value!r}: not a valid Integer value")
    return int(value)


def date_field(data: dict[str, Any], name: str) -> int | None:
    """A JSON date in Camunda's format as epoch milliseconds (``None`` stays ``None``)."""
    value = data.get(name)
    if value is None:
        return None
    try:
        return int(parse_date(str(value)).timestamp() * 1000)
    except (ValueError, TypeError):
        raise mapping_error(f"Cannot deserialize value of type `java.util.Date` from String "
                            f"\"{value}\": not a valid representation") from None


def bool_field(data: dict[str, Any], name: str) -> bool:
    value = data.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise mapping_error(f"Cannot deserialize value of type `boolean` from {value!r}")
    return value


def str_field(data: dict[str, Any], name: str) -> str | None:
    value = data.get(name)
    return None if value is None else str(value)


async def _engine_call(request: Request, status: int, fn: Any, *args: Any,
                       not_found: int | None = None) -> Any:
    """Run a command; engine errors become ``InvalidRequestException`` with ``status``
    (``not_found`` for an engine NotFoundException), as the job resource does."""
    try:
        return await command(request, fn, *args)
    except RestError:
        raise
    except NotFoundError as exc:
        raise InvalidRequestError(not_found or status, exc.message) from None
    except EngineError as exc:
        raise InvalidRequestError(status, exc.message) from None


# -- single job ---------------------------------------------------------------------------------
async def get_job(request: Request) -> Response:
    job_id = request.path_params["id"]
    found = await query(request, jobs.get, job_id)
    if found is None:
        raise InvalidRequestError(404, f"Job with id {job_id} does not exist")
    return json(job_dto(found))


async def stacktrace(request: Request) -> Response:
    try:
        trace = await query(request, jobs.exception_stacktrace, request.path_params["id"])
    except EngineError as exc:
        raise InvalidRequestError(404, exc.message) from None
    if trace is None:  # Camunda's JAX-RS answers a null String with 204
        return no_content()
    return Response(trace, media_type="text/plain")


async def execute(request: Request) -> Response:
    try:
        await run_in_threadpool(jobs.execute_and_record, engine_of(request),
                                request.path_params["id"])
    except EngineError as exc:
        raise InvalidRequestError(404, exc.message) from None
    except Exception as exc:
        raise RestError(500, jobs.describe_failure(exc)[0]) from None
    return no_content()


async def set_retries(request: Request) -> Response:
    data = await body(request)
    retries = int_field(data, "retries")
    if retries is None:
        raise InvalidRequestError(400, "retries is null")
    # a due date in the body (null included) is set; without one the due date stays
    due = jobs.DueDate(date_field(data, "dueDate")) if "dueDate" in data else None
    await _engine_call(request, 500, jobs.set_retries, request.path_params["id"], retries, due)
    return no_content()


async def set_due_date(request: Request) -> Response:
    data = await body(request)
    await _engine_call(request, 500, jobs.set_due_date, request.path_params["id"],
                       date_field(data, "duedate"), bool_field(data, "cascade"))
    return no_content()


async def recalculate(request: Request) -> Response:
    creation_based = flag(request, "creationDateBased", True)
    await _engine_call(request, 500, jobs.recalculate_due_date, request.path_params["id"],
                       creation_based, not_found=404)
    return no_content()


async def set_priority(request: Request) -> Response:
    job_id = request.path_params["id"]
    data = await body(request)
    priority = data.get("priority")
    if priority is None:
        raise RestError(400, f"Priority for job '{job_id}' cannot be null.")
    try:
        await command(request, jobs.set_priority, job_id, _long(priority))
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    except RestError:
        raise
    except EngineError as exc:
        raise RestError(500, exc.message) from None
    return no_content()


def _long(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise mapping_error(f"Cannot deserialize value of type `java.lang.Long` from "
                            f"{value!r}: not a valid Long value")
    return int(value)


async def set_suspended(request: Request) -> Response:
    data = await body(request)
    await command(request, jobs.set_suspended, request.path_params["id"],
                  bool_field(data, "suspended"))
    return no_content()


async def delete_job(request: Request) -> Response:
    try:
        await command(request, jobs.delete_job, request.path_params["id"])
    except RestError:
        raise
    except EngineError as exc:
        if exc.camunda_type == "NullValueException":
            raise InvalidRequestError(404, exc.message) from None
        raise RestError(500, exc.message) from None
    return no_content()


# -- many jobs ----------------------------------------------------------------------------------
_SELECTORS = ("jobId", "jobDefinitionId", "processInstanceId", "processDefinitionId",
              "processDefinitionKey")


async def suspend_many(request: Request) -> Response:
    data = await body(request)
    if data.get("jobId") is not None:
        raise InvalidRequestError(400, "Either jobDefinitionId, processInstanceId, "
                                       "processDefinitionId or processDefinitionKey can be set "
                                       "to update the suspension state.")
    given = [name for name in _SELECTORS if data.get(name) is not None]
    if len(given) > 1:
        raise InvalidRequestError(400, "Only one of jobId, jobDefinitionId, processInstanceId, "
                                       "processDefinitionId or processDefinitionKey should be "
                                       "set to update the suspension state.")
    if not given:
        raise InvalidRequestError(400, "Either jobId, jobDefinitionId, processInstanceId, "
                                       "processDefinitionId or processDefinitionKey should be "
                                       "set to update the suspension state.")
    selection = jobs.JobSelection(
        job_definition_id=str_field(data, "jobDefinitionId"),
        process_instance_id=str_field(data, "processInstanceId"),
        process_definition_id=str_field(data, "processDefinitionId"),
        process_definition_key=str_field(data, "processDefinitionKey"),
        tenant_id=str_field(data, "processDefinitionTenantId"),
        without_tenant=bool_field(data, "processDefinitionWithoutTenantId"))
    await command(request, jobs.set_suspended_many, selection, bool_field(data, "suspended"))
    return no_content()


async def retries_many(request: Request) -> Response:
    """``POST /job/retries``: Camunda runs a batch; here the retries are set at once and the
    answer describes a batch that has already done its work."""
    data = await body(request)
    retries = int_field(data, "retries")
    if retries is None:
        raise InvalidRequestError(400, "retries is null")
    ids = [str(i) for i in data.get("jobIds") or []]
    job_query = data.get("jobQuery")
    if data.get("jobIds") is None and job_query is None:
        raise EngineError("ENGINE-13050 You must specify at least one of jobIds or jobQuery.")
    if isinstance(job_query, dict):
        rows = await query(request, queries.run_list, _build(job_query), None, None)
        ids += [row.id for row in rows]
    if not ids:
        raise InvalidRequestError(400, "jobIds is empty")
    if retries < 0:
        raise EngineError("Retries count is not greater than or equal to 0")
    due = jobs.DueDate(date_field(data, "dueDate")) if "dueDate" in data else None
    changed = await command(request, jobs.set_retries_many, ids, retries, due)
    return json(_batch(len(set(ids)), changed, engine_of(request).clock.now_ms()))


def _batch(total: int, done: int, now_ms: int) -> dict[str, Any]:
    now = date(now_ms)
    return {
        "id": str(uuid.uuid4()), "type": "set-job-retries", "totalJobs": total,
        "jobsCreated": total,
        "batchJobsPerSeed": 100, "invocationsPerBatchJob": 1, "seedJobDefinitionId": None,
        "monitorJobDefinitionId": None, "batchJobDefinitionId": None, "suspended": False,
        "tenantId": None, "createUserId": None, "startTime": now,
        "executionStartTime": now if done else None,
    }


routes = [
    *query_routes("/job", _build, job_dto),
    Route("/job/retries", retries_many, methods=["POST"]),
    Route("/job/suspended", suspend_many, methods=["PUT"]),
    Route("/job/{id}", get_job, methods=["GET"]),
    Route("/job/{id}", delete_job, methods=["DELETE"]),
    Route("/job/{id}/duedate", set_due_date, methods=["PUT"]),
    Route("/job/{id}/duedate/recalculate", recalculate, methods=["POST"]),
    Route("/job/{id}/execute", execute, methods=["POST"]),
    Route("/job/{id}/priority", set_priority, methods=["PUT"]),
    Route("/job/{id}/retries", set_retries, methods=["PUT"]),
    Route("/job/{id}/stacktrace", stacktrace, methods=["GET"]),
    Route("/job/{id}/suspended", set_suspended, methods=["PUT"]),
]
