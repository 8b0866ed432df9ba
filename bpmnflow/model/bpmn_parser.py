"""BPMN 2.0 XML to ``ProcessModel`` graphs, with Camunda's extension attributes.

One registry (``NODE_PARSERS``) maps each BPMN tag to its parse function.  A tag, event
definition or ``camunda:`` attribute the engine cannot run is refused at deploy with the element
id and line, never accepted and then silently skipped at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bpmnflow.delegates.registry import REGISTRY, DelegateRegistry
from bpmnflow.errors import ParseError
from bpmnflow.expr import Expression, ExpressionError, compile_expression
from bpmnflow.model.elements import (
    BpmnResource,
    DelegateCall,
    EventDefinition,
    FlowNode,
    FormField,
    ProcessModel,
    SequenceFlow,
)
from bpmnflow.model.extensions import (
    EXTENSION_NAMESPACES,
    camunda,
    check_attributes,
    delegate_expression,
    extensions,
    fields_of,
    listeners_of,
    parse_activity_extensions,
    parse_script,
    registered_class,
)
from bpmnflow.model.xml import BPMN_NS, load_xml, local, namespace
from bpmnflow.scripting import languages
from bpmnflow.scripting.hosted import ScriptCondition

# Elements inside a process or subprocess that carry no behaviour and are safe to ignore.
_INERT = {
    "laneSet", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
    "association", "documentation", "extensionElements", "ioSpecification", "property", "group",
    "category", "dataInputAssociation", "dataOutputAssociation", "incoming", "outgoing",
    "multiInstanceLoopCharacteristics", "standardLoopCharacteristics",
}

_START_TYPES = {None: "startEvent", "timer": "startTimerEvent", "message": "messageStartEvent",
                "signal": "signalStartEvent", "error": "errorStartEvent",
                "escalation": "escalationStartEvent", "conditional": "conditionalStartEvent"}
_CATCH_TYPES = {"timer": "intermediateTimer", "message": "intermediateMessageCatch",
                "signal": "intermediateSignalCatch", "link": "intermediateLinkCatch",
                "conditional": "intermediateConditional"}
_THROW_TYPES = {None: "intermediateNoneThrowEvent", "signal": "intermediateSignalThrow",
                "escalation": "intermediateEscalationThrowEvent",
                "link": "intermediateLinkThrowEvent",
                "compensate": "intermediateCompensationThrowEvent"}
_BOUNDARY_TYPES = {"timer": "boundaryTimer", "message": "boundaryMessage",
                   "signal": "boundarySignal", "error": "boundaryError",
                   "escalation": "boundaryEscalation", "conditional": "boundaryConditional",
                   "compensate": "compensationBoundaryCatch"}
_END_TYPES = {None: "noneEndEvent", "terminate": "terminateEndEvent", "error": "errorEndEvent",
              "signal": "signalEndEvent", "escalation": "escalationEndEvent",
              "compensate": "compensationEndEvent"}
_SIMPLE_TYPES = {
    "exclusiveGateway": "exclusiveGateway", "parallelGateway": "parallelGateway",
    "inclusiveGateway": "inclusiveGateway", "eventBasedGateway": "eventBasedGateway",
    "task": "task", "manualTask": "manualTask", "userTask": "userTask",
    "serviceTask": "serviceTask", "sendTask": "sendTask", "businessRuleTask": "businessRuleTask",
    "receiveTask": "receiveTask", "subProcess": "subProcess", "callActivity": "callActivity",
    "scriptTask": "scriptTask",
}
_EVENT_KINDS = {"timerEventDefinition": "timer", "messageEventDefinition": "message",
                "signalEventDefinition": "signal", "errorEventDefinition": "error",
                "escalationEventDefinition": "escalation",
                "terminateEventDefinition": "terminate", "linkEventDefinition": "link",
                "conditionalEventDefinition": "conditional",
                "compensateEventDefinition": "compensate"}


class ParseContext:
    """Collects every problem of one resource so that the deploy error lists them all."""

    def __init__(self, resource: str, delegates: DelegateRegistry | None = None) -> None:
        self.resource = resource
        self.delegates = delegates if delegates is not None else REGISTRY
        self.problems: list[dict[str, Any]] = []
        self.messages: dict[str, str] = {}
        self.signals: dict[str, str] = {}
        self.errors: dict[str, tuple[str | None, str | None]] = {}
        self.escalations: dict[str, str | None] = {}
        self.flow_ids: set[str] = set()

    def error(self, element: Any, message: str, element_id: str | None = None) -> None:
        eid = element_id if element_id is not None else (
            element.get("id") if element is not None else None)
        line = element.sourceline if element is not None else 0
        self.problems.append({"message": message, "line": line or 0, "column": 0,
                              "mainElementId": eid, "elementIds": [eid] if eid else []})

    def expression(self, element: Any, text: str | None, what: str) -> Expression | None:
        if text is None:
            return None
        try:
            return compile_expression(text.strip())
        except ExpressionError as exc:
            self.error(element, f"Invalid expression in {what}: {exc}")
            return None

    def raise_if_failed(self) -> None:
        if not self.problems:
            return
        lines = "".join(
            f"\n* {p['message']} | resource {self.resource} | line {p['line']} | column "
            f"{p['column']}" for p in self.problems)
        raise ParseError(f"ENGINE-09005 Could not parse BPMN process. Errors: {lines}",
                         self.problems, self.resource)


def _documentation(element: Any) -> str | None:
    doc = element.find(f"{{{BPMN_NS}}}documentation")
    return doc.text if doc is not None else None


def _event_definition(ctx: ParseContext, element: Any, kind: str) -> EventDefinition | None:
    """The one event definition of an event element (None for a none event)."""
    found = [c for c in element if isinstance(c.tag, str) and local(c.tag).endswith(
        ("EventDefinition", "EventDefinitionRef"))]
    if not found:
        return None
    if len(found) > 1:
        ctx.error(element, f"Multiple event definitions on {kind} are not supported")
    definition = found[0]
    tag = local(definition.tag)
    event_kind = _EVENT_KINDS.get(tag)
    if event_kind is None:
        ctx.error(element, f"'{tag}' on {kind} is not supported by this engine")
        return None
    event = EventDefinition(kind=event_kind)
    if event_kind == "timer":
        for timer_kind in ("timeDate", "timeDuration", "timeCycle"):
            child = definition.find(f"{{{BPMN_NS}}}{timer_kind}")
            if child is not None:
                event.timer_kind = timer_kind[4:].lower()
                event.timer = ctx.expression(element, (child.text or "").strip(), timer_kind)
        if event.timer is None:
            ctx.error(element, "A timer event needs a timeDate, timeDuration or timeCycle")
    elif event_kind in ("message", "signal"):
        ref = definition.get("messageRef" if event_kind == "message" else "signalRef")
        names = ctx.messages if event_kind == "message" else ctx.signals
        if ref is None or ref not in names:
            if kind != "endEvent" or event_kind != "message":
                ctx.error(element, f"{event_kind.capitalize()} reference '{ref}' of {kind} does "
                                   "not name a declared " + event_kind)
        else:
            event.name = ctx.expression(element, names[ref], f"{event_kind} name")
    elif event_kind == "error":
        ref = definition.get("errorRef")
        if ref is not None:
            code, name = ctx.errors.get(ref, (ref, None))
            event.code, event.error_name = code, name
        event.code_variable = camunda(definition, "errorCodeVariable")
        event.message_variable = camunda(definition, "errorMessageVariable")
    elif event_kind == "escalation":
        ref = definition.get("escalationRef")
        if ref is not None:
            event.code = ctx.escalations.get(ref, ref)
    elif event_kind == "link":
        event.name = compile_expression(definition.get("name") or element.get("name") or "")
    elif event_kind == "conditional":
        _conditional(ctx, element, definition, event)
    elif event_kind == "compensate":
        event.activity_ref = definition.get("activityRef")
        event.wait_for_completion = (definition.get("waitForCompletion") or "true").lower() \
            != "false"
    return event


def _conditional(ctx: ParseContext, element: Any, definition: Any,
                 event: EventDefinition) -> None:
    """``<condition>`` (JUEL), ``camunda:variableName`` and ``camunda:variableEvents``."""
    condition = definition.find(f"{{{BPMN_NS}}}condition")
    if condition is None or not (condition.text or "").strip():
        ctx.error(element, "A conditional event needs a condition")
        return
    language = condition.get("language")
    if language and language.lower() not in ("juel", "${}"):
        ctx.error(element, f"Conditional event conditions in '{language}' are not supported by "
                           "this engine (use an expression)")
        return
    event.condition = ctx.expression(element, condition.text.strip(), "condition")
    event.variable_name = camunda(definition, "variableName")
    names = camunda(definition, "variableEvents") or ""
    event.variable_events = tuple(n.strip() for n in names.split(",") if n.strip())
    for name in event.variable_events:
        if name not in ("create", "update", "delete"):
            ctx.error(element, f"Unknown variable event '{name}' (create, update or delete)")


def _node(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None,
          activity_type: str) -> FlowNode:
    node = FlowNode(
        id=element.get("id") or "", kind=kind, activity_type=activity_type,
        name=element.get("name"), line=element.sourceline or 0, scope=scope,
        default_flow=element.get("default"), documentation=_documentation(element))
    if (element.get("isForCompensation") or "").lower() == "true":
        node.props["for_compensation"] = True
    return node


def _no_event_definitions(ctx: ParseContext, element: Any, kind: str) -> None:
    for child in element:
        if isinstance(child.tag, str) and local(child.tag).endswith("EventDefinition"):
            ctx.error(element, f"'{local(child.tag)}' on {kind} is not supported by this engine")


def _start_event(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    event = _event_definition(ctx, element, kind)
    event_kind = event.kind if event else None
    if event_kind not in _START_TYPES:
        ctx.error(element, f"A {event_kind} start event is not supported by this engine")
        event_kind = None
    node = _node(ctx, element, kind, scope, _START_TYPES[event_kind])
    node.props["event"] = event
    node.props["interrupting"] = (element.get("isInterrupting") or "true").lower() != "false"
    node.props["form_key"] = camunda(element, "formKey")
    node.props["initiator"] = camunda(element, "initiator")
    node.props["form_fields"] = _form_fields(element)
    check_attributes(ctx, element, kind, {"formKey", "initiator", "formRef", "formRefBinding",
                                          "formRefVersion"})
    parse_activity_extensions(ctx, element, node)
    return node


def _end_event(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    event = _event_definition(ctx, element, kind)
    event_kind = event.kind if event else None
    if event_kind == "message":
        node = _node(ctx, element, kind, scope, "messageEndEvent")
        _message_throw(ctx, element, node)
    else:
        if event_kind not in _END_TYPES:
            ctx.error(element, f"A {event_kind} end event is not supported by this engine")
            event_kind = None
        node = _node(ctx, element, kind, scope, _END_TYPES[event_kind])
        check_attributes(ctx, element, kind, set())
    node.props["event"] = event
    parse_activity_extensions(ctx, element, node, implementation=event_kind == "message")
    return node


def _catch_event(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    event = _event_definition(ctx, element, kind)
    if event is None or event.kind not in _CATCH_TYPES:
        ctx.error(element, f"An intermediate catch event needs a timer, message, signal or link "
                           f"definition (found {event.kind if event else 'none'})")
        node = _node(ctx, element, kind, scope, "intermediateCatchEvent")
    else:
        node = _node(ctx, element, kind, scope, _CATCH_TYPES[event.kind])
    node.props["event"] = event
    check_attributes(ctx, element, kind, set())
    parse_activity_extensions(ctx, element, node)
    return node


def _throw_event(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    event = _event_definition(ctx, element, kind)
    event_kind = event.kind if event else None
    if event_kind == "message":
        node = _node(ctx, element, kind, scope, "intermediateMessageThrowEvent")
        _message_throw(ctx, element, node)
    else:
        if event_kind not in _THROW_TYPES:
            ctx.error(element, f"A {event_kind} intermediate throw event is not supported by "
                               "this engine")
            event_kind = None
        node = _node(ctx, element, kind, scope, _THROW_TYPES[event_kind])
        check_attributes(ctx, element, kind, set())
    node.props["event"] = event
    parse_activity_extensions(ctx, element, node, implementation=event_kind == "message")
    return node


def _boundary_event(ctx: ParseContext, element: Any, kind: str,
                    scope: FlowNode | None) -> FlowNode:
    event = _event_definition(ctx, element, kind)
    if event is None or event.kind not in _BOUNDARY_TYPES:
        ctx.error(element, f"A {event.kind if event else 'none'} boundary event is not supported "
                           "by this engine")
        node = _node(ctx, element, kind, scope, "boundaryEvent")
    else:
        node = _node(ctx, element, kind, scope, _BOUNDARY_TYPES[event.kind])
    node.props["event"] = event
    node.props["attached_to"] = element.get("attachedToRef")
    node.props["cancel"] = (element.get("cancelActivity") or "true").lower() != "false"
    if event is not None and event.kind == "error" and not node.props["cancel"]:
        ctx.error(element, "An error boundary event must interrupt (cancelActivity=\"true\")")
    check_attributes(ctx, element, kind, set())
    parse_activity_extensions(ctx, element, node)
    return node


def _form_fields(element: Any) -> list[FormField]:
    fields = []
    for ext in extensions(element):
        if local(ext.tag) != "formData":
            continue
        for f in ext:
            if isinstance(f.tag, str) and local(f.tag) == "formField":
                fields.append(FormField(f.get("id") or "", f.get("label"), f.get("type"),
                                        f.get("defaultValue")))
    return fields


def _csv_expressions(ctx: ParseContext, element: Any, text: str | None,
                     what: str) -> list[Expression]:
    if not text:
        return []
    out = []
    for part in split_list(text):
        expr = ctx.expression(element, part, what)
        if expr is not None:
            out.append(expr)
    return out


def split_list(text: str) -> list[str]:
    """Split 'a, b, ${c}' on commas that are not inside an expression."""
    parts, depth, current = [], 0, []
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _simple(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope, _SIMPLE_TYPES[kind])
    _no_event_definitions(ctx, element, kind)
    check_attributes(ctx, element, kind, set())
    parse_activity_extensions(ctx, element, node)
    return node


def _user_task(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope, "userTask")
    check_attributes(ctx, element, kind, {"assignee", "candidateUsers", "candidateGroups",
                                          "dueDate", "followUpDate", "priority", "formKey"})
    p = node.props
    p["assignee"] = ctx.expression(element, camunda(element, "assignee"), "camunda:assignee")
    p["candidate_users"] = _csv_expressions(ctx, element, camunda(element, "candidateUsers"),
                                            "camunda:candidateUsers")
    p["candidate_groups"] = _csv_expressions(ctx, element, camunda(element, "candidateGroups"),
                                             "camunda:candidateGroups")
    p["due_date"] = ctx.expression(element, camunda(element, "dueDate"), "camunda:dueDate")
    p["follow_up_date"] = ctx.expression(element, camunda(element, "followUpDate"),
                                         "camunda:followUpDate")
    p["priority"] = ctx.expression(element, camunda(element, "priority"), "camunda:priority")
    p["form_key"] = ctx.expression(element, camunda(element, "formKey"), "camunda:formKey")
    p["form_fields"] = _form_fields(element)
    _human_performer(ctx, element, node)
    parse_activity_extensions(ctx, element, node, task_listeners=True)
    return node


def _human_performer(ctx: ParseContext, element: Any, node: FlowNode) -> None:
    """BPMN's humanPerformer/potentialOwner, which Camunda maps to assignee/candidates."""
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name not in ("humanPerformer", "potentialOwner"):
            continue
        expr = child.find(f".//{{{BPMN_NS}}}formalExpression")
        text = (expr.text or "").strip() if expr is not None else ""
        if name == "humanPerformer" and text:
            node.props["assignee"] = ctx.expression(element, text, "humanPerformer")
            continue
        for part in split_list(text):
            if part.startswith("group(") and part.endswith(")"):
                node.props["candidate_groups"].append(
                    ctx.expression(element, part[6:-1], "potentialOwner"))
            else:
                part = part[5:-1] if part.startswith("user(") and part.endswith(")") else part
                node.props["candidate_users"].append(
                    ctx.expression(element, part, "potentialOwner"))


