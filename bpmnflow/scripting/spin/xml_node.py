"""Spin's XML element for expressions: ``S(xml).childElement('Body').textContent()``.

Like the JSON node, an element is a ``TypedValue`` of type Xml whose ``value`` is its current
serialisation.  Parsing refuses DTDs and entities and never touches the network.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from bpmnflow.expr import ELObject
from bpmnflow.scripting.spin.errors import SpinError
from bpmnflow.variables import TypedValue

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False)
MAX_XML_BYTES = 16 * 1024 * 1024


def parse_xml(text: str | bytes) -> Any:
    data = text.encode() if isinstance(text, str) else text
    if len(data) > MAX_XML_BYTES or b"<!doctype" in data.lower() or b"<!entity" in data.lower():
        raise SpinError("SPIN/DOM-XML-01001 Unable to parse input into xml element: DTDs, "
                        "entities and documents over 16 MB are refused")
    try:
        return etree.fromstring(data.strip(), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise SpinError(f"SPIN/DOM-XML-01001 Unable to parse input into xml element: {exc}"
                        ) from None


def _qname(element: Any) -> tuple[str | None, str]:
    qname = etree.QName(element)
    return qname.namespace, qname.localname


class SpinXmlElement(TypedValue, ELObject):
    el_methods = frozenset({
        "name", "namespace", "hasNamespace", "attr", "hasAttr", "attrNames", "attrs",
        "childElement", "childElements", "textContent", "xPath", "toString", "append",
        "removeAttr",
    })

    def __init__(self, element: Any) -> None:  # noqa: D107
        self.type = "Xml"
        self.value_info = None
        self.element = element

    @property  # type: ignore[override]
    def value(self) -> str:
        return etree.tostring(self.element, encoding="unicode")

    @value.setter
    def value(self, text: str) -> None:
        self.element = parse_xml(text)

    def __repr__(self) -> str:
        return f"SpinXmlElement({self.value})"

    __hash__ = None  # type: ignore[assignment]

    def name(self) -> str:
        return _qname(self.element)[1]

    def namespace(self) -> str | None:
        return _qname(self.element)[0]

    def hasNamespace(self, ns: str | None) -> bool:  # noqa: N802
        return self.namespace() == ns

    def attr(self, *args: str) -> SpinXmlAttribute:
        key = self._attr_key(*args)
        if key not in self.element.attrib:
            raise SpinError(f"SPIN/DOM-XML-01002 Unable to find attribute with name "
                            f"'{args[-1]}'")
        return SpinXmlAttribute(self.element, key)

    def hasAttr(self, *args: str) -> bool:  # noqa: N802
        return self._attr_key(*args) in self.element.attrib

    def removeAttr(self, *args: str) -> SpinXmlElement:  # noqa: N802
        self.element.attrib.pop(self._attr_key(*args), None)
        return self

    def attrNames(self) -> list[str]:  # noqa: N802
        return [etree.QName(k).localname for k in self.element.attrib]

    def attrs(self) -> list[SpinXmlAttribute]:
        return [SpinXmlAttribute(self.element, k) for k in self.element.attrib]

    def childElements(self, *args: str) -> list[SpinXmlElement]:  # noqa: N802
        children = [c for c in self.element if isinstance(c.tag, str)]
        if not args:
            return [SpinXmlElement(c) for c in children]
        ns, local = (self.namespace(), args[0]) if len(args) == 1 else (args[0] or None, args[1])
        return [SpinXmlElement(c) for c in children if _qname(c) == (ns, local)]

    def childElement(self, *args: str) -> SpinXmlElement:  # noqa: N802
        found = self.childElements(*args)
        if not found:
            ns = self.namespace() if len(args) == 1 else args[0]
            raise SpinError(f"SPIN/DOM-XML-01006 Unable to find child element with namespace "
                            f"'{ns}' and name '{args[-1]}'")
        if len(found) > 1:
            raise SpinError(f"SPIN/DOM-XML-01007 More than one child element found for name "
                            f"'{args[-1]}'")
        return found[0]

    def textContent(self, *text: str) -> Any:  # noqa: N802
        if text:
            for child in list(self.element):
                self.element.remove(child)
            self.element.text = str(text[0])
            return self
        return "".join(self.element.itertext())

    def append(self, child: SpinXmlElement) -> SpinXmlElement:
        self.element.append(child.element)
        return self

    def xPath(self, expression: str) -> XPathQuery:  # noqa: N802
        return XPathQuery(self.element, str(expression))

    def toString(self) -> str:  # noqa: N802
        return self.value

    def __str__(self) -> str:
        return self.value

    def _attr_key(self, *args: str) -> str:
        if len(args) == 1:
            return args[0]
        if len(args) == 2:
            return f"{{{args[0]}}}{args[1]}" if args[0] else args[1]
        raise SpinError("attr() takes a name, or a namespace and a name")


class SpinXmlAttribute(ELObject):
    el_methods = frozenset({"name", "namespace", "value", "stringValue", "toString"})

    def __init__(self, element: Any, key: str) -> None:
        self._element = element
        self._key = key

    def name(self) -> str:
        return etree.QName(self._key).localname

    def namespace(self) -> str | None:
        return etree.QName(self._key).namespace

    def value(self, *new: str) -> Any:
        if new:
            self._element.set(self._key, str(new[0]))
            return self
        return self._element.get(self._key)

    def stringValue(self) -> str | None:  # noqa: N802
        return self._element.get(self._key)

    toString = stringValue  # noqa: N815

    def __str__(self) -> str:
        return self._element.get(self._key) or ""


class XPathQuery(ELObject):
    el_methods = frozenset({"element", "elementList", "attribute", "attributeList", "string",
                            "number", "bool", "ns"})

    def __init__(self, element: Any, expression: str) -> None:
        self._element = element
        self._expression = expression
        self._namespaces: dict[str, str] = {}

    def ns(self, prefix: Any, uri: str | None = None) -> XPathQuery:
        if isinstance(prefix, dict):
            self._namespaces.update({str(k): str(v) for k, v in prefix.items()})
        else:
            self._namespaces[str(prefix)] = str(uri)
        return self

    def _run(self) -> Any:
        try:
            return self._element.xpath(self._expression, namespaces=self._namespaces or None)
        except etree.XPathError as exc:
            raise SpinError(f"SPIN/DOM-XML-01009 Unable to evaluate XPath expression "
                            f"'{self._expression}': {exc}") from None

    def _nodes(self) -> list[Any]:
        found = self._run()
        if not isinstance(found, list) or not found:
            raise SpinError(f"SPIN/DOM-XML-01010 Unable to find XPath expression "
                            f"'{self._expression}'")
        return found

    def element(self) -> SpinXmlElement:
        found = [n for n in self._nodes() if isinstance(n, etree._Element)]
        if len(found) != 1:
            raise SpinError(f"SPIN/DOM-XML-01011 Expected one element for XPath expression "
                            f"'{self._expression}', found {len(found)}")
        return SpinXmlElement(found[0])

    def elementList(self) -> list[SpinXmlElement]:  # noqa: N802
        return [SpinXmlElement(n) for n in self._nodes() if isinstance(n, etree._Element)]

    def attribute(self) -> SpinXmlAttribute:
        found = self.attributeList()
        if len(found) != 1:
            raise SpinError(f"SPIN/DOM-XML-01011 Expected one attribute for XPath expression "
                            f"'{self._expression}', found {len(found)}")
        return found[0]

    def attributeList(self) -> list[SpinXmlAttribute]:  # noqa: N802
        out = []
        for node in self._nodes():
            if getattr(node, "is_attribute", False):
                parent = node.getparent()
                key = next(k for k in parent.attrib if parent.attrib[k] == node and
                           etree.QName(k).localname == node.attrname.rsplit("}", 1)[-1])
                out.append(SpinXmlAttribute(parent, key))
        return out

    def string(self) -> str:
        found = self._run()
        if isinstance(found, list):
            if not found:
                return ""
            first = found[0]
            return "".join(first.itertext()) if isinstance(first, etree._Element) else str(first)
        return str(found) if not isinstance(found, float) or not found.is_integer() \
            else str(found)

    def number(self) -> float:
        found = self._run()
        try:
            return float(found if not isinstance(found, list) else self.string())
        except (TypeError, ValueError):
            return float("nan")

    def bool(self) -> bool:
        found = self._run()
        return bool(found)
