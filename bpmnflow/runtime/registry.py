"""BPMN tag -> behaviour: the one table the runtime dispatches on."""

from __future__ import annotations

from bpmnflow.runtime.behaviors.base import Behavior
from bpmnflow.runtime.behaviors.events import NoneEndEvent, NoneStartEvent, NoneThrowEvent
from bpmnflow.runtime.behaviors.gateways import ExclusiveGateway, ParallelGateway
from bpmnflow.runtime.behaviors.tasks import PlainTask, ServiceTask, UserTask

BEHAVIORS: dict[str, Behavior] = {
    "startEvent": NoneStartEvent(),
    "endEvent": NoneEndEvent(),
    "intermediateThrowEvent": NoneThrowEvent(),
    "exclusiveGateway": ExclusiveGateway(),
    "parallelGateway": ParallelGateway(),
    "task": PlainTask(),
    "manualTask": PlainTask(),
    "userTask": UserTask(),
    "serviceTask": ServiceTask(),
}