def _external(ctx: ParseContext, element: Any, node: FlowNode) -> None:
    topic = camunda(element, "topic")
    if not topic:
        ctx.error(element, "An external task needs a camunda:topic")
    node.props["external"] = True
    node.props["topic"] = ctx.expression(element, topic or "", "camunda:topic")
    node.props["task_priority"] = ctx.expression(element, camunda(element, "taskPriority"),
                                                 "camunda:taskPriority")
    check_attributes(ctx, element, node.kind, {"type", "topic", "taskPriority"})


_IMPLEMENTATION_ATTRIBUTES = {"class", "delegateExpression", "expression", "resultVariable",
                              "type", "topic", "taskPriority"}


def _service_task(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope, _SIMPLE_TYPES[kind])
    if not _implementation(ctx, element, node):
        what = ("a DMN decision (camunda:decisionRef)" if camunda(element, "decisionRef")
                else f"camunda:type=\"{camunda(element, 'type')}\"" if camunda(element, "type")
                else "no implementation")
        ctx.error(element, f"{kind} '{element.get('id')}' uses {what}, which this engine cannot "
                           "run; use camunda:expression, camunda:class, camunda:delegateExpression"
                           ", a camunda:connector or camunda:type=\"external\"")
    parse_activity_extensions(ctx, element, node, implementation=True)
    return node


