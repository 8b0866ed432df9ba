"""How Java would print a JSON value: `String.valueOf` of what Jackson made of it.

Camunda turns a REST value into the requested type by printing it (`value.toString()`)
and parsing the text again, and it quotes the printed value in its error messages.
Reproducing the printing is what makes `{"type": "String", "value": 1.0}` become `"1.0"`
and `{"type": "Integer", "value": 5.0}` fail, exactly as they do in Camunda.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

__all__ = ["java_double", "java_text"]


def java_text(value: Any) -> str:
    """`String.valueOf(value)` for a value decoded from JSON (Jackson's natural mapping)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return java_double(value)
    if isinstance(value, dict):  # LinkedHashMap.toString
        return "{" + ", ".join(f"{java_text(k)}={java_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):  # ArrayList.toString
        return "[" + ", ".join(java_text(v) for v in value) + "]"
    return str(value)


def java_double(value: float) -> str:
    """`Double.toString`: plain between 10^-3 and 10^7, else `1.0E20` style; shortest digits."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign = "-" if value < 0 else ""
    magnitude = abs(value)
    # repr gives the shortest digits that read back to the same double, as Java 19+ does.
    _, digit_tuple, exponent = Decimal(repr(magnitude)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0") or "0"
    point = len(digit_tuple) + int(exponent)  # position of the decimal point in `digits`
    if 1e-3 <= magnitude < 1e7:
        return sign + _plain(digits, point)
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{sign}{mantissa}E{point - 1}"


def _plain(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits)) + ".0"
    return digits[:point] + "." + digits[point:]
