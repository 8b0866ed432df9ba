"""``POST /condition``: start the instances whose conditional start events hold for the given
variables (only the newest version of each definition listens)."""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import EngineError, NullValueError
from bpmnflow.runtime.instance import Instance
from bpmnflow.services import repository
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import ACTIVE, EventSubscription, ProcessDefinition
from bpmnflow.variables import TypedValue


def evaluate(ctx: CommandContext, variables: dict[str, TypedValue], business_key: str | None,
             definition_id: str | None, tenant_id: str | None,
             without_tenant: bool) -> list[Instance]:
    where = "event_type = 'conditional' AND execution_id IS NULL"
    params: list[Any] = []
    if definition_id is not None:
        if repository.definition_by_id(ctx, definition_id) is None:
            raise NullValueError(f"no deployed process definition found with id "
                                 f"'{definition_id}': processDefinition is null")
        where += " AND proc_def_id = ?"
        params.append(definition_id)
    if tenant_id is not None:
        where += " AND tenant_id = ?"
        params.append(tenant_id)
    elif without_tenant:
        where += " AND tenant_id IS NULL"
    subs = ctx.uow.select(EventSubscription, where + " ORDER BY created, id", params)
    if not subs:
        if definition_id is not None:
            raise EngineError(f"ENGINE-13042 Process definition with id '{definition_id}' does "
                              "not declare conditional start event.")
        raise EngineError("ENGINE-13043 No subscriptions were found during evaluation of the "
                          "conditional start events.")
    rt = ctx.runtime
    started = []
    for sub in subs:
        definition = ctx.uow.get(ProcessDefinition, sub.proc_def_id or "")
        if definition is None or definition.suspension_state != ACTIVE:
            continue
        _, model = ctx.engine.definitions.get(definition.id)
        node = model.nodes.get(sub.activity_id or "")
        if node is None:
            continue
        if rt.evaluate_in(node.props["event"].condition, variables) is True:
            started.append(rt.start_process(definition, model, business_key, dict(variables),
                                            ctx.user_id, start_node=node))
    return started
