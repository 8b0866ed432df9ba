"""BPMN 2.0 XML to ``ProcessModel`` graphs, with Camunda's extension attributes.

One registry maps each BPMN tag to its parse function.  A tag or ``camunda:`` attribute the
engine cannot run is refused at deploy with the element id and line, never accepted and then
silently skipped at run time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bpmnflow.errors import ParseError
from bpmnflow.expr import Expression, ExpressionError, compile_expression
from bpmnflow.model.elements import BpmnResource, FlowNode, FormField, ProcessModel, SequenceFlow
from bpmnflow.model.xml import ACTIVITI_NS, BPMN_NS, CAMUNDA_NS, load_xml, local, namespace

EXTENSION_NAMESPACES = (CAMUNDA_NS, ACTIVITI_NS)

# Elements inside a process or subprocess that carry no behaviour and are safe to ignore.
_INERT = {
    "laneSet", "dataObject", "dataObjectReference", "dataStoreReference", "textAnnotation",
    "association", "documentation", "extensionElements", "ioSpecification", "property", "group",
    "category", "dataInputAssociation", "dataOutputAssociation", "incoming", "outgoing",
}
# camunda: attributes every flow node may carry once the job executor exists; refused until then.
_ASYNC_ATTRIBUTES = {"asyncBefore", "asyncAfter", "async", "exclusive", "jobPriority",
                     "failedJobRetryTimeCycle"}
_ATTRIBUTES: dict[str, set[str]] = {
    "startEvent": {"formKey", "initiator", "formRef", "formRefBinding", "formRefVersion"},
    "endEvent": set(),
    "intermediateThrowEvent": set(),
    "exclusiveGateway": set(),
    "parallelGateway": set(),
    "task": set(),
    "manualTask": set(),
    "userTask": {"assignee", "candidateUsers", "candidateGroups", "dueDate", "followUpDate",
                 "priority", "formKey"},
    "serviceTask": {"expression", "resultVariable"},
}
_ACTIVITY_TYPES = {
    "startEvent": "startEvent",
    "endEvent": "noneEndEvent",
    "intermediateThrowEvent": "intermediateNoneThrowEvent",
    "exclusiveGateway": "exclusiveGateway",
    "parallelGateway": "parallelGateway",
    "task": "task",
    "manualTask": "manualTask",
    "userTask": "userTask",
    "serviceTask": "serviceTask",
}
_EXTENSIONS_ALLOWED = {"properties", "formData"}


class _Context:
    """Collects every problem of one resource so that the deploy error lists them all."""

    def __init__(self, resource: str) -> None:
        self.resource = resource
        self.problems: list[dict[str, Any]] = []

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


def _camunda(element: Any, name: str) -> str | None:
    for ns in EXTENSION_NAMESPACES:
        value = element.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


def _extensions(element: Any) -> list[Any]:
    out = []
    for ext in element.findall(f"{{{BPMN_NS}}}extensionElements"):
        out.extend(child for child in ext if isinstance(child.tag, str))
    return out


def _check_attributes(ctx: _Context, element: Any, kind: str) -> None:
    allowed = _ATTRIBUTES.get(kind, set())
    for attr, value in element.attrib.items():
        if namespace(attr) not in EXTENSION_NAMESPACES:
            continue
        name = local(attr)
        if name in allowed:
            continue
        if name in _ASYNC_ATTRIBUTES and value.strip().lower() in ("false", ""):
            continue
        if name == "exclusive":
            continue
        ctx.error(element, f"Attribute 'camunda:{name}' on {kind} is not supported by this engine")
    for ext in _extensions(element):
        if namespace(ext.tag) in EXTENSION_NAMESPACES and local(ext.tag) not in _EXTENSIONS_ALLOWED:
            ctx.error(element, f"Extension element 'camunda:{local(ext.tag)}' on {kind} is not "
                               "supported by this engine")


def _documentation(element: Any) -> str | None:
    doc = element.find(f"{{{BPMN_NS}}}documentation")
    return doc.text if doc is not None else None


def _node(ctx: _Context, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    _check_attributes(ctx, element, kind)
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name.endswith("EventDefinition") or name.endswith("EventDefinitionRef"):
            ctx.error(element, f"'{name}' on {kind} is not supported by this engine")
        elif name.endswith("LoopCharacteristics"):
            ctx.error(element, f"'{name}' (loops and multi-instance) on {kind} is not supported "
                               "by this engine")
    return FlowNode(
        id=element.get("id") or "", kind=kind, activity_type=_ACTIVITY_TYPES[kind],
        name=element.get("name"), line=element.sourceline or 0, scope=scope,
        default_flow=element.get("default"), documentation=_documentation(element))


def _plain(ctx: _Context, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    return _node(ctx, element, kind, scope)


def _start_event(ctx: _Context, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope)
    node.props["form_key"] = _camunda(element, "formKey")
    node.props["initiator"] = _camunda(element, "initiator")
    node.props["form_fields"] = _form_fields(element)
    return node


def _form_fields(element: Any) -> list[FormField]:
    fields = []
    for ext in _extensions(element):
        if local(ext.tag) != "formData":
            continue
        for f in ext:
            if isinstance(f.tag, str) and local(f.tag) == "formField":
                fields.append(FormField(f.get("id") or "", f.get("label"), f.get("type"),
                                        f.get("defaultValue")))
    return fields


def _csv_expressions(ctx: _Context, element: Any, text: str | None, what: str) -> list[Expression]:
    if not text:
        return []
    out = []
    for part in _split_list(text):
        expr = ctx.expression(element, part, what)
        if expr is not None:
            out.append(expr)
    return out


def _split_list(text: str) -> list[str]:
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


def _user_task(ctx: _Context, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope)
    p = node.props
    p["assignee"] = ctx.expression(element, _camunda(element, "assignee"), "camunda:assignee")
    p["candidate_users"] = _csv_expressions(ctx, element, _camunda(element, "candidateUsers"),
                                            "camunda:candidateUsers")
    p["candidate_groups"] = _csv_expressions(ctx, element, _camunda(element, "candidateGroups"),
                                             "camunda:candidateGroups")
    p["due_date"] = ctx.expression(element, _camunda(element, "dueDate"), "camunda:dueDate")
    p["follow_up_date"] = ctx.expression(element, _camunda(element, "followUpDate"),
                                         "camunda:followUpDate")
    p["priority"] = ctx.expression(element, _camunda(element, "priority"), "camunda:priority")
    p["form_key"] = ctx.expression(element, _camunda(element, "formKey"), "camunda:formKey")
    p["form_fields"] = _form_fields(element)
    _human_performer(ctx, element, node)
    return node


def _human_performer(ctx: _Context, element: Any, node: FlowNode) -> None:
    """BPMN's own humanPerformer/potentialOwner elements, which Camunda maps to assignee/candidates."""
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
        for part in _split_list(text):
            if part.startswith("group(") and part.endswith(")"):
                node.props["candidate_groups"].append(
                    ctx.expression(element, part[6:-1], "potentialOwner"))
            else:
                part = part[5:-1] if part.startswith("user(") and part.endswith(")") else part
                node.props["candidate_users"].append(
                    ctx.expression(element, part, "potentialOwner"))


