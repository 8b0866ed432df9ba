"""Commands on one execution: resume its token, deliver a message to one of its
subscriptions, raise a custom incident on it.

Here every activity instance is a row of its own, while in Camunda a process instance on a
single path *is* the execution waiting in the activity.  So that a client written for Camunda
can address a waiting token by its process instance id, a root row with exactly one token
below it stands for that token (Camunda's answer when the instance has several is "no current
activity", and so is ours).
"""

from __future__ import annotations

from bpmnflow.errors import BadUserRequestError, EngineError
from bpmnflow.runtime import events
from bpmnflow.runtime.behaviors.tasks import remove_task
from bpmnflow.runtime.instance import Instance
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import EventSubscription, Execution, Incident, Task
from bpmnflow.variables import TypedValue


def _token(inst: Instance, row: Execution) -> Execution:
    """The execution Camunda would find at an activity for ``row`` (see the module doc)."""
    if row.activity_id is not None:
        return row
    tokens = [c for c in inst.children_of(row) if c.state != "join"]
    return tokens[0] if len(tokens) == 1 else row


def _load(ctx: CommandContext, execution_id: str) -> tuple[Instance, Execution] | None:
    row = ctx.uow.get(Execution, execution_id)
    if row is None:
        return None
    inst = ctx.runtime.find_instance(row.proc_inst_id)
    if inst is None or row.id not in inst.by_id:
        return None
    return inst, inst.by_id[row.id]


# -- POST /execution/{id}/signal -----------------------------------------------------------------
def signal_execution(ctx: CommandContext, execution_id: str,
                     variables: dict[str, TypedValue]) -> None:
    """Camunda's ``RuntimeService.signal``: set the variables, then resume the waiting token."""
    found = _load(ctx, execution_id)
    if found is None:
        raise BadUserRequestError(f"execution {execution_id} doesn't exist: execution is null")
    inst, row = found
    ex = _token(inst, row)
    if ex.activity_id is None:
        raise EngineError(f"cannot signal execution {execution_id}: it has no current activity")
    rt = ctx.runtime
    for name, value in variables.items():
        rt.set_variable(ex, name, value)
    # Skipping a user task: its task goes with the token (no task without its activity).
    for task in rt.uow.find(Task, "execution_id = ?", (ex.id,),
                            lambda t: t.execution_id == ex.id):
        remove_task(rt, task, "deleted", "Deleted")
    rt.signal(inst, ex)


# -- /execution/{id}/messageSubscriptions/{messageName} --------------------------------------------
def message_subscription(ctx: CommandContext, execution_id: str,
                         message_name: str) -> EventSubscription | None:
    """The message subscription ``execution_id`` holds for ``message_name``, if any."""
    found = _subscriptions(ctx, execution_id, message_name)
    return found[0] if found else None


def _subscriptions(ctx: CommandContext, execution_id: str,
                   message_name: str) -> list[EventSubscription]:
    where = "event_type = 'message' AND event_name = ? AND execution_id = ? ORDER BY created, id"
    subs = ctx.uow.select(EventSubscription, where, (message_name, execution_id))
    if subs:
        return subs
    found = _load(ctx, execution_id)
    if found is None:
        return []
    token = _token(*found)
    if token.id == execution_id:
        return []
    return ctx.uow.select(EventSubscription, where, (message_name, token.id))


def trigger_message(ctx: CommandContext, execution_id: str, message_name: str,
                    variables: dict[str, TypedValue]) -> None:
    """Camunda's ``RuntimeService.messageEventReceived``: exactly this subscription, no
    correlation; the variables land where the message's receiver can see them."""
    subs = _subscriptions(ctx, execution_id, message_name)
    if not subs:
        raise EngineError(f"Execution with id '{execution_id}' does not have a subscription to "
                          f"a message event with name '{message_name}': eventSubscriptions is "
                          "empty")
    if len(subs) > 1:
        raise EngineError(f"More than one matching message subscription found for execution "
                          f"{execution_id}: eventSubscriptions does not have 1 elements")
    sub = subs[0]
    rt = ctx.runtime
    inst = rt.instance(sub.proc_inst_id or "")
    holder = inst.by_id[sub.execution_id or ""]
    events.deliver(rt, inst, holder, inst.model.nodes[sub.activity_id or ""], variables)


# -- POST /execution/{id}/create-incident ----------------------------------------------------------
def create_incident(ctx: CommandContext, execution_id: str, incident_type: str | None,
                    configuration: str | None, message: str | None) -> Incident:
    """A custom incident on the activity the execution is in, as Camunda's CreateIncidentCmd."""
    if incident_type is None:
        raise BadUserRequestError("incidentType is null")
    found = _load(ctx, execution_id)
    if found is None:
        raise BadUserRequestError(f"Cannot find an execution with executionId '{execution_id}': "
                                  "execution is null")
    ex = _token(*found)
    if ex.activity_id is None:
        raise BadUserRequestError("Execution must be related to an activity: activity is null")
    return ctx.runtime.create_incident(incident_type, message, ex, ex.activity_id, configuration)
