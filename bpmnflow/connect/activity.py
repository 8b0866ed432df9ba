"""A connector as an activity's implementation: map inputs, call, map outputs.

Input parameters become the request (they are not variables); output parameters read the
response (``statusCode``, ``response``, ``headers``) before the execution's variables and are
set on the execution as ``execution.setVariable`` would, as Camunda's connector plugin does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmnflow.connect import invoke
from bpmnflow.model.elements import ConnectorDefinition
from bpmnflow.runtime import io_mapping
from bpmnflow.variables import TypedValue, infer

if TYPE_CHECKING:
    from bpmnflow.runtime.runtime import Runtime
    from bpmnflow.store.entities import Execution


def _plain(value: Any) -> Any:
    if isinstance(value, TypedValue) and value.type not in ("Json", "Xml"):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def run_connector(rt: Runtime, ex: Execution, definition: ConnectorDefinition) -> None:
    request = {name: _plain(io_mapping.value(rt, ex, spec, names={}))
               for name, spec in definition.inputs}
    response = invoke(definition.connector_id, request)
    results = [(name, io_mapping.value(rt, ex, spec, names=response))
               for name, spec in definition.outputs]
    for name, result in results:
        rt.set_variable(ex, name, infer(result))