def _service_task(ctx: _Context, element: Any, kind: str, scope: FlowNode | None) -> FlowNode:
    node = _node(ctx, element, kind, scope)
    expression = _camunda(element, "expression")
    if expression is None:
        ctx.error(element, "One of the attributes 'camunda:expression' must be set on a "
                           "serviceTask (class, delegateExpression, type and connectors are not "
                           "supported by this engine yet)")
    node.props["expression"] = ctx.expression(element, expression, "camunda:expression")
    node.props["result_variable"] = _camunda(element, "resultVariable")
    return node


NODE_PARSERS: dict[str, Callable[[_Context, Any, str, FlowNode | None], FlowNode]] = {
    "startEvent": _start_event,
    "endEvent": _plain,
    "intermediateThrowEvent": _plain,
    "exclusiveGateway": _plain,
    "parallelGateway": _plain,
    "task": _plain,
    "manualTask": _plain,
    "userTask": _user_task,
    "serviceTask": _service_task,
}


def _parse_scope(ctx: _Context, element: Any, model: ProcessModel,
                 scope: FlowNode | None) -> dict[str, FlowNode]:
    nodes: dict[str, FlowNode] = {}
    flows = []
    for child in element:
        if not isinstance(child.tag, str) or namespace(child.tag) != BPMN_NS:
            continue
        kind = local(child.tag)
        if kind == "sequenceFlow":
            flows.append(child)
            continue
        if kind in _INERT:
            continue
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
    for position, flow in enumerate(flows):
        _parse_flow(ctx, flow, nodes, position)
    starts = [n for n in nodes.values() if n.kind == "startEvent"]
    if len(starts) > 1:
        ctx.error(element, "Multiple none start events are not supported in one scope",
                  element.get("id"))
    for node in nodes.values():
        _check_default_flow(ctx, element, node)
    return nodes


