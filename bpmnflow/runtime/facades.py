"""What expressions may touch: read-only views of executions and tasks with a fixed whitelist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.expr import ELObject
from bpmnflow.store.entities import Execution, Task
from bpmnflow.variables import infer

if TYPE_CHECKING:
    from bpmnflow.runtime.runtime import Runtime


class ExecutionFacade(ELObject):
    """``execution`` in expressions: Camunda's DelegateExecution, reduced to safe calls."""

    el_properties = frozenset({
        "id", "processInstanceId", "processBusinessKey", "businessKey", "processDefinitionId",
        "activityInstanceId", "currentActivityId", "currentActivityName", "activityId",
        "parentId", "tenantId", "eventName", "variables", "variableNames",
    })
    el_methods = frozenset({
        "getVariable", "getVariableLocal", "setVariable", "setVariableLocal", "hasVariable",
        "hasVariableLocal", "removeVariable", "removeVariableLocal", "getVariables",
        "getVariablesLocal", "getVariableNames", "getId", "getProcessInstanceId",
        "getProcessBusinessKey", "getBusinessKey", "getProcessDefinitionId",
        "getCurrentActivityId", "getCurrentActivityName", "getActivityInstanceId",
        "getParentId", "getTenantId", "getEventName", "setProcessBusinessKey",
    })

    def __init__(self, rt: Runtime, ex: Execution, event: str | None = None) -> None:
        self._rt = rt
        self._ex = ex
        self.eventName = event

    # properties ------------------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self._ex.id

    @property
    def processInstanceId(self) -> str:  # noqa: N802 - Camunda's name
        return self._ex.proc_inst_id

    @property
    def processBusinessKey(self) -> str | None:  # noqa: N802
        return self._rt.instance(self._ex.proc_inst_id).root.business_key

    businessKey = processBusinessKey  # noqa: N815

    @property
    def processDefinitionId(self) -> str:  # noqa: N802
        return self._ex.proc_def_id

    @property
    def activityInstanceId(self) -> str:  # noqa: N802
        return self._ex.id

    @property
    def currentActivityId(self) -> str | None:  # noqa: N802
        return self._ex.activity_id

    activityId = currentActivityId  # noqa: N815

    @property
    def currentActivityName(self) -> str | None:  # noqa: N802
        inst = self._rt.instance(self._ex.proc_inst_id)
        node = inst.model.nodes.get(self._ex.activity_id or "")
        return node.name if node else None

    @property
    def parentId(self) -> str | None:  # noqa: N802
        return self._ex.parent_id

    @property
    def tenantId(self) -> str | None:  # noqa: N802
        return self._ex.tenant_id

    @property
    def variables(self) -> dict[str, Any]:
        return {k: v.value for k, v in self._rt.visible_variables(self._ex).items()}

    @property
    def variableNames(self) -> list[str]:  # noqa: N802
        return list(self._rt.visible_variables(self._ex))

    # methods ---------------------------------------------------------------------------------
    def getVariable(self, name: str) -> Any:  # noqa: N802
        tv = self._rt.get_variable(self._ex, name)
        return None if tv is None else tv.value

    def getVariableLocal(self, name: str) -> Any:  # noqa: N802
        tv = self._rt.get_variable_local(self._ex, name)
        return None if tv is None else tv.value

    def setVariable(self, name: str, value: Any) -> None:  # noqa: N802
        self._rt.set_variable(self._ex, str(name), infer(value))

    def setVariableLocal(self, name: str, value: Any) -> None:  # noqa: N802
        self._rt.set_variable_local(self._ex, str(name), infer(value))

    def hasVariable(self, name: str) -> bool:  # noqa: N802
        return self._rt.get_variable(self._ex, name) is not None

    def hasVariableLocal(self, name: str) -> bool:  # noqa: N802
        return self._rt.get_variable_local(self._ex, name) is not None

    def removeVariable(self, name: str) -> None:  # noqa: N802
        self._rt.remove_variable(self._ex, name)

    def removeVariableLocal(self, name: str) -> None:  # noqa: N802
        self._rt.remove_variable(self._ex, name, local=True)

    def getVariables(self) -> dict[str, Any]:  # noqa: N802
        return self.variables

    def getVariablesLocal(self) -> dict[str, Any]:  # noqa: N802
        return {k: self._rt.instance(self._ex.proc_inst_id).value(v)
                for k, v in self._rt.local_variables(self._ex).items()}

    def getVariableNames(self) -> list[str]:  # noqa: N802
        return self.variableNames

    def getId(self) -> str:  # noqa: N802
        return self.id

    def getProcessInstanceId(self) -> str:  # noqa: N802
        return self.processInstanceId

    def getProcessBusinessKey(self) -> str | None:  # noqa: N802
        return self.processBusinessKey

    def getBusinessKey(self) -> str | None:  # noqa: N802
        return self.processBusinessKey

    def getProcessDefinitionId(self) -> str:  # noqa: N802
        return self.processDefinitionId

    def getCurrentActivityId(self) -> str | None:  # noqa: N802
        return self.currentActivityId

    def getCurrentActivityName(self) -> str | None:  # noqa: N802
        return self.currentActivityName

    def getActivityInstanceId(self) -> str:  # noqa: N802
        return self.activityInstanceId

    def getParentId(self) -> str | None:  # noqa: N802
        return self.parentId

    def getTenantId(self) -> str | None:  # noqa: N802
        return self.tenantId

    def getEventName(self) -> str | None:  # noqa: N802
        return self.eventName

    def setProcessBusinessKey(self, key: str) -> None:  # noqa: N802
        self._rt.instance(self._ex.proc_inst_id).root.business_key = str(key)