def _message_throw(ctx: ParseContext, element: Any, node: FlowNode) -> None:
    """A message end or intermediate throw event runs like a service task (Camunda)."""
    if not _implementation(ctx, element, node):
        ctx.error(element, f"A message {node.kind} needs an implementation: camunda:type="
                           "\"external\", camunda:class, camunda:delegateExpression, "
                           "camunda:expression or a camunda:connector")


def _implementation(ctx: ParseContext, element: Any, node: FlowNode) -> bool:
    """Read how a service-like element does its work; False if it names no way we run.

    Every kind sets ``props["implementation"]``; message throw events also set
    ``props["external"]`` because their behaviour hands all work to the task behaviours.
    """
    p = node.props
    connectors = [e for e in extensions(element) if local(e.tag) == "connector"]
    check_attributes(ctx, element, node.kind, _IMPLEMENTATION_ATTRIBUTES)
    if camunda(element, "type") == "external":
        _external(ctx, element, node)
        p["implementation"] = "external"
    elif camunda(element, "class"):
        p["delegate"] = DelegateCall(
            registered_class(ctx, element, camunda(element, "class") or "", node.kind), None,
            fields_of(ctx, element, element), ctx.delegates)
        p["implementation"] = "delegate"
    elif camunda(element, "delegateExpression"):
        p["delegate"] = DelegateCall(None, delegate_expression(
            ctx, element, camunda(element, "delegateExpression") or "", node.kind),
            fields_of(ctx, element, element), ctx.delegates)
        p["implementation"] = "delegate"
    elif camunda(element, "expression") is not None:
        p["expression"] = ctx.expression(element, camunda(element, "expression"),
                                         "camunda:expression")
        p["implementation"] = "expression"
    elif connectors:
        p["implementation"] = "connector"
    else:
        return False
    p["result_variable"] = camunda(element, "resultVariable")
    if p["implementation"] != "external" and node.kind.endswith("Event"):
        p["external"] = True
    return True