def _parse_flow(ctx: _Context, flow: Any, nodes: dict[str, FlowNode], position: int) -> None:
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
    if any(namespace(e.tag) in EXTENSION_NAMESPACES for e in _extensions(flow)):
        ctx.error(flow, "Extension elements on sequenceFlow (execution listeners) are not "
                        "supported by this engine yet")
    condition = None
    cond = flow.find(f"{{{BPMN_NS}}}conditionExpression")
    if cond is not None:
        language = cond.get("language")
        if language and language.lower() not in ("juel", "${}"):
            ctx.error(flow, f"Condition language '{language}' is not supported by this engine yet")
        elif _camunda(cond, "resource"):
            ctx.error(flow, "Conditions from external resources are not supported by this engine")
        else:
            text = (cond.text or "").strip()
            condition = ctx.expression(flow, text, f"condition of sequence flow '{fid}'")
    seq = SequenceFlow(fid, flow.get("name"), source, target, condition)
    source.outgoing.append(seq)
    target.incoming.append(seq)


def _check_default_flow(ctx: _Context, element: Any, node: FlowNode) -> None:
    if node.default_flow and node.default_flow not in {f.id for f in node.outgoing}:
        ctx.error(element, f"Default sequence flow '{node.default_flow}' of '{node.id}' is not "
                           "one of its outgoing flows", node.id)


def _history_ttl(ctx: _Context, element: Any, text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text.isdigit():
        return int(text)
    match = re.fullmatch(r"P(\d+)D", text)
    if match:
        return int(match.group(1))
    ctx.error(element, f"Cannot parse historyTimeToLive: '{text}' is neither a number of days "
                       "nor a duration of days (P5D)")
    return None


def _parse_process(ctx: _Context, element: Any) -> ProcessModel:
    key = element.get("id") or ""
    startable = _camunda(element, "isStartableInTasklist")
    model = ProcessModel(
        key=key, name=element.get("name"), line=element.sourceline or 0,
        version_tag=_camunda(element, "versionTag"),
        history_ttl=_history_ttl(ctx, element, _camunda(element, "historyTimeToLive")),
        startable=(startable or "true").strip().lower() != "false",
        documentation=_documentation(element))
    for attr in element.attrib:
        name = local(attr)
        if namespace(attr) in EXTENSION_NAMESPACES and name not in (
                "historyTimeToLive", "versionTag", "isStartableInTasklist",
                "candidateStarterGroups", "candidateStarterUsers"):
            ctx.error(element, f"Attribute 'camunda:{name}' on process is not supported by this "
                               "engine")
    for ext in _extensions(element):
        if namespace(ext.tag) in EXTENSION_NAMESPACES and local(ext.tag) != "properties":
            ctx.error(element, f"Extension element 'camunda:{local(ext.tag)}' on process is not "
                               "supported by this engine yet")
    model.children = _parse_scope(ctx, element, model, None)
    model.initial = next((n for n in model.children.values() if n.kind == "startEvent"), None)
    if model.initial is not None:
        model.start_form_key = model.initial.props.get("form_key")
        model.start_form_fields = model.initial.props.get("form_fields") or []
        model.initiator_variable = model.initial.props.get("initiator")
    return model


def parse_bpmn(data: bytes, resource: str) -> BpmnResource:
    """Parse one BPMN file; raise ``ParseError`` listing every problem found."""
    root = load_xml(data, resource)
    ctx = _Context(resource)
    if local(root.tag) != "definitions" or namespace(root.tag) != BPMN_NS:
        ctx.error(root, "The root element must be 'definitions' in the BPMN 2.0 namespace")
        ctx.raise_if_failed()
    result = BpmnResource(processes=[], target_namespace=root.get("targetNamespace"))
    for child in root:
        if not isinstance(child.tag, str) or namespace(child.tag) != BPMN_NS:
            continue
        kind = local(child.tag)
        if kind == "process":
            if (child.get("isExecutable") or "").strip().lower() != "true":
                # Stored with the deployment but not deployed as a definition, as Camunda does
                # for new deployments (a missing attribute counts as not executable).
                continue
            result.processes.append(_parse_process(ctx, child))
        elif kind == "message":
            result.messages[child.get("id", "")] = child.get("name") or child.get("id", "")
        elif kind == "signal":
            result.signals[child.get("id", "")] = child.get("name") or child.get("id", "")
        elif kind == "error":
            result.errors[child.get("id", "")] = (child.get("errorCode"), child.get("name"))
    ctx.raise_if_failed()
    return result


def diagram_present(data: bytes) -> bool:
    """Whether the file carries BPMN DI shapes (the modeler's layout)."""
    return b"BPMNDiagram" in data


__all__ = ["parse_bpmn", "NODE_PARSERS", "diagram_present"]
