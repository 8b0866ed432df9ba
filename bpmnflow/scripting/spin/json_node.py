"""Spin's JSON node for expressions: ``S(text).prop('a').numberValue()`` and friends.

A node is also a ``TypedValue`` of type Json whose ``value`` is always its current JSON text, so
that whatever stores an expression result (an output mapping, a result variable, a
multi-instance element variable) stores a Json variable, as Camunda does with a
``SpinJsonNode``.  Nodes share the parsed data: ``prop('a', 1)`` on a child changes its parent.
"""

from __future__ import annotations

from typing import Any

import orjson

from bpmnflow.expr import ELObject
from bpmnflow.scripting.spin import jsonpath
from bpmnflow.scripting.spin.errors import SpinError
from bpmnflow.variables import TypedValue

_KINDS = ((dict, "OBJECT"), (list, "ARRAY"), (str, "STRING"), (bool, "BOOLEAN"),
          (int, "NUMBER"), (float, "NUMBER"))


def kind_of(data: Any) -> str:
    if data is None:
        return "NULL"
    return next(name for kind, name in _KINDS if isinstance(data, kind))


def dumps(data: Any) -> str:
    return orjson.dumps(data).decode()


def parse_json(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise SpinError(f"SPIN/JACKSON-JSON-01002 Unable to parse input into json node: {exc}"
                        ) from None


def plain(value: Any) -> Any:
    """A value to put into JSON: nodes become their data, other values stay."""
    if isinstance(value, SpinJsonNode):
        return value.data
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


class SpinJsonNode(TypedValue, ELObject):
    """One JSON value (object, array, string, number, boolean or null)."""

    el_methods = frozenset({
        "prop", "hasProp", "deleteProp", "elements", "fieldNames", "isObject", "isArray",
        "isString", "isNumber", "isBoolean", "isNull", "isValue", "stringValue", "numberValue",
        "boolValue", "jsonPath", "toString", "append", "indexOf", "mapTo",
    })  # no value(): ``value`` is the TypedValue's text here; mapTo() gives the data

    def __init__(self, data: Any) -> None:  # noqa: D107 - TypedValue's fields are derived
        self.type = "Json"
        self.value_info = None
        self.data = data

    @property  # type: ignore[override]
    def value(self) -> str:
        return dumps(self.data)

    @value.setter
    def value(self, text: str) -> None:
        self.data = parse_json(text)

    def __repr__(self) -> str:
        return f"SpinJsonNode({self.value})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SpinJsonNode):
            return bool(self.data == other.data)
        return TypedValue.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    # -- navigation ------------------------------------------------------------------------
    def prop(self, name: str, *value: Any) -> Any:
        obj = self._object(f"get property '{name}'")
        if value:
            obj[str(name)] = plain(value[0])
            return self
        if name not in obj:
            raise SpinError(f"SPIN/JACKSON-JSON-01004 Unable to find '{name}'")
        return SpinJsonNode(obj[name])

    def hasProp(self, name: str) -> bool:  # noqa: N802 - Spin's names
        return isinstance(self.data, dict) and name in self.data

    def deleteProp(self, name: Any) -> SpinJsonNode:  # noqa: N802
        obj = self._object(f"delete property '{name}'")
        for key in name if isinstance(name, list) else [name]:
            if key not in obj:
                raise SpinError(f"SPIN/JACKSON-JSON-01004 Unable to find '{key}'")
            del obj[key]
        return self

    def elements(self) -> list[SpinJsonNode]:
        if not isinstance(self.data, list):
            raise SpinError("SPIN/JACKSON-JSON-01010 Unable to get elements of a "
                            f"{kind_of(self.data)} node, it is not an array")
        return [SpinJsonNode(item) for item in self.data]

    def fieldNames(self) -> list[str]:  # noqa: N802
        return list(self._object("get field names"))

    def append(self, value: Any) -> SpinJsonNode:
        if not isinstance(self.data, list):
            raise SpinError("SPIN/JACKSON-JSON-01010 Unable to append to a non-array node")
        self.data.append(plain(value))
        return self

    def indexOf(self, value: Any) -> int:  # noqa: N802
        if not isinstance(self.data, list):
            raise SpinError("SPIN/JACKSON-JSON-01010 Unable to search a non-array node")
        wanted = plain(value)
        return next((i for i, item in enumerate(self.data) if item == wanted), -1)

    def jsonPath(self, path: str) -> JsonPathQuery:  # noqa: N802
        return JsonPathQuery(self, str(path))

    # -- kinds and values ------------------------------------------------------------------
    def isObject(self) -> bool:  # noqa: N802
        return isinstance(self.data, dict)

    def isArray(self) -> bool:  # noqa: N802
        return isinstance(self.data, list)

    def isString(self) -> bool:  # noqa: N802
        return isinstance(self.data, str)

    def isNumber(self) -> bool:  # noqa: N802
        return kind_of(self.data) == "NUMBER"

    def isBoolean(self) -> bool:  # noqa: N802
        return isinstance(self.data, bool)

    def isNull(self) -> bool:  # noqa: N802
        return self.data is None

    def isValue(self) -> bool:  # noqa: N802
        return not isinstance(self.data, dict | list)

    def stringValue(self) -> str | None:  # noqa: N802
        return self._typed(str, "String")

    def numberValue(self) -> int | float | None:  # noqa: N802
        return self._typed((int, float), "Number")  # type: ignore[arg-type]

    def boolValue(self) -> bool | None:  # noqa: N802
        return self._typed(bool, "Boolean")

    def mapTo(self, _type: Any = None) -> Any:  # noqa: N802
        return self.data

    def toString(self) -> str:  # noqa: N802
        return self.value

    def __str__(self) -> str:
        return self.value

    # -- helpers ---------------------------------------------------------------------------
    def _object(self, action: str) -> dict[str, Any]:
        if not isinstance(self.data, dict):
            raise SpinError(f"SPIN/JACKSON-JSON-01010 Unable to {action} of a "
                            f"{kind_of(self.data)} node, it is not an object")
        return self.data

    def _typed(self, kind: Any, name: str) -> Any:
        data = self.data
        if data is None:
            return None
        if not isinstance(data, kind) or (name == "Number" and isinstance(data, bool)):
            raise SpinError(f"SPIN/JACKSON-JSON-01007 Expected '{name}', got "
                            f"'{kind_of(data)}'")
        return data


class JsonPathQuery(ELObject):
    """The result of ``node.jsonPath(path)``: read it as one element, a list or a value."""

    el_methods = frozenset({"element", "elementList", "stringValue", "numberValue",
                            "boolValue"})

    def __init__(self, node: SpinJsonNode, path: str) -> None:
        self._node = node
        self._path = path

    def _result(self) -> Any:
        return jsonpath.query(self._node.data, self._path)

    def element(self) -> SpinJsonNode:
        return SpinJsonNode(self._result())

    def elementList(self) -> list[SpinJsonNode]:  # noqa: N802
        result = self._result()
        if not isinstance(result, list):
            raise SpinError(f"SPIN/JACKSON-JSON-01018 Unable to get element list of json path "
                            f"'{self._path}': the result is a {kind_of(result)}, not an array")
        return [SpinJsonNode(item) for item in result]

    def stringValue(self) -> str | None:  # noqa: N802
        return self.element().stringValue()

    def numberValue(self) -> int | float | None:  # noqa: N802
        return self.element().numberValue()

    def boolValue(self) -> bool | None:  # noqa: N802
        return self.element().boolValue()
