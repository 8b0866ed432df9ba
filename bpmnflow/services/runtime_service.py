"""Runtime commands: start and delete process instances, variables, the activity-instance tree."""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import EngineError, NotFoundError, NullValueError, SuspendedEntityError
from bpmnflow.runtime.instance import Instance
from bpmnflow.services import deletion, repository
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import SUSPENDED, Execution, Incident, ProcessDefinition
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
                            reason: str | None = None, **options: bool) -> None:
    """End one running instance from the outside (``EXTERNALLY_TERMINATED``).

    ``options``: ``skip_custom_listeners``, ``skip_io_mappings``, ``skip_subprocesses``,
    ``fail_if_not_exists`` -- see ``services.deletion``, which does the work.
    """
    deletion.delete_process_instance(ctx, proc_inst_id, reason, **options)


def delete_history_of_definitions(ctx: CommandContext, definition_ids: list[str]) -> None:
    """Every historic instance of these definitions, with all its rows."""
    marks = ", ".join("?" for _ in definition_ids)
    deletion.delete_history(ctx, f"proc_def_id IN ({marks})", list(definition_ids))


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
    rt.run()  # conditional events watching these variables


def remove_variable(ctx: CommandContext, execution_id: str, name: str,
                    local: bool = False) -> None:
    _, ex = execution_or_fail(ctx, execution_id)
    ctx.runtime.remove_variable(ex, name, local=local)
    ctx.runtime.run()


# -- the activity-instance tree ----------------------------------------------------------------
def activity_instance_tree(ctx: CommandContext, proc_inst_id: str) -> dict[str, Any] | None:
    inst = ctx.runtime.find_instance(proc_inst_id)
    if inst is None:
        return None
    d, root = inst.definition, inst.root
    incidents: dict[str, list[Incident]] = {}
    for incident in ctx.uow.select(Incident, "proc_inst_id = ? ORDER BY incident_timestamp, id",
                                   (proc_inst_id,)):
        incidents.setdefault(incident.execution_id or "", []).append(incident)
    tree = _activity_instance(inst, root, None, incidents)
    tree.update(activityId=d.id, activityType="processDefinition", activityName=d.name,
                name=d.name)
    return tree


def _incidents(found: list[Incident]) -> dict[str, Any]:
    return {"incidentIds": [i.id for i in found],
            "incidents": [{"id": i.id, "activityId": i.activity_id} for i in found]}


def _activity_instance(inst: Instance, ex: Execution, parent: Execution | None,
                       incidents: dict[str, list[Incident]]) -> dict[str, Any]:
    node = inst.model.nodes.get(ex.activity_id or "")
    children, transitions = [], []
    for child in inst.children_of(ex):
        if child.state == "join":
            continue
        if child.state in ("async_before", "async_after"):
            transitions.append(_transition_instance(inst, child, ex, incidents))
        else:
            children.append(_activity_instance(inst, child, ex, incidents))
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
        **_incidents(incidents.get(ex.id, []) if ex.activity_id else []),
        "name": node.name if node else None,
    }


def _transition_instance(inst: Instance, ex: Execution, parent: Execution,
                         incidents: dict[str, list[Incident]]) -> dict[str, Any]:
    node = inst.model.nodes.get(ex.activity_id or "")
    return {
        "id": ex.id, "parentActivityInstanceId": parent.id, "activityId": ex.activity_id,
        "activityName": node.name if node else None,
        "activityType": node.activity_type if node else None,
        "processInstanceId": ex.proc_inst_id, "processDefinitionId": ex.proc_def_id,
        "executionId": ex.id, **_incidents(incidents.get(ex.id, [])),
    }


__all__ = ["EngineError", "start_process_instance", "delete_process_instance"]
