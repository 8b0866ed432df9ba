"""Runtime commands: start and delete process instances, variables, the activity-instance tree."""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import EngineError, NotFoundError, NullValueError, SuspendedEntityError
from bpmnflow.runtime.instance import Instance
from bpmnflow.services import repository
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import SUSPENDED, Execution, ProcessDefinition
from bpmnflow.variables import TypedValue


def start_process_instance(ctx: CommandContext, definition: ProcessDefinition,
                           business_key: str | None, variables: dict[str, TypedValue],
                           return_variables: bool = False
                           ) -> tuple[Instance, dict[str, TypedValue] | None]:
    """Start one instance and run it to its first wait states."""
    if definition.suspension_state == SUSPENDED:
        raise SuspendedEntityError(
            f"ENGINE-03043 Process Definition with id '{definition.id}' is suspended.")
    _, model = ctx.engine.definitions.get(definition.id)
    rt = ctx.runtime
    inst = rt.start_process(definition, model, business_key, variables, ctx.user_id)
    result = None
    if return_variables:
        if inst.ended:
            result = dict(inst.final_variables)
        else:
            result = {name: inst.value(var) for name, var in inst.scopes.get(inst.id, {}).items()}
    return inst, result


def definition_for_start(ctx: CommandContext, definition_id: str | None = None,
                         key: str | None = None, tenant_id: str | None = None
                         ) -> ProcessDefinition:
    if definition_id is not None:
        found = repository.definition_by_id(ctx, definition_id)
        if found is None:
            raise NullValueError(f"no deployed process definition found with id "
                                 f"'{definition_id}': processDefinition is null")
        return found
    found = repository.latest_definition(ctx, key or "", tenant_id)
    if found is None:
        suffix = f" and tenant-id '{tenant_id}'" if tenant_id else ""
        raise NotFoundError(f"no processes deployed with key '{key}'{suffix}: processDefinition "
                            "is null")
    return found


def find_instance(ctx: CommandContext, proc_inst_id: str) -> Instance | None:
    return ctx.runtime.find_instance(proc_inst_id)


def delete_process_instance(ctx: CommandContext, proc_inst_id: str,
                            reason: str | None = None) -> None:
    inst = ctx.runtime.find_instance(proc_inst_id)
    if inst is None:
        raise NotFoundError(f"No process instance found for id '{proc_inst_id}'")
    ctx.runtime.end_process(inst, "EXTERNALLY_TERMINATED", None, reason, canceled=True)


def delete_history_of_definitions(ctx: CommandContext, definition_ids: list[str]) -> None:
    marks = ", ".join("?" for _ in definition_ids)
    instances = f"SELECT id FROM bf_hi_procinst WHERE proc_def_id IN ({marks})"
    for table in ("bf_hi_actinst", "bf_hi_taskinst", "bf_hi_varinst", "bf_hi_detail"):
        ctx.session.execute(f"DELETE FROM {table} WHERE proc_inst_id IN ({instances})",
                            definition_ids)
    ctx.session.execute(f"DELETE FROM bf_hi_procinst WHERE proc_def_id IN ({marks})",
                        definition_ids)


# -- variables of executions and process instances ---------------------------------------------
def execution_or_fail(ctx: CommandContext, execution_id: str) -> tuple[Instance, Execution]:
    row = ctx.uow.get(Execution, execution_id)
    if row is None:
        raise NullValueError(f"execution {execution_id} doesn't exist: execution is null")
    inst = ctx.runtime.instance(row.proc_inst_id)
    return inst, inst.by_id[execution_id]


def get_variables(ctx: CommandContext, execution_id: str, local: bool = False
                  ) -> dict[str, TypedValue]:
    inst, ex = execution_or_fail(ctx, execution_id)
    if local:
        return {n: inst.value(v) for n, v in inst.scopes.get(ex.id, {}).items()}
    return ctx.runtime.visible_variables(ex)


def set_variables(ctx: CommandContext, execution_id: str, variables: dict[str, TypedValue],
                  local: bool = False, deletions: list[str] | None = None) -> None:
    inst, ex = execution_or_fail(ctx, execution_id)
    rt = ctx.runtime
    for name in deletions or []:
        rt.remove_variable(ex, name, local=local)
    for name, value in variables.items():
        if local:
            rt.set_variable_local(ex, name, value)
        else:
            rt.set_variable(ex, name, value)


def remove_variable(ctx: CommandContext, execution_id: str, name: str,
                    local: bool = False) -> None:
    _, ex = execution_or_fail(ctx, execution_id)
    ctx.runtime.remove_variable(ex, name, local=local)


# -- the activity-instance tree ----------------------------------------------------------------
def activity_instance_tree(ctx: CommandContext, proc_inst_id: str) -> dict[str, Any] | None:
    inst = ctx.runtime.find_instance(proc_inst_id)
    if inst is None:
        return None
    d, root = inst.definition, inst.root
    tree = _activity_instance(inst, root, None)
    tree.update(activityId=d.id, activityType="processDefinition", activityName=d.name,
                name=d.name)
    return tree


def _activity_instance(inst: Instance, ex: Execution, parent: Execution | None) -> dict[str, Any]:
    node = inst.model.nodes.get(ex.activity_id or "")
    children, transitions = [], []
    for child in inst.children_of(ex):
        if child.state == "join":
            continue
        if child.state in ("async_before", "async_after"):
            transitions.append(_transition_instance(inst, child, ex))
        else:
            children.append(_activity_instance(inst, child, ex))
    return {
        "id": ex.id,
        "parentActivityInstanceId": parent.id if parent is not None else None,
        "activityId": ex.activity_id,
        "activityType": node.activity_type if node else None,
        "processInstanceId": ex.proc_inst_id,
        "processDefinitionId": ex.proc_def_id,
        "childActivityInstances": children,
        "childTransitionInstances": transitions,
        "executionIds": [ex.id],
        "activityName": node.name if node else None,
        "incidentIds": [],
        "incidents": [],
        "name": node.name if node else None,
    }


def _transition_instance(inst: Instance, ex: Execution, parent: Execution) -> dict[str, Any]:
    node = inst.model.nodes.get(ex.activity_id or "")
    return {
        "id": ex.id, "parentActivityInstanceId": parent.id, "activityId": ex.activity_id,
        "activityName": node.name if node else None,
        "activityType": node.activity_type if node else None,
        "processInstanceId": ex.proc_inst_id, "processDefinitionId": ex.proc_def_id,
        "executionId": ex.id, "incidentIds": [], "incidents": [],
    }


__all__ = ["EngineError", "start_process_instance", "delete_process_instance"]
