"""``/history/cleanup``: schedule the cleanup jobs, find them, read the batch window."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bpmnflow.api.dto import date
from bpmnflow.api.job import job_dto
from bpmnflow.api.params import flag
from bpmnflow.api.responses import json
from bpmnflow.api.runner import command, engine_of, query
from bpmnflow.errors import RestError
from bpmnflow.services import history_cleanup


class _NullJob(RestError):
    """What Camunda answers when ``immediatelyDue=false`` finds neither a job nor a window:
    its REST layer turns the missing job into a ``NullPointerException``."""

    camunda_type = "NullPointerException"

    def __init__(self) -> None:
        super().__init__(500, 'Cannot invoke "org.camunda.bpm.engine.runtime.Job.getId()" '
                              'because "job" is null')


async def cleanup(request: Request) -> Response:
    job = await command(request, history_cleanup.schedule, flag(request, "immediatelyDue", True))
    if job is None:
        raise _NullJob()
    return json(job_dto(job))


async def find_job(request: Request) -> Response:
    jobs = await query(request, history_cleanup.cleanup_jobs)
    if not jobs:
        raise RestError(404, "History cleanup job does not exist")
    return json(job_dto(jobs[0]))


async def find_jobs(request: Request) -> Response:
    jobs = await query(request, history_cleanup.cleanup_jobs)
    if not jobs:
        raise RestError(404, "History cleanup jobs are empty")
    return json([job_dto(job) for job in jobs])


async def configuration(request: Request) -> Response:
    engine = engine_of(request)
    settings = engine.config.history_cleanup
    window = history_cleanup.batch_window(settings, engine.clock.now_ms())
    start, end = window if window is not None else (None, None)
    return json({"batchWindowStartTime": date(start), "batchWindowEndTime": date(end),
                 "enabled": settings.enabled})


routes = [
    Route("/history/cleanup", cleanup, methods=["POST"]),
    Route("/history/cleanup/job", find_job, methods=["GET"]),
    Route("/history/cleanup/jobs", find_jobs, methods=["GET"]),
    Route("/history/cleanup/configuration", configuration, methods=["GET"]),
]
