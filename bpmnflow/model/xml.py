"""Safe XML loading for deployed resources: no DTDs, no entities, no network, bounded size."""

from __future__ import annotations

from lxml import etree

from bpmnflow.errors import ParseError

MAX_RESOURCE_BYTES = 16 * 1024 * 1024

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ACTIVITI_NS = "http://activiti.org/bpmn"  # older Camunda models still use it for extensions
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_comments=True, remove_pis=True,
)


def load_xml(data: bytes, resource: str) -> etree._Element:
    """Parse bytes to an element tree, refusing anything that could reach outside the file."""
    if len(data) > MAX_RESOURCE_BYTES:
        raise ParseError(f"Resource '{resource}' is larger than {MAX_RESOURCE_BYTES} bytes",
                         resource=resource)
    refused = ParseError(f"Resource '{resource}' declares a DTD or entities, which are not "
                         "allowed", resource=resource)
    if b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise refused
    try:
        root = etree.fromstring(data, _PARSER)
        docinfo = root.getroottree().docinfo
        if docinfo.internalDTD is not None or docinfo.externalDTD is not None or \
                docinfo.doctype:
            raise refused  # any encoding, anywhere in the file
        return root
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        problem = {"message": str(exc.msg), "line": line, "column": exc.offset or 0,
                   "mainElementId": None, "elementIds": []}
        raise ParseError(
            f"ENGINE-09005 Could not parse BPMN process. Errors: \n* {exc.msg} | resource "
            f"{resource} | line {line} | column {exc.offset or 0}",
            [problem], resource) from None


def local(tag: object) -> str:
    """The local name of an element tag ('{ns}userTask' -> 'userTask')."""
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def namespace(tag: object) -> str:
    text = str(tag)
    return text[1:].split("}", 1)[0] if text.startswith("{") else ""
