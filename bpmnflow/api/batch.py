"""``/batch`` and ``/history/batch``: progress, suspension and deletion of batches."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api import dto
from bpmnflow.api.params import body, convert, flag, paging, query_params
from bpmnflow.api.responses import json, no_content
from bpmnflow.api.runner import command, query
from bpmnflow.errors import InvalidRequestError, NotFoundError
from bpmnflow.services import batches, queries
from bpmnflow.services.context import CommandContext
from bpmnflow.services.queries import QuerySpec, eq, in_list
from bpmnflow.services.queries import flag as flag_filter
from bpmnflow.store.entities import SUSPENDED, Batch, HistoricBatch

SPEC = QuerySpec(Batch, filters={
    "batchId": eq("id"), "type": eq("type"), "tenantIdIn": in_list("tenant_id"),
    "withoutTenantId": flag_filter("t.tenant_id IS NULL"),
    "suspended": flag_filter("t.suspension_state = 2", "t.suspension_state = 1"),
    "createdBy": eq("create_user_id"),
}, sorts={"batchId": "t.id", "tenantId": "t.tenant_id"})
HISTORY_SPEC = QuerySpec(HistoricBatch, filters={
    "batchId": eq("id"), "type": eq("type"), "tenantIdIn": in_list("tenant_id"),
    "withoutTenantId": flag_filter("t.tenant_id IS NULL"),
    "completed": flag_filter("t.end_time IS NOT NULL", "t.end_time IS NULL"),
    "createdBy": eq("create_user_id"),
}, sorts={"batchId": "t.id", "startTime": "t.start_time", "endTime": "t.end_time",
          "removalTime": "t.removal_time", "tenantId": "t.tenant_id"})


def batch_dto(b: Batch) -> dict[str, Any]:
    return {"id": b.id, "type": b.type, "totalJobs": b.total_jobs, "jobsCreated": b.jobs_created,
            "batchJobsPerSeed": b.batch_jobs_per_seed,
            "invocationsPerBatchJob": b.invocations_per_batch_job,
            "seedJobDefinitionId": b.seed_job_def_id,
            "monitorJobDefinitionId": b.monitor_job_def_id,
            "batchJobDefinitionId": b.batch_job_def_id,
            "suspended": b.suspension_state == SUSPENDED,
            "tenantId": b.tenant_id, "createUserId": b.create_user_id,
            "startTime": dto.date(b.start_time),
            "executionStartTime": dto.date(b.execution_start_time)}


def historic_dto(b: HistoricBatch) -> dict[str, Any]:
    return {"id": b.id, "type": b.type, "totalJobs": b.total_jobs,
            "batchJobsPerSeed": b.batch_jobs_per_seed,
            "invocationsPerBatchJob": b.invocations_per_batch_job,
            "seedJobDefinitionId": b.seed_job_def_id,
            "monitorJobDefinitionId": b.monitor_job_def_id,
            "batchJobDefinitionId": b.batch_job_def_id, "tenantId": b.tenant_id,
            "createUserId": b.create_user_id, "startTime": dto.date(b.start_time),
            "executionStartTime": dto.date(b.execution_start_time),
            "endTime": dto.date(b.end_time), "removalTime": dto.date(b.removal_time)}


async def list_batches(request: Request) -> Response:
    q = queries.build(SPEC, query_params(request), convert)
    first, limit = paging(request)
    return json([batch_dto(b) for b in await query(request, queries.run_list, q, first, limit)])


async def count_batches(request: Request) -> Response:
    q = queries.build(SPEC, query_params(request), convert)
    return json({"count": await query(request, queries.run_count, q)})


def _statistics(ctx: CommandContext, q: Any, first: int | None, limit: int | None
                ) -> list[dict[str, Any]]:
    out = []
    for b in queries.run_list(ctx, q, first, limit):
        remaining, completed, failed = batches.statistics(ctx, b)
        out.append({**batch_dto(b), "remainingJobs": remaining, "completedJobs": completed,
                    "failedJobs": failed})
    return out


async def statistics(request: Request) -> Response:
    q = queries.build(SPEC, query_params(request), convert)
    first, limit = paging(request)
    return json(await query(request, _statistics, q, first, limit))


async def get_batch(request: Request) -> Response:
    batch_id = request.path_params["id"]
    found = await query(request, lambda ctx: ctx.uow.get(Batch, batch_id))
    if found is None:
        raise InvalidRequestError(404, f"Batch with id '{batch_id}' does not exist")
    return json(batch_dto(found))


async def delete_batch(request: Request) -> Response:
    try:
        await command(request, batches.delete, request.path_params["id"], flag(request, "cascade"))
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    return no_content()


async def suspend_batch(request: Request) -> Response:
    data = await body(request)
    try:
        await command(request, batches.set_suspended, request.path_params["id"],
                      bool(data.get("suspended")))
    except NotFoundError as exc:
        raise InvalidRequestError(400, exc.message) from None
    return no_content()


async def list_history(request: Request) -> Response:
    q = queries.build(HISTORY_SPEC, query_params(request), convert)
    first, limit = paging(request)
    return json([historic_dto(b) for b in await query(request, queries.run_list, q, first,
                                                       limit)])


async def count_history(request: Request) -> Response:
    q = queries.build(HISTORY_SPEC, query_params(request), convert)
    return json({"count": await query(request, queries.run_count, q)})


async def get_history(request: Request) -> Response:
    batch_id = request.path_params["id"]
    found = await query(request, lambda ctx: ctx.uow.get(HistoricBatch, batch_id))
    if found is None:
        raise InvalidRequestError(404, f"Historic batch with id '{batch_id}' does not exist")
    return json(historic_dto(found))


async def delete_history(request: Request) -> Response:
    try:
        await command(request, batches.delete_history, request.path_params["id"])
    except NotFoundError as exc:
        raise InvalidRequestError(404, exc.message) from None
    return no_content()


async def cleanable_report(request: Request) -> Response:
    return json([])


async def cleanable_report_count(request: Request) -> Response:
    return json({"count": 0})


routes = [
    Route("/batch", list_batches, methods=["GET"]),
    Route("/batch/count", count_batches, methods=["GET"]),
    Route("/batch/statistics", statistics, methods=["GET"]),
    Route("/batch/statistics/count", count_batches, methods=["GET"]),
    Route("/batch/{id}", get_batch, methods=["GET"]),
    Route("/batch/{id}", delete_batch, methods=["DELETE"]),
    Route("/batch/{id}/suspended", suspend_batch, methods=["PUT"]),
    Route("/history/batch", list_history, methods=["GET"]),
    Route("/history/batch/count", count_history, methods=["GET"]),
    Route("/history/batch/cleanable-batch-report", cleanable_report, methods=["GET"]),
    Route("/history/batch/cleanable-batch-report/count", cleanable_report_count,
          methods=["GET"]),
    Route("/history/batch/{id}", get_history, methods=["GET"]),
    Route("/history/batch/{id}", delete_history, methods=["DELETE"]),
]
