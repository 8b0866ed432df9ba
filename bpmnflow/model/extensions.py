"""Camunda's extensions shared by every activity: async flags, input/output mappings,
listeners, multi-instance loops, retry cycles and call-activity variable mappings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bpmnflow.model.elements import (
    ConnectorDefinition,
    FieldInjection,
    FlowNode,
    Listener,
    LoopDefinition,
    Script,
    ValueSpec,
)
from bpmnflow.model.xml import ACTIVITI_NS, BPMN_NS, CAMUNDA_NS, local, namespace
from bpmnflow.scripting import languages
from bpmnflow.scripting.hosted import ListenerCall

if TYPE_CHECKING:
    from bpmnflow.model.bpmn_parser import ParseContext

EXTENSION_NAMESPACES = (CAMUNDA_NS, ACTIVITI_NS)
ASYNC_ATTRIBUTES = {"asyncBefore", "asyncAfter", "async", "exclusive", "jobPriority"}
_ALLOWED_EXTENSIONS = {"properties", "formData", "inputOutput", "executionListener",
                       "failedJobRetryTimeCycle"}
_EXECUTION_EVENTS = ("start", "end")
_TASK_EVENTS = ("create", "assignment", "complete", "delete", "update", "timeout")


def camunda(element: Any, name: str) -> str | None:
    for ns in EXTENSION_NAMESPACES:
        value = element.get(f"{{{ns}}}{name}")
        if value is not None:
            return value
    return None


def extensions(element: Any) -> list[Any]:
    out = []
    for ext in element.findall(f"{{{BPMN_NS}}}extensionElements"):
        out.extend(child for child in ext if isinstance(child.tag, str))
    return out


def check_attributes(ctx: ParseContext, element: Any, kind: str, allowed: set[str],
                     process: bool = False) -> None:
    """Refuse ``camunda:`` attributes that this element cannot honour."""
    permitted = allowed if process else allowed | ASYNC_ATTRIBUTES
    for attr in element.attrib:
        if namespace(attr) in EXTENSION_NAMESPACES and local(attr) not in permitted:
            ctx.error(element, f"Attribute 'camunda:{local(attr)}' on {kind} is not supported "
                               "by this engine")


def _flag(element: Any, name: str, default: bool = False) -> bool:
    value = camunda(element, name)
    return default if value is None else value.strip().lower() == "true"


def parse_activity_extensions(ctx: ParseContext, element: Any, node: FlowNode,
                              task_listeners: bool = False, call_activity: bool = False,
                              implementation: bool = False) -> None:
    p = node.props
    p["async_before"] = _flag(element, "asyncBefore") or _flag(element, "async")
    p["async_after"] = _flag(element, "asyncAfter")
    p["exclusive"] = _flag(element, "exclusive", True)
    p["job_priority"] = ctx.expression(element, camunda(element, "jobPriority"),
                                       "camunda:jobPriority")
    p["listeners"] = listeners_of(ctx, element, _EXECUTION_EVENTS)
    allowed = set(_ALLOWED_EXTENSIONS)
    if task_listeners:
        allowed.add("taskListener")
        p["task_listeners"] = listeners_of(ctx, element, _TASK_EVENTS, "taskListener")
    if call_activity:
        allowed |= {"in", "out"}
        _call_mappings(ctx, element, node)
    if implementation:  # service-like: may name a connector and inject fields
        allowed |= {"connector", "field"}
    for ext in extensions(element):
        name = local(ext.tag)
        if namespace(ext.tag) not in EXTENSION_NAMESPACES:
            continue
        if name not in allowed:
            ctx.error(element, f"Extension element 'camunda:{name}' on {node.kind} is not "
                               "supported by this engine")
        elif name == "inputOutput":
            _input_output(ctx, element, ext, node)
        elif name == "connector":
            p["connector"] = _connector(ctx, element, ext)
        elif name == "failedJobRetryTimeCycle":
            p["retry_cycle"] = (ext.text or "").strip() or None
        elif name == "properties":
            p["properties"] = {prop.get("name"): prop.get("value") for prop in ext
                               if isinstance(prop.tag, str) and prop.get("name")}
    _loop(ctx, element, node)


def listeners_of(ctx: ParseContext, element: Any, events: tuple[str, ...],
                 tag: str = "executionListener") -> list[Listener]:
    out = []
    for ext in extensions(element):
        if local(ext.tag) != tag or namespace(ext.tag) not in EXTENSION_NAMESPACES:
            continue
        event = ext.get("event") or (events[0] if len(events) == 1 else "")
        if event not in events:
            ctx.error(element, f"Unknown {tag} event '{event}'")
            continue
        if event == "timeout":
            # A timeout listener needs a timer on the task: not run by this engine yet, so it
            # is refused rather than accepted and never fired.
            ctx.error(element, "Task listeners with event 'timeout' are not supported by this "
                               "engine")
            continue
        listener = _listener(ctx, element, ext, tag, event)
        if listener is not None:
            out.append(listener)
    return out


def _listener(ctx: ParseContext, element: Any, ext: Any, tag: str,
              event: str) -> Listener | None:
    """One listener: an expression, a registered class or bean, or a script."""
    listener = Listener(event=event, registry=ctx.delegates)
    scripts = [c for c in ext if isinstance(c.tag, str) and local(c.tag) == "script"]
    listener.fields = fields_of(ctx, element, ext)
    if ext.get("expression"):
        listener.expression = ctx.expression(element, ext.get("expression"), tag)
    elif ext.get("delegateExpression"):
        listener.delegate_expression = delegate_expression(ctx, element,
                                                           ext.get("delegateExpression"), tag)
        listener.expression = ListenerCall(listener, ext.get("delegateExpression"))
    elif ext.get("class"):
        listener.class_name = registered_class(ctx, element, ext.get("class"), tag)
        listener.expression = ListenerCall(listener, ext.get("class"))
    elif scripts:
        listener.script = parse_script(ctx, element, scripts[0], f"{tag} script")
        listener.expression = ListenerCall(listener, "script")
    else:
        ctx.error(element, f"{tag} needs an expression, a class, a delegateExpression or a "
                           "script")
        return None
    if listener.fields and listener.class_name is None and listener.delegate_expression is None:
        ctx.error(element, f"Field injection on {tag} needs a class or delegateExpression")
    return listener


def registered_class(ctx: ParseContext, element: Any, name: str, what: str) -> str:
    """A ``camunda:class`` name, refused unless a handler is registered under it."""
    name = name.strip()
    if name not in ctx.delegates:
        ctx.error(element, f"camunda:class '{name}' of {what} is not registered with this "
                           "engine (register a Python handler under that name, see "
                           "bpmnflow.delegates)")
    return name


def delegate_expression(ctx: ParseContext, element: Any, text: str, what: str) -> Any:
    """A ``camunda:delegateExpression``; a plain ``${bean}`` must name a registered bean."""
    expr = ctx.expression(element, text, f"{what} delegateExpression")
    bean = re.fullmatch(r"\s*[$#]\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\s*", text)
    if bean is not None and bean.group(1) not in ctx.delegates:
        ctx.error(element, f"camunda:delegateExpression '{text.strip()}' of {what} names "
                           f"'{bean.group(1)}', which is not registered with this engine (see "
                           "bpmnflow.delegates)")
    return expr


def fields_of(ctx: ParseContext, element: Any, parent: Any) -> list[FieldInjection]:
    """``camunda:field`` children: a string (attribute or child) or an expression."""
    out = []
    for child in parent if parent is not element else extensions(element):
        if not isinstance(child.tag, str) or local(child.tag) != "field":
            continue
        name = child.get("name") or ""
        if not name:
            ctx.error(element, "camunda:field needs a name")
            continue
        text, expr_text = child.get("stringValue"), child.get("expression")
        for sub in child:
            if isinstance(sub.tag, str) and local(sub.tag) == "string":
                text = sub.text or ""
            elif isinstance(sub.tag, str) and local(sub.tag) == "expression":
                expr_text = sub.text or ""
        if expr_text is not None:
            expr = ctx.expression(element, expr_text.strip(), f"camunda:field '{name}'")
            out.append(FieldInjection(name, expression=expr))
        else:
            out.append(FieldInjection(name, text=text))
    return out


def parse_script(ctx: ParseContext, element: Any, script_el: Any, what: str,
                 script_format: str | None = None, resource: str | None = None,
                 text: str | None = None) -> Script | None:
    """A script from ``camunda:script`` (or a script task's attributes), refused at deploy if
    its language cannot run here."""
    if script_el is not None:
        script_format = script_el.get("scriptFormat")
        resource = script_el.get("resource")
        text = script_el.text
    language = languages.normalize(script_format)
    if language is None:
        ctx.error(element, f"{what} of '{element.get('id')}': {languages.refusal(script_format)}")
        return None
    resource = resource.strip() if resource else None
    if resource is None and not (text or "").strip():
        ctx.error(element, f"{what} of '{element.get('id')}' has neither source nor resource")
        return None
    script = Script(language, element.get("id") or "", source=text, resource=resource)
    if language == languages.JUEL and resource is None:
        script.expression = ctx.expression(element, (text or "").strip(), what)
    return script


def _input_output(ctx: ParseContext, element: Any, ext: Any, node: FlowNode) -> None:
    inputs, outputs = [], []
    for param in ext:
        if not isinstance(param.tag, str):
            continue
        kind = local(param.tag)
        name = param.get("name")
        if kind not in ("inputParameter", "outputParameter") or not name:
            ctx.error(element, f"Invalid camunda:inputOutput entry '{kind}'")
            continue
        spec = _value(ctx, element, param)
        (inputs if kind == "inputParameter" else outputs).append((name, spec))
    node.props["inputs"] = inputs
    node.props["outputs"] = outputs


def _value(ctx: ParseContext, element: Any, param: Any) -> ValueSpec:
    children = [c for c in param if isinstance(c.tag, str)]
    if not children:
        text = param.text
        if text is None or not text.strip():
            return ValueSpec("null") if text is None else ValueSpec("text", text=text)
        expr = ctx.expression(element, text.strip(), f"parameter '{param.get('name')}'")
        if expr is not None and not expr.is_literal:
            return ValueSpec("expression", expression=expr)
        return ValueSpec("text", text=text)
    child = children[0]
    kind = local(child.tag)
    if kind == "script":
        script = parse_script(ctx, element, child, f"parameter '{param.get('name')}'")
        return ValueSpec("script", script=script) if script is not None else ValueSpec("null")
    if kind == "list":
        return ValueSpec("list", items=[_value(ctx, element, item) for item in child
                                        if isinstance(item.tag, str)])
    if kind == "map":
        return ValueSpec("map", entries=[(entry.get("key") or "", _value(ctx, element, entry))
                                         for entry in child if isinstance(entry.tag, str)])
    ctx.error(element, f"camunda:{kind} in input/output parameters is not supported by this "
                       "engine")
    return ValueSpec("null")


def _connector(ctx: ParseContext, element: Any, ext: Any) -> ConnectorDefinition | None:
    from bpmnflow.connect import CONNECTOR_IDS

    connector_id = None
    definition = ConnectorDefinition("")
    for child in ext:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name == "connectorId":
            connector_id = (child.text or "").strip()
        elif name == "inputOutput":
            holder = FlowNode(id="", kind="", activity_type="", name=None, line=0, scope=None)
            _input_output(ctx, element, child, holder)
            definition.inputs = holder.props["inputs"]
            definition.outputs = holder.props["outputs"]
        else:
            ctx.error(element, f"Unknown element 'camunda:{name}' in camunda:connector")
    if not connector_id:
        ctx.error(element, "camunda:connector needs a camunda:connectorId")
        return None
    if connector_id not in CONNECTOR_IDS:
        ctx.error(element, f"Connector '{connector_id}' is not available in this engine (known: "
                           f"{', '.join(sorted(CONNECTOR_IDS))})")
        return None
    definition.connector_id = connector_id
    return definition


def _loop(ctx: ParseContext, element: Any, node: FlowNode) -> None:
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = local(child.tag)
        if name == "standardLoopCharacteristics":
            ctx.error(element, "standardLoopCharacteristics is not supported by this engine")
        if name != "multiInstanceLoopCharacteristics":
            continue
        loop = LoopDefinition(sequential=(child.get("isSequential") or "").lower() == "true")
        card = child.find(f"{{{BPMN_NS}}}loopCardinality")
        if card is not None:
            loop.cardinality = ctx.expression(element, (card.text or "").strip(),
                                              "loopCardinality")
        cond = child.find(f"{{{BPMN_NS}}}completionCondition")
        if cond is not None:
            loop.completion = ctx.expression(element, (cond.text or "").strip(),
                                             "completionCondition")
        collection = camunda(child, "collection")
        if collection:
            expr = ctx.expression(element, collection, "camunda:collection")
            if expr is not None and expr.is_literal:
                loop.collection_variable = collection.strip()
            else:
                loop.collection = expr
        loop.element_variable = camunda(child, "elementVariable")
        if loop.cardinality is None and loop.collection is None and not loop.collection_variable:
            ctx.error(element, "A multi-instance activity needs loopCardinality or "
                               "camunda:collection")
        node.props["loop"] = loop


def _call_mappings(ctx: ParseContext, element: Any, node: FlowNode) -> None:
    ins: list[dict[str, Any]] = []
    outs: list[dict[str, Any]] = []
    node.props["business_key"] = None
    for ext in extensions(element):
        name = local(ext.tag)
        if name not in ("in", "out"):
            continue
        if name == "in" and ext.get("businessKey") is not None:
            node.props["business_key"] = ctx.expression(element, ext.get("businessKey"),
                                                        "camunda:in businessKey")
            continue
        mapping: dict[str, Any] = {"local": (ext.get("local") or "").lower() == "true"}
        if ext.get("variables") == "all":
            mapping["all"] = True
        elif ext.get("source") is not None:
            mapping["source"] = ext.get("source")
            mapping["target"] = ext.get("target") or ext.get("source")
        elif ext.get("sourceExpression") is not None:
            mapping["expression"] = ctx.expression(element, ext.get("sourceExpression"),
                                                   f"camunda:{name} sourceExpression")
            mapping["target"] = ext.get("target")
            if not mapping["target"]:
                ctx.error(element, f"camunda:{name} with sourceExpression needs a target")
        else:
            ctx.error(element, f"camunda:{name} needs source, sourceExpression or variables")
            continue
        (ins if name == "in" else outs).append(mapping)
    node.props["in"] = ins
    node.props["out"] = outs
