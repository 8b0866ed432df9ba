"""What a token leaves behind while it waits: event subscriptions and jobs.

Both hang off an execution row (``execution_id``) and name the event node they trigger
(``activity_id``), so a boundary event, an event-based gateway target or an event subprocess
start is found again from the row alone, in any later command, on any node.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime import timers
from bpmnflow.runtime.ids import new_id
from bpmnflow.store.entities import ACTIVE, EventSubscription, Execution, Job

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime

_JOB_DEFINITIONS = uuid.UUID("5f1b7a52-86c1-4f0e-9a57-3d0c1a8e2b44")

ASYNC_CONTINUATION = "async-continuation"
TIMER = "timer-transition"  # a timer catch, boundary, gateway target or event subprocess start
TIMER_START = "timer-start-event"


def job_definition_id(proc_def_id: str, activity_id: str, handler: str,
                      configuration: str | None = None) -> str:
    """Job definitions get a name-based UUID, so a job finds its definition without a query.

    asyncBefore and asyncAfter of one activity are two definitions (``configuration``).
    """
    name = f"{proc_def_id}|{activity_id}|{handler}"
    if configuration:
        name += f"|{configuration}"
    return str(uuid.uuid5(_JOB_DEFINITIONS, name))


def job_configuration(handler: str, cfg: str | None) -> str | None:
    """Camunda's job definition configuration: ``async-before``/``async-after`` for
    continuations, none for timers."""
    return f"async-{cfg}" if handler == ASYNC_CONTINUATION and cfg else None


def subscribe(rt: Runtime, inst: Instance, ex: Execution,
              event_node: FlowNode) -> EventSubscription:
    """A message, signal or conditional subscription of ``ex`` that triggers ``event_node``."""
    event = event_node.props["event"]
    name = rt.evaluate(event.name, ex) if event.name is not None else None
    sub = EventSubscription(
        id=new_id(), rev=1, event_type=event.kind, event_name=None if name is None else str(name),
        execution_id=ex.id, proc_inst_id=ex.proc_inst_id, activity_id=event_node.id,
        configuration=None, created=rt.now, proc_def_id=ex.proc_def_id,
        tenant_id=ex.tenant_id)
    rt.uow.add(sub)
    if event.kind == "signal":
        rt.notify("signal", None)
    return sub


def timer(rt: Runtime, inst: Instance, ex: Execution, event_node: FlowNode) -> Job:
    """A timer job of ``ex`` that fires ``event_node`` when due."""
    event = event_node.props["event"]
    value = rt.evaluate(event.timer, ex)
    due, repeat = timers.first_due(event.timer_kind, value, rt.now)
    return new_job(rt, inst, ex, TIMER, event_node.id, due_date=due, repeat=repeat,
                   job_type="timer", activity_id=event_node.id)


def new_job(rt: Runtime, inst: Instance | None, ex: Execution | None, handler: str,
            cfg: str | None, due_date: int | None = None, repeat: str | None = None,
            job_type: str = "message", activity_id: str | None = None,
            definition: Any = None, retries: int | None = None) -> Job:
    node = inst.model.nodes.get(activity_id or "") if inst is not None and activity_id else None
    priority = 0
    if node is not None and node.props.get("job_priority") is not None and ex is not None:
        priority = int(rt.evaluate(node.props["job_priority"], ex))
    elif inst is not None and inst.model.job_priority is not None and ex is not None:
        priority = int(rt.evaluate(inst.model.job_priority, ex))
    d = inst.definition if inst is not None else definition
    retry_count, _ = timers.retry_delays(node.props.get("retry_cycle") if node else None)
    job = Job(
        id=new_id(), rev=1, type=job_type, handler_type=handler, handler_cfg=cfg,
        lock_owner=None, lock_expiration=None, due_date=due_date,
        retries=retry_count if retries is None else retries, exception_message=None,
        exception_stacktrace=None, execution_id=ex.id if ex is not None else None,
        proc_inst_id=ex.proc_inst_id if ex is not None else None,
        proc_def_id=d.id if d is not None else None,
        proc_def_key=d.def_key if d is not None else None, activity_id=activity_id,
        job_def_id=job_definition_id(d.id, activity_id, handler,
                                     job_configuration(handler, cfg))
        if d is not None and activity_id else None, repeat=repeat, priority=priority,
        exclusive=bool(node.props.get("exclusive", True)) if node is not None else True,
        suspension_state=ACTIVE, tenant_id=d.tenant_id if d is not None else None,
        create_time=rt.now, failed_activity_id=None,
        deployment_id=d.deployment_id if d is not None else None)
    rt.uow.add(job)
    rt.history.job_created(job)
    rt.notify("job", job.due_date)
    return job


def drop(rt: Runtime, ex: Execution) -> None:
    """Remove every subscription and job hanging off ``ex`` (its scope ended or moved on)."""
    subs = rt.uow.select(EventSubscription, "execution_id = ?", (ex.id,))
    subs += [s for s in rt.uow.pending(EventSubscription) if s.execution_id == ex.id]
    for sub in subs:
        rt.uow.remove(sub)
    jobs = rt.uow.select(Job, "execution_id = ?", (ex.id,))
    jobs += [j for j in rt.uow.pending(Job) if j.execution_id == ex.id]
    for job in jobs:
        rt.history.job_deleted(job)
        rt.uow.remove(job)
        if job.retries <= 0:
            rt.resolve_incidents(configuration=job.id, deleted=True)
