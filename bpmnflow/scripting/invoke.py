"""Running a model's script against a live execution: snapshot in, operations out.

``run_script`` is what every script site calls (script tasks, conditions, listeners,
input/output parameters, connector mappings).  JavaScript results come back as typed values
(``5`` an Integer, ``S(...)`` a Json value); juel scripts are plain expressions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bpmnflow.delegates.registry import BpmnError
from bpmnflow.model.elements import Script
from bpmnflow.scripting import el, javascript, resources
from bpmnflow.scripting.languages import JUEL
from bpmnflow.scripting.settings import current
from bpmnflow.scripting.values import from_sandbox, to_sandbox
from bpmnflow.variables import TypedValue

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime
    from bpmnflow.store.entities import Execution, Task


def run_script(rt: Runtime, ex: Execution, script: Script, task: Task | None = None,
               event: str | None = None, connector: Mapping[str, Any] | None = None) -> Any:
    """Evaluate ``script`` at ``ex``; raises ``BpmnError`` for a BPMN error the script threw."""
    inst = rt.instance(ex.proc_inst_id)
    if script.language == JUEL:
        return _juel(rt, inst, ex, script, task, event, connector)
    source = script.source if script.resource is None else resources.load(
        rt, inst, script.resource)
    request = _request(rt, inst, ex, task, event, connector, source or "")
    try:
        answer = javascript.evaluate(request, current())
    except javascript.ScriptError as exc:
        raise javascript.ScriptError(_failure(ex, script, exc.message)) from None
    _apply(rt, inst, ex, task, event, answer.get("ops") or [])
    if "bpmnError" in answer:
        error = answer["bpmnError"]
        raise BpmnError(error["code"], error.get("message"))
    if "error" in answer:
        raise javascript.ScriptError(_failure(ex, script, answer["error"]))
    return from_sandbox(answer["result"])


def plain(value: Any) -> Any:
    """A script result as a Python value (for conditions and the like)."""
    return value.value if isinstance(value, TypedValue) else value


def _failure(ex: Execution, script: Script, detail: str) -> str:
    return (f"Unable to evaluate script while executing activity '{script.element_id}' in the "
            f"process definition with id '{ex.proc_def_id}': {detail}")


def _juel(rt: Runtime, inst: Instance, ex: Execution, script: Script, task: Task | None,
          event: str | None, connector: Mapping[str, Any] | None) -> Any:
    from bpmnflow.expr import compile_expression

    expr = script.expression
    if expr is None:
        expr = compile_expression(resources.load(rt, inst, script.resource or "").strip())
    names = {k: el.el_value(v) if isinstance(v, TypedValue) else v
             for k, v in (connector or {}).items()}
    return el.evaluate(rt, expr, ex, task, event, names or None)


def _request(rt: Runtime, inst: Instance, ex: Execution, task: Task | None, event: str | None,
             connector: Mapping[str, Any] | None, source: str) -> dict[str, Any]:
    node = inst.model.nodes.get(ex.activity_id or "")
    request: dict[str, Any] = {
        "source": source,
        "variables": {k: to_sandbox(v) for k, v in rt.visible_variables(ex).items()},
        "locals": {k: to_sandbox(inst.value(v)) for k, v in rt.local_variables(ex).items()},
        "execution": {
            "id": ex.id, "processInstanceId": ex.proc_inst_id,
            "processDefinitionId": ex.proc_def_id, "activityInstanceId": ex.id,
            "activityId": ex.activity_id, "activityName": node.name if node else None,
            "parentId": ex.parent_id, "tenantId": ex.tenant_id, "eventName": event,
            "businessKey": inst.root.business_key,
        },
    }
    if task is not None:
        request["task"] = _task_facts(task, event)
        request["taskLocals"] = {k: to_sandbox(inst.value(v))
                                 for k, v in inst.task_scopes.get(task.id, {}).items()}
    if connector is not None:
        request["connector"] = {k: to_sandbox(v if isinstance(v, TypedValue) else _typed(v))
                                for k, v in connector.items()}
    return request


def _typed(value: Any) -> TypedValue:
    from bpmnflow.variables import infer

    return infer(value)


def _task_facts(task: Task, event: str | None) -> dict[str, Any]:
    return {
        "id": task.id, "name": task.name, "description": task.description,
        "assignee": task.assignee, "owner": task.owner, "priority": task.priority,
        "taskDefinitionKey": task.task_def_key, "processInstanceId": task.proc_inst_id,
        "executionId": task.execution_id, "processDefinitionId": task.proc_def_id,
        "eventName": event, "tenantId": task.tenant_id, "dueDate": task.due_date,
        "followUpDate": task.follow_up_date, "createTime": task.create_time,
    }


_TASK_FIELDS = {"name": "name", "description": "description", "assignee": "assignee",
                "owner": "owner", "priority": "priority", "dueDate": "due_date",
                "followUpDate": "follow_up_date"}


def _apply(rt: Runtime, inst: Instance, ex: Execution, task: Task | None, event: str | None,
           ops: list[list[Any]]) -> None:
    """Carry out what the script did to the snapshot, in the order it did it."""
    from bpmnflow.runtime.facades import ExecutionFacade

    for target, action, name, *rest in ops:
        value = from_sandbox(rest[0]) if rest and isinstance(rest[0], list) else None
        if target == "execution":
            if action == "set":
                rt.set_variable(ex, name, value)  # type: ignore[arg-type]
            elif action == "setLocal":
                rt.set_variable_local(ex, name, value)  # type: ignore[arg-type]
            elif action in ("remove", "removeLocal"):
                rt.remove_variable(ex, name, local=action == "removeLocal")
            elif action == "businessKey":
                ExecutionFacade(rt, ex, event).setProcessBusinessKey(name)
        elif target == "task" and task is not None:
            if action == "set":
                rt.set_variable(ex, name, value)  # type: ignore[arg-type]
            elif action == "setLocal":
                rt.set_task_variable(task, name, value)  # type: ignore[arg-type]
            elif action == "field" and name in _TASK_FIELDS:
                raw = value.value if value is not None else None
                if name == "priority" and raw is not None:
                    raw = int(raw)
                if name in ("dueDate", "followUpDate") and raw is not None and not isinstance(
                        raw, int):
                    raw = int(raw.timestamp() * 1000)
                setattr(task, _TASK_FIELDS[name], raw)
