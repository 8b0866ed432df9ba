"""``/history/...``: the historic resources, one module each, mounted together."""

from __future__ import annotations

from starlette.routing import Route

from bpmnflow.api import (
    history_activity_instance,
    history_detail,
    history_external_task_log,
    history_incident,
    history_job_log,
    history_process_instance,
    history_task,
    history_variable_instance,
)

routes: list[Route] = [
    *history_process_instance.routes,
    *history_activity_instance.routes,
    *history_task.routes,
    *history_variable_instance.routes,
    *history_detail.routes,
    *history_job_log.routes,
    *history_external_task_log.routes,
    *history_incident.routes,
]