class TaskFacade(ELObject):
    """``task`` in expressions and task listeners: Camunda's DelegateTask, reduced."""

    el_properties = frozenset({
        "id", "name", "assignee", "owner", "priority", "taskDefinitionKey", "processInstanceId",
        "executionId", "processDefinitionId", "description", "dueDate", "followUpDate",
        "eventName", "tenantId",
    })
    el_methods = frozenset({
        "getId", "getName", "getAssignee", "getOwner", "getPriority", "getTaskDefinitionKey",
        "getProcessInstanceId", "getExecutionId", "getProcessDefinitionId", "getDescription",
        "getVariable", "setVariable", "getVariableLocal", "setVariableLocal", "setAssignee",
        "setOwner", "setName", "setPriority", "getEventName", "getTenantId",
    })

    def __init__(self, rt: Runtime, task: Task, ex: Execution | None,
                 event: str | None = None) -> None:
        self._rt, self._task, self._ex = rt, task, ex
        self.eventName = event

    def __getattr__(self, name: str) -> Any:
        mapping = {"id": "id", "name": "name", "assignee": "assignee", "owner": "owner",
                   "priority": "priority", "taskDefinitionKey": "task_def_key",
                   "processInstanceId": "proc_inst_id", "executionId": "execution_id",
                   "processDefinitionId": "proc_def_id", "description": "description",
                   "dueDate": "due_date", "followUpDate": "follow_up_date",
                   "tenantId": "tenant_id"}
        if name in mapping:
            return getattr(self._task, mapping[name])
        if name.startswith("get") and name[3:4].isupper():
            prop = name[3].lower() + name[4:]
            if prop in mapping:
                return lambda: getattr(self._task, mapping[prop])
        raise AttributeError(name)

    def getVariable(self, name: str) -> Any:  # noqa: N802
        tv = self._rt.get_task_variable(self._task, name)
        return None if tv is None else tv.value

    def getVariableLocal(self, name: str) -> Any:  # noqa: N802
        tv = self._rt.get_task_variable(self._task, name, local=True)
        return None if tv is None else tv.value

    def setVariable(self, name: str, value: Any) -> None:  # noqa: N802
        if self._ex is not None:
            self._rt.set_variable(self._ex, str(name), infer(value))

    def setVariableLocal(self, name: str, value: Any) -> None:  # noqa: N802
        self._rt.set_task_variable(self._task, str(name), infer(value))

    def setAssignee(self, user: str | None) -> None:  # noqa: N802
        self._task.assignee = user

    def setOwner(self, user: str | None) -> None:  # noqa: N802
        self._task.owner = user

    def setName(self, name: str | None) -> None:  # noqa: N802
        self._task.name = name

    def setPriority(self, priority: int) -> None:  # noqa: N802
        self._task.priority = int(priority)
