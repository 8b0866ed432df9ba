"""Modification and restart commands (synchronous; the batch variants hand the same work to
the job executor in chunks)."""

from __future__ import annotations

from typing import Any

from bpmnflow.errors import BadUserRequestError, NotFoundError, NotValidError
from bpmnflow.runtime import modification
from bpmnflow.runtime.modification import START_TYPES, Instruction
from bpmnflow.services import operation_log
from bpmnflow.services.context import CommandContext
from bpmnflow.store.entities import (
    HistoricDetail,
    HistoricProcessInstance,
    HistoricVariableInstance,
    ProcessDefinition,
)
from bpmnflow.variables import from_columns


def modify(ctx: CommandContext, proc_inst_id: str, instructions: list[Instruction],
           skip_listeners: bool = False, skip_io: bool = False) -> None:
    rt = ctx.runtime
    inst = rt.find_instance(proc_inst_id)
    if inst is None:
        raise NotFoundError(f"Process instance '{proc_inst_id}' cannot be modified. The process "
                            "instance does not exist")
    if inst.root.suspension_state != 1:
        raise BadUserRequestError(f"ENGINE-13048 Process instance '{proc_inst_id}' is suspended "
                                  "and cannot be modified")
    rt.skip_listeners, rt.skip_io = skip_listeners, skip_io
    operation_log.write(ctx, "ModifyProcessInstance", "ProcessInstance", operation_log.OPERATOR,
                        proc_inst_id=inst.id, proc_def_id=inst.definition.id,
                        proc_def_key=inst.definition.def_key)
    modification.apply(rt, inst, instructions)
    rt.run()


def modify_many(ctx: CommandContext, definition_id: str, instance_ids: list[str],
                instructions: list[Instruction], skip_listeners: bool = False,
                skip_io: bool = False) -> None:
    if not instance_ids:
        raise BadUserRequestError("Process instance ids is empty")
    for pid in instance_ids:
        inst = ctx.runtime.find_instance(pid)
        if inst is None:
            raise NotFoundError(f"Process instance '{pid}' cannot be modified. The process "
                                "instance does not exist")
        if inst.definition.id != definition_id:
            raise BadUserRequestError(f"Process instance '{pid}' is not an instance of process "
                                      f"definition '{definition_id}'")
        modify(ctx, pid, instructions, skip_listeners, skip_io)


def restart(ctx: CommandContext, definition_id: str, instance_ids: list[str],
            instructions: list[Instruction], initial_variables: bool = False,
            without_business_key: bool = False, skip_listeners: bool = False,
            skip_io: bool = False) -> list[str]:
    """Start finished instances again from the given instructions, with their last variables
    (or the ones they were started with)."""
    definition = ctx.uow.get(ProcessDefinition, definition_id)
    if definition is None:
        raise NotFoundError(f"Process definition {definition_id} does not exist")
    if not instructions:
        raise BadUserRequestError("Restart instructions cannot be empty")
    if not instance_ids:
        raise BadUserRequestError("Process instance ids cannot be empty")
    _, model = ctx.engine.definitions.get(definition_id)
    rt = ctx.runtime
    rt.skip_listeners, rt.skip_io = skip_listeners, skip_io
    operation_log.write(ctx, "RestartProcessInstance", "ProcessInstance",
                        operation_log.OPERATOR,
                        [operation_log.Change("nrOfInstances", None, len(instance_ids))],
                        proc_def_id=definition.id, proc_def_key=definition.def_key)
    started = []
    for pid in instance_ids:
        hi = ctx.uow.get(HistoricProcessInstance, pid)
        if hi is None:
            raise BadUserRequestError("Historic process instance cannot be found: "
                                      "historicProcessInstanceId is null")
        if hi.proc_def_id != definition_id:
            raise BadUserRequestError(f"Its process definition '{hi.proc_def_id}' does not match "
                                      f"given process definition '{definition_id}'")
        if hi.end_time is None:
            raise BadUserRequestError(f"Historic process instance {pid} is still active")
        variables = _variables(ctx, pid, initial_variables)
        business_key = None if without_business_key else hi.business_key
        inst = rt.create_instance(definition, model, business_key, variables)
        modification.apply(rt, inst, instructions)
        rt.run()
        new_hi = ctx.uow.get(HistoricProcessInstance, inst.id)
        if new_hi is not None:
            new_hi.restarted_proc_inst_id = pid
        started.append(inst.id)
    return started


def _variables(ctx: CommandContext, pid: str, initial: bool) -> dict[str, Any]:
    if initial:
        rows = ctx.uow.select(HistoricDetail, "proc_inst_id = ? AND initial = ? ORDER BY seq",
                              (pid, True if ctx.session.dialect == "postgres" else 1))
        return {r.var_name: from_columns(r.var_type or "Null", r.text_value, r.long_value,
                                         r.double_value, r.bytes_value, r.value_info)
                for r in rows if r.var_name}
    rows = ctx.uow.select(HistoricVariableInstance,
                          "proc_inst_id = ? AND state = 'CREATED' AND task_id IS NULL AND "
                          "(execution_id = proc_inst_id OR execution_id IS NULL)", (pid,))
    return {r.name: from_columns(r.var_type, r.text_value, r.long_value, r.double_value,
                                 r.bytes_value, r.value_info) for r in rows}


def check_instructions(instructions: list[Instruction]) -> None:
    for instruction in instructions:
        if instruction.type in ("startBeforeActivity", "startAfterActivity") and \
                not instruction.activity_id:
            raise NotValidError(f"'activityId' must be set for {instruction.type}")
        if instruction.type == "startTransition" and not instruction.transition_id:
            raise NotValidError("'transitionId' must be set for startTransition")


_TYPES = ("cancel", *START_TYPES)


def parse_instructions(raw: Any, allowed: tuple[str, ...] = _TYPES) -> list[Instruction]:
    """Camunda's instruction DTOs (REST or a batch's stored options) to instructions."""
    from bpmnflow.variables import VariableTypeError, from_rest

    if not isinstance(raw, list):
        raise BadUserRequestError("instructions must be a list")
    out = []
    for item in raw:
        if not isinstance(item, dict) or item.get("type") not in allowed:
            kind = item.get("type") if isinstance(item, dict) else item
            raise BadUserRequestError(f"Unknown instruction type '{kind}'")
        variables = {}
        for name, value in (item.get("variables") or {}).items():
            try:
                typed = from_rest(name, value if isinstance(value, dict) else {"value": value})
            except VariableTypeError as exc:
                raise BadUserRequestError(f"Cannot set variable {name}: {exc}") from None
            variables[name] = (typed, bool(isinstance(value, dict) and value.get("local")))
        out.append(Instruction(
            type=item["type"], activity_id=item.get("activityId"),
            transition_id=item.get("transitionId"),
            activity_instance_id=item.get("activityInstanceId"),
            transition_instance_id=item.get("transitionInstanceId"),
            ancestor_activity_instance_id=item.get("ancestorActivityInstanceId"),
            cancel_current=bool(item.get("cancelCurrentActiveActivityInstances")),
            variables=variables))
    check_instructions(out)
    return out
