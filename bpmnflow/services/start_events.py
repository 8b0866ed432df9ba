"""Message, signal and timer start events: armed per definition when it is deployed.

Only the newest version of a key listens; deploying a new version moves the subscriptions and
timer jobs over, as Camunda does.
"""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import EngineError
from bpmnflow.model.elements import ProcessModel
from bpmnflow.runtime import timers, waiting
from bpmnflow.runtime.ids import new_id
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import (
    ACTIVE,
    EventSubscription,
    Job,
    JobDefinition,
    ProcessDefinition,
)


def _static(expr: Any) -> str:
    return expr.evaluate(lambda name: (_ for _ in ()).throw(KeyError(name)))


def _job_definitions(ctx: CommandContext, definition: ProcessDefinition,
                     model: ProcessModel) -> None:
    """One job definition per activity that can create jobs (async flags and timers)."""
    for node in model.nodes.values():
        kinds = []
        if node.props.get("async_before"):
            kinds.append((waiting.ASYNC_CONTINUATION, "async-before"))
        if node.props.get("async_after"):
            kinds.append((waiting.ASYNC_CONTINUATION, "async-after"))
        event = node.props.get("event")
        if event is not None and event.kind == "timer":
            start = node.kind == "startEvent" and node.scope is None
            kinds.append((waiting.TIMER_START if start else waiting.TIMER, None))
        for handler, configuration in kinds:
            job_def_id = waiting.job_definition_id(definition.id, node.id, handler,
                                                   configuration)
            if ctx.uow.get(JobDefinition, job_def_id) is not None:
                continue
            ctx.uow.add(JobDefinition(
                id=job_def_id, rev=1, proc_def_id=definition.id,
                proc_def_key=definition.def_key, activity_id=node.id, job_type=handler,
                job_configuration=configuration, priority=None, suspension_state=ACTIVE,
                tenant_id=definition.tenant_id, deployment_id=definition.deployment_id))


def _refuse_taken_message(ctx: CommandContext, definition: ProcessDefinition, name: str) -> None:
    """Only one key (per tenant) may start on a message name, else correlation is ambiguous."""
    tenant_clause = "s.tenant_id = ?" if definition.tenant_id is not None else \
        "s.tenant_id IS NULL"
    params: list[Any] = [name, definition.def_key] + (
        [definition.tenant_id] if definition.tenant_id is not None else [])
    taken = ctx.session.scalar(
        "SELECT COUNT(*) FROM bf_event_subscription s JOIN bf_process_definition p "
        "ON p.id = s.proc_def_id WHERE s.event_type = 'message' AND s.execution_id IS NULL "
        f"AND s.event_name = ? AND p.def_key <> ? AND {tenant_clause}", params)
    if taken:
        raise EngineError(f"Cannot deploy process definition '{definition.resource_name}': "
                          f"there already is a message event subscription for the message "
                          f"with name '{name}'.")


def register(ctx: CommandContext, definition: ProcessDefinition, model: ProcessModel) -> None:
    tenant_clause = "tenant_id = ?" if definition.tenant_id is not None else "tenant_id IS NULL"
    params: list[Any] = [definition.def_key] + (
        [definition.tenant_id] if definition.tenant_id is not None else [])
    older = [d.id for d in ctx.uow.select(
        ProcessDefinition, f"def_key = ? AND {tenant_clause}", params) if d.id != definition.id]
    if older:
        marks = ", ".join("?" for _ in older)
        for sub in ctx.uow.select(EventSubscription, f"execution_id IS NULL AND proc_def_id IN "
                                                     f"({marks})", older):
            ctx.uow.remove(sub)
        for job in ctx.uow.select(Job, f"handler_type = ? AND proc_def_id IN ({marks})",
                                  [waiting.TIMER_START, *older]):
            ctx.uow.remove(job)
    _job_definitions(ctx, definition, model)
    rt = ctx.runtime
    for start in model.start_events:
        event = start.props["event"]
        if event.kind == "message":
            _refuse_taken_message(ctx, definition, _static(event.name))
        if event.kind in ("message", "signal", "conditional"):
            ctx.uow.add(EventSubscription(
                id=new_id(), rev=1, event_type=event.kind,
                event_name=_static(event.name) if event.name is not None else None,
                execution_id=None, proc_inst_id=None, activity_id=start.id, configuration=None,
                created=ctx.now, proc_def_id=definition.id, tenant_id=definition.tenant_id))
        elif event.kind == "timer":
            due, repeat = timers.first_due(event.timer_kind, _static(event.timer), ctx.now)
            waiting.new_job(rt, None, None, waiting.TIMER_START, start.id, due_date=due,
                            repeat=repeat, job_type="timer", activity_id=start.id,
                            definition=definition)
