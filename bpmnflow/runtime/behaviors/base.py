"""The contract every BPMN element behaviour follows.

A pass-through element leaves in ``execute``; a wait state does not, and leaves in ``signal``
when the outside world resumes it.  Scopes (subprocesses) hear ``scope_completed`` when their
last inner token has ended.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.errors import EngineError
from bpmnflow.model.elements import FlowNode
from bpmnflow.store.entities import Execution

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


class Behavior:
    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        rt.leave(inst, ex, node)

    def signal(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
               payload: Any) -> None:
        raise EngineError(f"Activity '{node.id}' is not waiting and cannot be signalled")

    def cancel(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        """Clean up what this activity created outside the execution tree (tasks, jobs...)."""

    def scope_completed(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        rt.leave(inst, ex, node)

    def child_completed(self, rt: Runtime, inst: Instance, ex: Execution,
                        node: FlowNode) -> None:
        """An inner instance of a multi-instance body ended."""

    def called_ended(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
                     variables: dict[str, Any]) -> None:
        """The process instance this call activity started has ended."""


class PassThrough(Behavior):
    """Plain tasks, manual tasks, none start and none intermediate throw events."""


class WaitState(Behavior):
    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        pass

    def signal(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode,
               payload: Any) -> None:
        rt.leave(inst, ex, node)
