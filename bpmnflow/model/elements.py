"""The parsed form of a BPMN process: a graph of flow nodes and sequence flows.

Built once per deployed definition and shared by every instance; nothing mutates it after the
parser hands it over, so it can be cached by definition id and read from any thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmnflow.expr import Expression


@dataclass(eq=False, slots=True)
class SequenceFlow:
    id: str
    name: str | None
    source: FlowNode
    target: FlowNode
    condition: Expression | None = None
    listeners: list[Listener] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class FlowNode:
    """One BPMN element that tokens visit (events, activities, gateways)."""

    id: str
    kind: str  # the BPMN tag, e.g. "userTask"
    activity_type: str  # Camunda's activityType, e.g. "noneEndEvent"
    name: str | None
    line: int
    scope: FlowNode | None  # enclosing subprocess; None at process level
    incoming: list[SequenceFlow] = field(default_factory=list)
    outgoing: list[SequenceFlow] = field(default_factory=list)
    default_flow: str | None = None
    props: dict[str, Any] = field(default_factory=dict)
    children: dict[str, FlowNode] | None = None
    initial: FlowNode | None = None
    documentation: str | None = None


@dataclass(eq=False, slots=True)
class EventDefinition:
    """What an event waits for or throws."""

    kind: str  # timer, message, signal, error, escalation, terminate, link
    name: Expression | None = None  # message/signal name (may be an expression), link name
    timer_kind: str | None = None  # date, duration, cycle
    timer: Expression | None = None
    code: str | None = None  # error or escalation code; None catches all
    error_name: str | None = None
    code_variable: str | None = None
    message_variable: str | None = None
    condition: Expression | None = None  # conditional events
    variable_name: str | None = None
    variable_events: tuple[str, ...] = ()
    activity_ref: str | None = None  # compensation throws
    wait_for_completion: bool = True


@dataclass(eq=False, slots=True)
class ValueSpec:
    """A camunda:inputOutput parameter value: text, expression, list or map (nested)."""

    kind: str  # text, expression, list, map, null
    text: str | None = None
    expression: Expression | None = None
    items: list[ValueSpec] | None = None
    entries: list[tuple[str, ValueSpec]] | None = None
    script: Script | None = None  # kind "script": camunda:script


@dataclass(eq=False, slots=True)
class Listener:
    """An execution or task listener.

    Whatever its kind (expression, class, delegate expression, script), ``expression`` is what
    the runtime evaluates: for the other kinds the parser puts a hosted call there that runs the
    handler or script (see ``bpmnflow.scripting.hosted``); the other fields say what it runs.
    """

    event: str
    expression: Expression | None = None
    delegate_expression: Expression | None = None
    class_name: str | None = None
    script: Script | None = None
    fields: list[FieldInjection] = field(default_factory=list)
    registry: Any = None  # the delegate registry a class or delegate expression resolves in


@dataclass(eq=False, slots=True)
class Script:
    """A script from the model: inline source or a resource, in a language the engine runs.

    ``language`` is normalised ("javascript" or "juel"); a juel script is compiled at deploy
    into ``expression``.  ``resource`` keeps Camunda's form (``deployment://path``,
    ``classpath://path`` or a bare path, which Camunda reads from the classpath).
    """

    language: str
    element_id: str
    source: str | None = None
    resource: str | None = None
    expression: Expression | None = None


@dataclass(eq=False, slots=True)
class FieldInjection:
    """``camunda:field``: a constant string or an expression evaluated when the handler runs."""

    name: str
    text: str | None = None
    expression: Expression | None = None


@dataclass(eq=False, slots=True)
class DelegateCall:
    """``camunda:class`` or ``camunda:delegateExpression``, resolved through a delegate registry.

    ``registry`` is the registry the parser checked the name against; the handler is looked up
    in it again at each call, so an application may replace a handler without redeploying.
    """

    class_name: str | None
    expression: Expression | None
    fields: list[FieldInjection]
    registry: Any


@dataclass(eq=False, slots=True)
class ConnectorDefinition:
    """``camunda:connector``: the connector id and its own input/output mapping."""

    connector_id: str
    inputs: list[tuple[str, ValueSpec]] = field(default_factory=list)
    outputs: list[tuple[str, ValueSpec]] = field(default_factory=list)


@dataclass(eq=False, slots=True)
class LoopDefinition:
    sequential: bool
    cardinality: Expression | None = None
    collection: Expression | None = None
    collection_variable: str | None = None
    element_variable: str | None = None
    completion: Expression | None = None


@dataclass(eq=False, slots=True)
class FormField:
    id: str
    label: str | None
    type: str | None
    default_value: str | None


@dataclass(eq=False, slots=True)
class ProcessModel:
    """One executable process of a deployed resource."""

    key: str
    name: str | None
    line: int
    version_tag: str | None = None
    history_ttl: int | None = None
    startable: bool = True
    documentation: str | None = None
    nodes: dict[str, FlowNode] = field(default_factory=dict)
    children: dict[str, FlowNode] = field(default_factory=dict)
    initial: FlowNode | None = None
    start_form_key: str | None = None
    start_form_fields: list[FormField] = field(default_factory=list)
    initiator_variable: str | None = None
    start_events: list[FlowNode] = field(default_factory=list)  # message/signal/timer starts
    job_priority: Expression | None = None
    task_priority: Expression | None = None
    listeners: list[Listener] = field(default_factory=list)  # on the process element
    # Facts derived once at parse time, read on every instance's hot path.
    root_waits: bool = False  # the instance row itself may hold subscriptions (event
    # subprocesses, compensation handlers at process level)
    has_conditionals: bool = False
    has_compensation: bool = False


@dataclass(eq=False, slots=True)
class BpmnResource:
    """What one BPMN file holds: its executable processes and the definitions they refer to."""

    processes: list[ProcessModel]
    target_namespace: str | None = None
    messages: dict[str, str] = field(default_factory=dict)
    signals: dict[str, str] = field(default_factory=dict)
    errors: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
