"""Camunda Spin's ``S()`` for expressions: JSON and XML values models can navigate.

``S(text)`` parses JSON or XML (by its first character), ``JSON(text)`` and ``XML(text)``
force the format; a node or a Python dict/list is wrapped as it is.  ``wrap_typed`` turns a
Json or Xml variable into a node, so ``${order.prop('total').numberValue()}`` works on a
Json-typed variable as in Camunda.
"""

from __future__ import annotations

from typing import Any

from bpmnflow.scripting.spin.errors import SpinError
from bpmnflow.scripting.spin.json_node import JsonPathQuery, SpinJsonNode, parse_json
from bpmnflow.scripting.spin.xml_node import SpinXmlAttribute, SpinXmlElement, parse_xml
from bpmnflow.variables import TypedValue

JSON_FORMAT = "application/json"
XML_FORMAT = "application/xml"


def S(value: Any, data_format: str | None = None) -> Any:  # noqa: N802 - Spin's name
    if isinstance(value, SpinJsonNode | SpinXmlElement):
        return value
    if data_format is not None:
        fmt = str(data_format).lower()
        if "json" in fmt:
            return JSON(value)
        if "xml" in fmt:
            return XML(value)
        raise SpinError(f"SPIN/CORE-01004 No data format '{data_format}' available")
    if isinstance(value, str | bytes):
        text = value.decode() if isinstance(value, bytes) else value
        return XML(text) if text.lstrip().startswith("<") else JSON(text)
    if value is None:
        raise SpinError("SPIN/CORE-01002 Unable to create a Spin node from null")
    return JSON(value)


def JSON(value: Any) -> SpinJsonNode:  # noqa: N802
    if isinstance(value, SpinJsonNode):
        return value
    if isinstance(value, str | bytes):
        return SpinJsonNode(parse_json(value))
    if isinstance(value, dict | list | int | float | bool):
        return SpinJsonNode(value)
    raise SpinError(f"SPIN/CORE-01004 Unable to read a {type(value).__name__} as JSON")


def XML(value: Any) -> SpinXmlElement:  # noqa: N802
    if isinstance(value, SpinXmlElement):
        return value
    if isinstance(value, str | bytes):
        return SpinXmlElement(parse_xml(value))
    raise SpinError(f"SPIN/CORE-01004 Unable to read a {type(value).__name__} as XML")


def wrap_typed(tv: TypedValue) -> Any:
    """A Json or Xml variable as a fresh node (so that changing the node does not change the
    stored value until it is set again); None for any other type."""
    if tv.value is None or tv.type not in ("Json", "Xml"):
        return None
    try:
        return JSON(tv.value) if tv.type == "Json" else XML(tv.value)
    except SpinError:
        return None  # malformed text stays text


__all__ = ["JSON", "S", "XML", "JsonPathQuery", "SpinError", "SpinJsonNode", "SpinXmlAttribute",
           "SpinXmlElement", "wrap_typed"]