def _script_task(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope, "scriptTask")
    check_attributes(ctx, element, kind, {"resultVariable", "resource", "autoStoreVariables"})
    if (camunda(element, "autoStoreVariables") or "").strip().lower() == "true":
        ctx.error(element, "camunda:autoStoreVariables is not supported: scripts set variables "
                           "with execution.setVariable")
    body = element.find(f"{{{BPMN_NS}}}script")
    node.props["script"] = parse_script(
        ctx, element, None, "scriptTask", script_format=element.get("scriptFormat"),
        resource=camunda(element, "resource"), text=body.text if body is not None else None)
    node.props["result_variable"] = camunda(element, "resultVariable")
    parse_activity_extensions(ctx, element, node)
    return node


def _receive_task(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope, "receiveTask")
    ref = element.get("messageRef")
    if ref is not None:
        if ref not in ctx.messages:
            ctx.error(element, f"Message reference '{ref}' does not name a declared message")
        else:
            node.props["event"] = EventDefinition(
                kind="message", name=ctx.expression(element, ctx.messages[ref], "message name"))
    check_attributes(ctx, element, kind, set())
    parse_activity_extensions(ctx, element, node)
    return node


def _sub_process(ctx: ParseContext, element: Any, kind: str, scope: FlowNode | None,
                 model: ProcessModel) -> FlowNode:
    node = _node(ctx, element, kind, scope, "subProcess")
    node.props["triggered_by_event"] = (element.get("triggeredByEvent") or "").lower() == "true"
    check_attributes(ctx, element, kind, set())
    parse_activity_extensions(ctx, element, node)
    node.children = _parse_scope(ctx, element, model, node)
    node.initial = _initial(ctx, element, node.children)
    if node.props["triggered_by_event"]:
        starts = [n for n in node.children.values() if n.kind == "startEvent"]
        if len(starts) != 1 or starts[0].props.get("event") is None:
            ctx.error(element, "An event subprocess needs exactly one start event with an event "
                               "definition")
        else:
            node.props["start"] = starts[0]
    return node


