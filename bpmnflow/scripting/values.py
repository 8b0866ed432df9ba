"""Typed values across the sandbox boundary, as ``[kind, payload]`` pairs of plain JSON."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

import orjson

from bpmnflow.variables import JSON_FORMAT, TypedValue, infer


def to_sandbox(tv: TypedValue | None) -> list[Any]:
    if tv is None or tv.value is None:
        return ["null", None]
    value, kind = tv.value, tv.type
    if kind in ("Json", "Xml"):
        return [kind.lower(), value]
    if kind == "Date":
        return ["date", int(value.timestamp() * 1000)]
    if kind in ("Bytes", "File"):
        return ["bytes", list(value)]
    if kind == "Double" and not math.isfinite(value):
        return ["number", str(value).replace("inf", "Infinity").replace("nan", "NaN")]
    if kind == "Object":
        info = tv.value_info or {}
        if info.get("serializationDataFormat") == JSON_FORMAT:
            try:
                return ["value", orjson.loads(value)]
            except orjson.JSONDecodeError:
                pass
    return ["value", value]


def from_sandbox(pair: list[Any]) -> TypedValue:
    kind, value = pair
    if kind == "null" or value is None:
        return infer(None)
    if kind == "int":
        return infer(int(value))
    if kind in ("double", "number"):
        return TypedValue("Double", float(value))
    if kind in ("json", "xml"):
        return TypedValue(kind.capitalize(), value)
    if kind == "date":
        return infer(datetime.fromtimestamp(value / 1000, tz=UTC))
    if kind == "bytes":
        return TypedValue("Bytes", bytes(value))
    if kind == "object":
        return infer(orjson.loads(value))
    return infer(value)
