"""BPMN tag -> behaviour: the one table the runtime dispatches on."""

from __future__ import annotations

from bpmnflow.runtime.behaviors.base import Behavior
from bpmnflow.runtime.behaviors.events import (
    BoundaryEvent,
    CatchEvent,
    EndEvent,
    StartEvent,
    ThrowEvent,
)
from bpmnflow.runtime.behaviors.gateways import (
    EventBasedGateway,
    ExclusiveGateway,
    InclusiveGateway,
    ParallelGateway,
)
from bpmnflow.runtime.behaviors.subprocess import CallActivity, MultiInstanceBody, SubProcess
from bpmnflow.runtime.behaviors.tasks import (
    PlainTask,
    ReceiveTask,
    ScriptTask,
    ServiceTask,
    UserTask,
)

BEHAVIORS: dict[str, Behavior] = {
    "startEvent": StartEvent(),
    "endEvent": EndEvent(),
    "intermediateThrowEvent": ThrowEvent(),
    "intermediateCatchEvent": CatchEvent(),
    "boundaryEvent": BoundaryEvent(),
    "exclusiveGateway": ExclusiveGateway(),
    "parallelGateway": ParallelGateway(),
    "inclusiveGateway": InclusiveGateway(),
    "eventBasedGateway": EventBasedGateway(),
    "task": PlainTask(),
    "manualTask": PlainTask(),
    "userTask": UserTask(),
    "serviceTask": ServiceTask(),
    "sendTask": ServiceTask(),
    "businessRuleTask": ServiceTask(),
    "receiveTask": ReceiveTask(),
    "scriptTask": ScriptTask(),
    "subProcess": SubProcess(),
    "callActivity": CallActivity(),
    "multiInstanceBody": MultiInstanceBody(),
}