def _call_activity(ctx: ParseContext, element: Any, kind: str,
                   scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope, "callActivity")
    check_attributes(ctx, element, kind, {
        "calledElementBinding", "calledElementVersion", "calledElementVersionTag",
        "calledElementTenantId", "variableMappingClass", "variableMappingDelegateExpression"})
    called = element.get("calledElement")
    if not called:
        ctx.error(element, "A call activity needs a calledElement (CMMN cases are not supported)")
    p = node.props
    p["called_element"] = ctx.expression(element, called or "", "calledElement")
    p["binding"] = camunda(element, "calledElementBinding") or "latest"
    p["version"] = ctx.expression(element, camunda(element, "calledElementVersion"),
                                  "camunda:calledElementVersion")
    p["version_tag"] = ctx.expression(element, camunda(element, "calledElementVersionTag"),
                                      "camunda:calledElementVersionTag")
    p["tenant_id"] = ctx.expression(element, camunda(element, "calledElementTenantId"),
                                    "camunda:calledElementTenantId")
    if camunda(element, "variableMappingClass") or camunda(element,
                                                             "variableMappingDelegateExpression"):
        ctx.error(element, "Variable mapping delegates on call activities are not supported")
    if p["binding"] not in ("latest", "deployment", "version", "versionTag"):
        ctx.error(element, f"Unknown calledElementBinding '{p['binding']}'")
    parse_activity_extensions(ctx, element, node, call_activity=True)
    return node


