"""What each batch type does with one chunk of items (each chunk is one command)."""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import NotFoundError
from bpmnflow.services import modification, runtime_service
from bpmnflow.services.batches import operation
from bpmnflow.services.context import CommandContext


@operation("instance-deletion")
def delete_instances(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    rt = ctx.runtime
    rt.skip_listeners = bool(options.get("skipCustomListeners"))
    rt.skip_io = bool(options.get("skipIoMappings"))
    for pid in items:
        try:
            runtime_service.delete_process_instance(ctx, pid, options.get("deleteReason"))
        except NotFoundError:
            continue  # already gone: deleting it again changes nothing


@operation("historic-instance-deletion")
def delete_history(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    from bpmnflow.services import history

    for pid in items:
        history.delete_process_instance(ctx, pid, bool(options.get("failIfNotExists", True)))


@operation("instance-modification")
def modify(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    instructions = modification.parse_instructions(options.get("instructions") or [])
    for pid in items:
        modification.modify(ctx, pid, instructions, bool(options.get("skipCustomListeners")),
                            bool(options.get("skipIoMappings")))


@operation("instance-restart")
def restart(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    instructions = modification.parse_instructions(
        options.get("instructions") or [], modification.START_TYPES)
    modification.restart(ctx, options["processDefinitionId"], items, instructions,
                         bool(options.get("initialVariables")),
                         bool(options.get("withoutBusinessKey")),
                         bool(options.get("skipCustomListeners")),
                         bool(options.get("skipIoMappings")))


@operation("instance-migration")
def migrate(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    from bpmnflow.services import migration
    from bpmnflow.variables import from_rest

    plan = migration.plan_from(options["plan"], lambda raw: {
        name: from_rest(name, value) for name, value in (raw or {}).items()})
    migration.execute(ctx, plan, items, bool(options.get("skipCustomListeners")),
                      bool(options.get("skipIoMappings")))


@operation("set-job-retries")
def job_retries(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    from bpmnflow.services import jobs

    for job_id in items:
        try:
            jobs.set_retries(ctx, job_id, int(options["retries"]))
        except NotFoundError:
            continue


@operation("set-external-task-retries")
def external_task_retries(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    from bpmnflow.services import external_tasks

    for task_id in items:
        try:
            external_tasks.set_retries(ctx, task_id, int(options["retries"]))
        except NotFoundError:
            continue


@operation("set-variables")
def set_variables(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    from bpmnflow.variables import from_rest

    values = {name: from_rest(name, value) for name, value in
              (options.get("variables") or {}).items()}
    for pid in items:
        if ctx.runtime.find_instance(pid) is not None:
            runtime_service.set_variables(ctx, pid, values)


@operation("correlate-message")
def correlate(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    from bpmnflow.services.messages import Correlation, MismatchingMessageCorrelationError
    from bpmnflow.services.messages import correlate as run
    from bpmnflow.variables import from_rest

    values = {name: from_rest(name, value) for name, value in
              (options.get("variables") or {}).items()}
    for pid in items:
        try:
            run(ctx, Correlation(message_name=options["messageName"], process_instance_id=pid,
                                 variables=values, all=True))
        except MismatchingMessageCorrelationError:
            continue


@operation("batch-set-removal-time")
def batch_removal_time(ctx: CommandContext, items: list[str], options: dict[str, Any]) -> None:
    """Absolute, cleared or calculated (end time + the batch TTL, none configured: cleared)."""
    from bpmnflow.store.entities import HistoricBatch

    for batch_id in items:
        hi = ctx.uow.get(HistoricBatch, batch_id)
        if hi is None:
            continue
        hi.removal_time = options.get("absolute") if options.get("mode") == "absolute" else None
