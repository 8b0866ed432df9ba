"""Message correlation: find the executions (or message start events) waiting for a message
and deliver it, as Camunda's ``MessageCorrelationBuilder`` does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmnflow.errors import BadUserRequestError, NotFoundError, NullValueError
from bpmnflow.runtime import events
from bpmnflow.runtime.instance import Instance
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import EventSubscription, Execution, ProcessDefinition
from bpmnflow.variables import TypedValue


class MismatchingMessageCorrelationError(BadUserRequestError):
    camunda_type = "MismatchingMessageCorrelationException"


@dataclass
class Correlation:
    message_name: str
    business_key: str | None = None
    correlation_keys: dict[str, TypedValue] = field(default_factory=dict)
    local_correlation_keys: dict[str, TypedValue] = field(default_factory=dict)
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    tenant_id: str | None = None
    without_tenant_id: bool = False
    variables: dict[str, TypedValue] = field(default_factory=dict)
    variables_local: dict[str, TypedValue] = field(default_factory=dict)
    all: bool = False
    start_only: bool = False


@dataclass
class CorrelationResult:
    result_type: str  # Execution | ProcessDefinition
    execution: Execution | None = None
    instance: Instance | None = None
    variables: dict[str, TypedValue] | None = None


def _same(a: TypedValue | None, b: TypedValue) -> bool:
    return a is not None and a.value == b.value and (a.value is not None or b.value is None)


def _waiting(ctx: CommandContext, c: Correlation) -> list[tuple[Instance, Execution, Any]]:
    where = "event_type = 'message' AND event_name = ? AND execution_id IS NOT NULL"
    params: list[Any] = [c.message_name]
    if c.process_instance_id is not None:
        where += " AND proc_inst_id = ?"
        params.append(c.process_instance_id)
    if c.tenant_id is not None:
        where += " AND tenant_id = ?"
        params.append(c.tenant_id)
    elif c.without_tenant_id:
        where += " AND tenant_id IS NULL"
    rt = ctx.runtime
    out = []
    for sub in ctx.uow.select(EventSubscription, where + " ORDER BY created, id", params):
        inst = rt.find_instance(sub.proc_inst_id or "")
        if inst is None:
            continue
        holder = inst.by_id.get(sub.execution_id or "")
        node = inst.model.nodes.get(sub.activity_id or "")
        if holder is None or node is None or holder.suspension_state != 1:
            continue
        if c.business_key is not None and inst.root.business_key != c.business_key:
            continue
        if c.process_definition_id is not None and inst.definition.id != c.process_definition_id:
            continue
        if any(not _same(rt.get_variable_local(inst.root, k), v)
               for k, v in c.correlation_keys.items()):
            continue
        if any(not _same(rt.get_variable_local(holder, k), v)
               for k, v in c.local_correlation_keys.items()):
            continue
        out.append((inst, holder, node))
    return out


def _start_events(ctx: CommandContext, c: Correlation) -> list[tuple[ProcessDefinition, Any]]:
    if c.process_instance_id is not None or c.correlation_keys or c.local_correlation_keys:
        return []
    where = "event_type = 'message' AND event_name = ? AND execution_id IS NULL"
    params: list[Any] = [c.message_name]
    if c.tenant_id is not None:
        where += " AND tenant_id = ?"
        params.append(c.tenant_id)
    elif c.without_tenant_id:
        where += " AND tenant_id IS NULL"
    out = []
    for sub in ctx.uow.select(EventSubscription, where + " ORDER BY created, id", params):
        if c.process_definition_id is not None and sub.proc_def_id != c.process_definition_id:
            continue
        definition = ctx.uow.get(ProcessDefinition, sub.proc_def_id or "")
        if definition is None or definition.suspension_state != 1:
            continue
        _, model = ctx.engine.definitions.get(definition.id)
        out.append((definition, model.nodes[sub.activity_id]))  # type: ignore[index]
    return out


def correlate(ctx: CommandContext, c: Correlation) -> list[CorrelationResult]:
    """Deliver the message; raises Camunda's mismatch error when nothing (or, without ``all``,
    more than one receiver) matches."""
    matches = [] if c.start_only else _waiting(ctx, c)
    starts = _start_events(ctx, c)
    prefix = f"Cannot correlate message '{c.message_name}'"
    if not c.all:
        if len(matches) > 1:
            raise MismatchingMessageCorrelationError(
                f"ENGINE-13031 Cannot correlate a message with name '{c.message_name}' to a "
                "single execution. "
                f"{len(matches)} executions match the correlation keys: {_describe(c)}")
        if not matches and len(starts) > 1:
            raise MismatchingMessageCorrelationError(
                f"{prefix}: {len(starts)} process definitions match the parameters")
        starts = [] if matches else starts[:1]
    if not matches and not starts:
        if c.all:
            return []  # correlating to all receivers is never an error (Camunda)
        raise MismatchingMessageCorrelationError(
            f"{prefix}: No process definition or execution matches the parameters")
    rt = ctx.runtime
    results = []
    for inst, holder, node in matches:
        receiver = events.deliver(rt, inst, holder, node, c.variables, c.variables_local)
        results.append(CorrelationResult("Execution", execution=receiver, instance=inst))
    if not c.all and matches:
        return results
    for definition, node in starts:
        _, model = ctx.engine.definitions.get(definition.id)
        inst = rt.start_process(definition, model, c.business_key, dict(c.variables),
                                ctx.user_id, start_node=node)
        results.append(CorrelationResult("ProcessDefinition", instance=inst))
    return results


def _describe(c: Correlation) -> str:
    """Camunda's CorrelationSet.toString (Java spells nulls and booleans its own way)."""
    def java(value: Any) -> str:
        if value is None:
            return "null"
        if isinstance(value, bool):
            return str(value).lower()
        return str(value)

    keys = {k: v.value for k, v in c.correlation_keys.items()} or None
    local = {k: v.value for k, v in c.local_correlation_keys.items()} or None
    return (f"CorrelationSet [businessKey={java(c.business_key)}, processInstanceId="
            f"{java(c.process_instance_id)}, processDefinitionId="
            f"{java(c.process_definition_id)}, correlationKeys={java(keys)}, "
            f"localCorrelationKeys={java(local)}, tenantId={java(c.tenant_id)}, "
            f"isTenantIdSet={java(c.tenant_id is not None or c.without_tenant_id)}, "
            "isExecutionsOnly=false]")


def throw_signal(ctx: CommandContext, name: str, variables: dict[str, TypedValue],
                 execution_id: str | None = None, tenant_id: str | None = None,
                 without_tenant_id: bool = False) -> None:
    from bpmnflow.runtime.signals import broadcast

    rt = ctx.runtime
    if execution_id is not None:
        row = ctx.uow.get(Execution, execution_id)
        if row is None:
            raise NullValueError(f"Cannot find execution with id '{execution_id}': execution "
                                 "is null")
        subs = events.signal_subscriptions(rt, name, execution_id=execution_id)
        if not subs:
            raise NotFoundError(f"Execution '{execution_id}' has not subscribed to a signal "
                                f"event with name '{name}'.")
    broadcast(rt, name, variables, tenant_id=tenant_id, execution_id=execution_id,
              with_tenant_filter=tenant_id is not None or without_tenant_id)
    rt.run()