NodeParser = Callable[[ParseContext, Any, str, FlowNode | None], FlowNode]

NODE_PARSERS: dict[str, NodeParser] = {
    "startEvent": _start_event,
    "endEvent": _end_event,
    "intermediateThrowEvent": _throw_event,
    "intermediateCatchEvent": _catch_event,
    "boundaryEvent": _boundary_event,
    "exclusiveGateway": _simple,
    "parallelGateway": _simple,
    "inclusiveGateway": _simple,
    "eventBasedGateway": _simple,
    "task": _simple,
    "manualTask": _simple,
    "userTask": _user_task,
    "serviceTask": _service_task,
    "sendTask": _service_task,
    "businessRuleTask": _service_task,
    "scriptTask": _script_task,
    "receiveTask": _receive_task,
    "callActivity": _call_activity,
}


def _parse_scope(ctx: ParseContext, element: Any, model: ProcessModel,
                 scope: FlowNode | None) -> dict[str, FlowNode]:
    nodes: dict[str, FlowNode] = {}
    flows = []
    associations: list[Any] = []
    for child in element:
        if not isinstance(child.tag, str) or namespace(child.tag) != BPMN_NS:
            continue
        kind = local(child.tag)
        if kind == "sequenceFlow":
            flows.append(child)
            continue
        if kind == "association":
            associations.append(child)
            continue
        if kind in _INERT:
            continue
        if kind == "subProcess":
            node = _sub_process(ctx, child, kind, scope, model)
        else:
            parse = NODE_PARSERS.get(kind)
            if parse is None:
                ctx.error(child, f"Element '{kind}' is not supported by this engine")
                continue
            node = parse(ctx, child, kind, scope)
        if not node.id:
            ctx.error(child, f"Element '{kind}' has no id")
            continue
        if node.id in model.nodes:
            ctx.error(child, f"Duplicate id '{node.id}'")
            continue
        nodes[node.id] = node
        model.nodes[node.id] = node
        _register_body(model, node)
    for position, flow in enumerate(flows):
        fid = flow.get("id")
        if fid and (fid in model.nodes or fid in ctx.flow_ids):
            ctx.error(flow, f"Duplicate id '{fid}'")
            continue
        if fid:
            ctx.flow_ids.add(fid)
        _parse_flow(ctx, flow, nodes, position)
    _attach_boundaries(ctx, element, nodes, associations)
    for node in nodes.values():
        _check_node(ctx, element, node)
    return nodes


def _register_body(model: ProcessModel, node: FlowNode) -> None:
    """A multi-instance activity runs inside a synthetic body node, as Camunda's tree shows."""
    if node.props.get("loop") is None:
        return
    body = FlowNode(id=f"{node.id}#multiInstanceBody", kind="multiInstanceBody",
                    activity_type="multiInstanceBody", name=node.name, line=node.line,
                    scope=node.scope)
    body.props["inner"] = node
    body.props["loop"] = node.props["loop"]
    # The same list objects: the flows are parsed after the nodes and must show up here too.
    body.incoming, body.outgoing = node.incoming, node.outgoing
    body.default_flow = node.default_flow
    node.props["mi_body"] = body
    model.nodes[body.id] = body


