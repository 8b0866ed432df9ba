"""Job definition commands: suspend and activate (now or at a date), retries, priority.

A suspended job definition keeps its jobs from being acquired (see ``jobs.acquire``);
``includeJobs`` suspends or activates the jobs themselves as well.  A suspension planned for a
later date is a timer job of its own, as in Camunda, so it survives restarts and runs on
whichever node acquires it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from bpmnflow.errors import EngineError, NotFoundError
from bpmnflow.jobs.handlers import register
from bpmnflow.runtime.ids import new_id
from bpmnflow.services import jobs
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import ACTIVE, SUSPENDED, Job, JobDefinition

SUSPEND = "suspend-job-definition"
ACTIVATE = "activate-job-definition"


def get(ctx: CommandContext, job_definition_id: str) -> JobDefinition | None:
    return ctx.uow.get(JobDefinition, job_definition_id)


def _or_fail(ctx: CommandContext, job_definition_id: str) -> JobDefinition:
    found = ctx.uow.get(JobDefinition, job_definition_id)
    if found is None:
        raise NotFoundError(f"Job definition with id '{job_definition_id}' does not exist: "
                            "jobDefinition is null")
    return found


@dataclass(frozen=True)
class Selection:
    """Which job definitions a suspension touches: one id, one process definition, or every
    version of a key (optionally of one tenant, or of none)."""

    job_definition_id: str | None = None
    process_definition_id: str | None = None
    process_definition_key: str | None = None
    tenant_id: str | None = None
    without_tenant: bool = False


def select(ctx: CommandContext, selection: Selection) -> list[JobDefinition]:
    if selection.job_definition_id is not None:
        found = ctx.uow.get(JobDefinition, selection.job_definition_id)
        return [found] if found is not None else []
    if selection.process_definition_id is not None:
        return ctx.uow.select(JobDefinition, "proc_def_id = ?",
                              (selection.process_definition_id,))
    key = selection.process_definition_key
    if selection.tenant_id is not None:
        return ctx.uow.select(JobDefinition, "proc_def_key = ? AND tenant_id = ?",
                              (key, selection.tenant_id))
    if selection.without_tenant:
        return ctx.uow.select(JobDefinition, "proc_def_key = ? AND tenant_id IS NULL", (key,))
    return ctx.uow.select(JobDefinition, "proc_def_key = ?", (key,))


def set_suspended(ctx: CommandContext, selection: Selection, suspended: bool,
                  include_jobs: bool = False, execution_ms: int | None = None) -> None:
    """Suspend or activate now, or plan it for ``execution_ms`` (a job of its own)."""
    if execution_ms is not None:
        _plan(ctx, selection, suspended, include_jobs, execution_ms)
        return
    state = SUSPENDED if suspended else ACTIVE
    found = select(ctx, selection)
    for definition in found:
        definition.suspension_state = state
        if include_jobs:
            jobs.set_suspended_many(ctx, jobs.JobSelection(job_definition_id=definition.id),
                                    suspended)
    if found and not suspended:
        ctx.runtime.notify("job", None)  # their jobs may be acquired again


def _plan(ctx: CommandContext, selection: Selection, suspended: bool, include_jobs: bool,
          execution_ms: int) -> None:
    config = {**asdict(selection), "includeJobs": include_jobs}
    job = Job(
        id=new_id(), rev=1, type="timer", handler_type=SUSPEND if suspended else ACTIVATE,
        handler_cfg=json.dumps(config), lock_owner=None, lock_expiration=None,
        due_date=execution_ms, retries=3, exception_message=None, exception_stacktrace=None,
        execution_id=None, proc_inst_id=None, proc_def_id=selection.process_definition_id,
        proc_def_key=selection.process_definition_key, activity_id=None, job_def_id=None,
        repeat=None, priority=0, exclusive=True, suspension_state=ACTIVE,
        tenant_id=selection.tenant_id, create_time=ctx.now, failed_activity_id=None,
        deployment_id=None)
    ctx.uow.add(job)
    ctx.runtime.history.job_created(job)
    ctx.runtime.notify("job", execution_ms)


@register(SUSPEND)
@register(ACTIVATE)
def apply_delayed(ctx: CommandContext, job: Job) -> None:
    """Run a planned suspension or activation (``jobs.execute_job`` dispatches here)."""
    config: dict[str, Any] = json.loads(job.handler_cfg or "{}")
    include_jobs = bool(config.pop("includeJobs", False))
    set_suspended(ctx, Selection(**config), job.handler_type == SUSPEND, include_jobs)


def set_retries(ctx: CommandContext, job_definition_id: str, retries: int,
                due: jobs.DueDate | None = None) -> None:
    """New retries for the definition's *failed* jobs (no retries left), as Camunda does."""
    if retries < 0:
        raise EngineError(f"ENGINE-13054 The number of job retries must be a non-negative "
                          f"Integer, but '{retries}' has been provided.")
    for job in ctx.uow.select(Job, "job_def_id = ? AND retries = 0", (job_definition_id,)):
        jobs.apply_retries(ctx, job, retries)
        if due is not None:
            job.due_date = due.value


def set_priority(ctx: CommandContext, job_definition_id: str, priority: int | None,
                 include_jobs: bool = False) -> None:
    """Override (or, with ``None``, clear) the priority of the definition's future jobs;
    ``include_jobs`` gives the existing ones the new priority too."""
    definition = _or_fail(ctx, job_definition_id)
    definition.priority = priority
    if include_jobs and priority is not None:
        for job in ctx.uow.select(Job, "job_def_id = ?", (job_definition_id,)):
            job.priority = priority
