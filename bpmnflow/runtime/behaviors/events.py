"""Event behaviours: start, end and intermediate throw events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmnflow.model.elements import FlowNode
from bpmnflow.runtime.behaviors.base import Behavior, PassThrough
from bpmnflow.store.entities import Execution

if TYPE_CHECKING:
    from bpmnflow.runtime.instance import Instance
    from bpmnflow.runtime.runtime import Runtime


class NoneStartEvent(PassThrough):
    pass


class NoneThrowEvent(PassThrough):
    pass


class NoneEndEvent(Behavior):
    """Ends its token; the scope completes once no token is left in it."""

    def execute(self, rt: Runtime, inst: Instance, ex: Execution, node: FlowNode) -> None:
        rt.leave(inst, ex, node, [])