def _attach_boundaries(ctx: ParseContext, element: Any, nodes: dict[str, FlowNode],
                       associations: list[Any]) -> None:
    linked = {}
    for association in associations:
        source, target = association.get("sourceRef"), association.get("targetRef")
        linked[source] = target
        linked[target] = source
    for node in nodes.values():
        if node.kind != "boundaryEvent":
            continue
        target = nodes.get(node.props.get("attached_to") or "")
        if target is None or target.kind in ("startEvent", "endEvent", "boundaryEvent"):
            ctx.error(element, f"Boundary event '{node.id}' is attached to an unknown or "
                               "unsupported element", node.id)
            continue
        holder = target.props.get("mi_body") or target
        event = node.props.get("event")
        if event is not None and event.kind == "compensate":
            # Not armed while the activity runs: once it completes, its handler is remembered.
            handler = nodes.get(linked.get(node.id) or "")
            if handler is None or not handler.props.get("for_compensation"):
                ctx.error(element, f"Compensation boundary event '{node.id}' needs an "
                                   "association to an activity with isForCompensation=\"true\"",
                          node.id)
                continue
            target.props["compensation_handler"] = handler
            node.props["attached_node"] = target
            continue
        holder.props.setdefault("boundary", []).append(node)
        node.props["attached_node"] = holder


def _check_node(ctx: ParseContext, element: Any, node: FlowNode) -> None:
    if node.default_flow and node.default_flow not in {f.id for f in node.outgoing}:
        ctx.error(element, f"Default sequence flow '{node.default_flow}' of '{node.id}' is not "
                           "one of its outgoing flows", node.id)
        ctx.problems[-1]["line"] = node.line
    if node.kind == "eventBasedGateway":
        for flow in node.outgoing:
            target = flow.target
            event = target.props.get("event")
            if target.kind == "intermediateCatchEvent" and event is not None \
                    and event.kind in ("message", "signal", "timer", "conditional"):
                continue
            ctx.error(element, "Event based gateway can only be connected to elements of type "
                               "intermediateCatchEvent", node.id)


def _parse_flow(ctx: ParseContext, flow: Any, nodes: dict[str, FlowNode], position: int) -> None:
    # Flows without an id still need one: joins count arrivals per incoming flow, and the id
    # is persisted with waiting tokens, so it must be the same every time the model is parsed.
    fid = flow.get("id") or f"_flow_{flow.get('sourceRef')}_{flow.get('targetRef')}_{position}"
    source, target = nodes.get(flow.get("sourceRef", "")), nodes.get(flow.get("targetRef", ""))
    if source is None or target is None:
        ctx.error(flow, f"Sequence flow '{fid}' references an unknown source or target")
        return
    for attr in flow.attrib:
        if namespace(attr) in EXTENSION_NAMESPACES:
            ctx.error(flow, f"Attribute 'camunda:{local(attr)}' on sequenceFlow is not supported "
                            "by this engine")
    condition = None
    cond = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    if cond is not None:
        condition = _condition(ctx, flow, cond, fid)
    seq = SequenceFlow(fid, flow.get("name"), source, target, condition,
                       listeners_of(ctx, flow, ("take",)))
    source.outgoing.append(seq)
    target.incoming.append(seq)


def _condition(ctx: ParseContext, flow: Any, cond: Any, fid: str) -> Expression | None:
    """A JUEL condition, or a script condition (``language="javascript"``, inline or a
    ``camunda:resource``) the runtime evaluates like one."""
    language = cond.get("language")
    resource = camunda(cond, "resource")
    if (not language or language.lower() == "${}") and not resource:
        text = (cond.text or "").strip()
        return ctx.expression(flow, text, f"condition of sequence flow '{fid}'")
    if not language:
        ctx.error(flow, f"Condition of sequence flow '{fid}' has a camunda:resource but no "
                        "language")
        return None
    if languages.normalize(language) == languages.JUEL and not resource:
        return ctx.expression(flow, (cond.text or "").strip(),
                              f"condition of sequence flow '{fid}'")
    script = parse_script(ctx, flow, None, f"condition of sequence flow '{fid}'",
                          script_format=language, resource=resource, text=cond.text)
    return ScriptCondition(script) if script is not None else None


def _history_ttl(ctx: ParseContext, element: Any, text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    match = re.fullmatch(r"P(\d+)D", text)
    if match:
        return int(match.group(1))
    ctx.error(element, f"Cannot parse historyTimeToLive: For input string: \"{text}\"")
    return None


def _initial(ctx: ParseContext, element: Any, children: dict[str, FlowNode]) -> FlowNode | None:
    nones = [n for n in children.values()
             if n.kind == "startEvent" and n.props.get("event") is None]
    if len(nones) > 1:
        ctx.error(element, "Multiple none start events are not supported in one scope",
                  element.get("id"))
    return nones[0] if nones else None


def _parse_process(ctx: ParseContext, element: Any) -> ProcessModel:
    key = element.get("id") or ""
    ctx.flow_ids = set()  # ids are checked per process, as nodes are
    startable = camunda(element, "isStartableInTasklist")
    model = ProcessModel(
        key=key, name=element.get("name"), line=element.sourceline or 0,
        version_tag=camunda(element, "versionTag"),
        history_ttl=_history_ttl(ctx, element, camunda(element, "historyTimeToLive")),
        startable=(startable or "true").strip().lower() != "false",
        documentation=_documentation(element))
    check_attributes(ctx, element, "process", {
        "historyTimeToLive", "versionTag", "isStartableInTasklist", "candidateStarterGroups",
        "candidateStarterUsers", "jobPriority", "taskPriority"}, process=True)
    model.job_priority = ctx.expression(element, camunda(element, "jobPriority"),
                                        "camunda:jobPriority")
    model.task_priority = ctx.expression(element, camunda(element, "taskPriority"),
                                         "camunda:taskPriority")
    for ext in extensions(element):
        if namespace(ext.tag) in EXTENSION_NAMESPACES and local(ext.tag) not in (
                "properties", "executionListener"):
            ctx.error(element, f"Extension element 'camunda:{local(ext.tag)}' on process is not "
                               "supported by this engine yet")
    model.listeners = listeners_of(ctx, element, ("start", "end"))
    model.children = _parse_scope(ctx, element, model, None)
    model.initial = _initial(ctx, element, model.children)
    nodes = model.nodes.values()
    model.has_conditionals = any(
        getattr(n.props.get("event"), "kind", None) == "conditional" for n in nodes)
    model.has_compensation = any(n.props.get("compensation_handler") is not None for n in nodes)
    model.root_waits = any(
        (c.kind == "subProcess" and c.props.get("triggered_by_event"))
        or c.props.get("compensation_handler") is not None for c in model.children.values())
    model.start_events = [n for n in model.children.values()
                          if n.kind == "startEvent" and n.props.get("event") is not None]
    for start in model.start_events:
        if start.props["event"].kind not in ("message", "signal", "timer", "conditional"):
            ctx.error(element, f"A {start.props['event'].kind} start event is only allowed in an "
                               "event subprocess", start.id)
    if model.initial is not None:
        model.start_form_key = model.initial.props.get("form_key")
        model.start_form_fields = model.initial.props.get("form_fields") or []
        model.initiator_variable = model.initial.props.get("initiator")
    return model


def _collect_definitions(ctx: ParseContext, root: Any) -> None:
    for child in root:
        if not isinstance(child.tag, str) or namespace(child.tag) != BPMN_NS:
            continue
        kind, cid = local(child.tag), child.get("id", "")
        if kind == "message":
            ctx.messages[cid] = child.get("name") or cid
        elif kind == "signal":
            ctx.signals[cid] = child.get("name") or cid
        elif kind == "error":
            ctx.errors[cid] = (child.get("errorCode"), child.get("name"))
        elif kind == "escalation":
            ctx.escalations[cid] = child.get("escalationCode")


def parse_bpmn(data: bytes, resource: str,
               delegates: DelegateRegistry | None = None) -> BpmnResource:
    """Parse one BPMN file; raise ``ParseError`` listing every problem found.

    ``delegates`` is the registry ``camunda:class`` and delegate-expression names are checked
    against (the process-wide one by default).
    """
    root = load_xml(data, resource)
    ctx = ParseContext(resource, delegates)
    if local(root.tag) != "definitions" or namespace(root.tag) != BPMN_NS:
        ctx.error(root, "The root element must be 'definitions' in the BPMN 2.0 namespace")
        ctx.raise_if_failed()
    _collect_definitions(ctx, root)
    result = BpmnResource(processes=[], target_namespace=root.get("targetNamespace"),
                          messages=ctx.messages, signals=ctx.signals, errors=ctx.errors)
    for child in root:
        if not isinstance(child.tag, str) or namespace(child.tag) != BPMN_NS:
            continue
        if local(child.tag) == "process":
            if (child.get("isExecutable") or "").strip().lower() != "true":
                # Stored with the deployment but not deployed as a definition, as Camunda does
                # for new deployments (a missing attribute counts as not executable).
                continue
            result.processes.append(_parse_process(ctx, child))
    ctx.raise_if_failed()
    return result


def diagram_present(data: bytes) -> bool:
    """Whether the file carries BPMN DI shapes (the modeler's layout)."""
    return b"BPMNDiagram" in data


__all__ = ["parse_bpmn", "NODE_PARSERS", "diagram_present", "split_list"]
