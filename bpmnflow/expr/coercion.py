"""EL type coercion and operators (EL 2.2 sections 1.7-1.10 and 1.18, as JUEL does them).

Python values stand in for Java's: ``int`` is Long (and BigInteger, since Python ints do
not overflow), ``float`` is Double, ``str`` is String, ``bool`` is Boolean, ``None`` is
null, lists, tuples and sets are collections and dicts are maps. ``bool`` is checked
before ``int`` everywhere because EL refuses to use a Boolean as a number.

Where JUEL departs from the letter of the spec, JUEL wins, since Camunda runs JUEL:
``a >= b`` is ``not (a < b)`` and ``==`` on doubles is ``Double.equals``.
"""

from __future__ import annotations

import datetime
import enum
import math
import re
from decimal import Decimal
from typing import Any

from bpmnflow.javatypes import JavaLong

from .errors import EvaluationFailure
from .objects import ELObject

__all__ = [
    "add",
    "div",
    "double_to_integral",
    "eq",
    "format_double",
    "ge",
    "gt",
    "is_empty",
    "le",
    "lt",
    "mod",
    "mul",
    "ne",
    "neg",
    "sub",
    "to_boolean",
    "to_double",
    "to_int",
    "to_long",
    "to_string",
    "type_name",
]


_LONG_TEXT = re.compile(r"[+-]?[0-9]+")
_DOUBLE_TEXT = re.compile(
    r"([+-]?)(?:(NaN)|(Infinity)|((?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)[fFdD]?)"
)
# Java's String.trim() and Double.valueOf() strip every char up to and including space.
_JAVA_BLANKS = "".join(chr(code) for code in range(33))

_COMPARABLE = (bool, datetime.date, datetime.time, datetime.timedelta, Decimal)


def type_name(value: Any) -> str:
    """Name a value's type for error messages, in the words a model author knows."""
    return "null" if value is None else type(value).__name__


def _is_long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_float_text(value: Any) -> bool:
    """EL treats a string containing '.', 'e' or 'E' as a Double in arithmetic."""
    return type(value) is str and ("." in value or "e" in value or "E" in value)


def _is_double(value: Any) -> bool:
    return type(value) is float or _is_float_text(value)


# -- coercions (EL 1.18) ---------------------------------------------------------------


def to_boolean(value: Any) -> bool:
    """Coerce to Boolean: null and "" are false, strings compare to "true" ignoring case."""
    if type(value) is bool:
        return value
    if value is None or value == "":
        return False
    if isinstance(value, str):
        return value.lower() == "true"
    raise EvaluationFailure(f"Cannot coerce a value of type {type_name(value)} to a boolean")


def to_long(value: Any) -> int:
    """Coerce to Long: null and "" are 0, floats truncate, strings must be integral."""
    if _is_long(value):
        return int(value)
    if value is None or value == "":
        return 0
    if type(value) is float:
        return double_to_integral(value, 64)
    if isinstance(value, str):
        if _LONG_TEXT.fullmatch(value):
            return int(value)
        raise EvaluationFailure(f"Cannot coerce '{value}' to a number")
    raise EvaluationFailure(f"Cannot coerce a value of type {type_name(value)} to a number")


def to_int(value: Any) -> int:
    """Coerce to Integer, as list indexes and int method parameters are.

    Integers are left unbounded (an out-of-range index simply finds nothing).
    """
    return double_to_integral(value, 32) if type(value) is float else to_long(value)


def to_double(value: Any) -> float:
    """Coerce to Double: null and "" are 0.0, strings parse as Java's Double.valueOf."""
    if type(value) is float:
        return value
    if _is_long(value):
        return _long_to_double(value)
    if value is None or value == "":
        return 0.0
    if isinstance(value, str):
        return _parse_double(value)
    if isinstance(value, float):
        return float(value)
    raise EvaluationFailure(f"Cannot coerce a value of type {type_name(value)} to a number")


def to_string(value: Any) -> str:
    """Coerce to String as EL does; numbers and collections print as Java prints them."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if type(value) is bool:
        return "true" if value else "false"
    if type(value) is float:
        return format_double(value)
    if isinstance(value, str):
        return str(value)
    return _to_java_string(value)


def _to_java_string(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, (bool, enum.Enum)):
        return str(int(value))
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(_element_string(item) for item in value) + "]"
    if isinstance(value, dict):
        entries = (f"{_element_string(k)}={_element_string(v)}" for k, v in value.items())
        return "{" + ", ".join(entries) + "}"
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, ELObject) and "toString" in type(value).el_methods:
        return to_string(value.toString())  # type: ignore[attr-defined]
    return str(value)


def _element_string(value: Any) -> str:
    """Java's String.valueOf, used inside collections, prints null as "null"."""
    return "null" if value is None else to_string(value)


def format_double(value: float) -> str:
    """Format like Java's Double.toString: "1.0", "0.001", "1.0E-4", "1.0E7", "NaN"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    # repr() gives the shortest digits that round-trip, as Java's algorithm does.
    sign, digit_tuple, raw_exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    exponent = int(raw_exponent) + len(digit_tuple) - len(digits)
    prefix = "-" if sign else ""
    if 1e-3 <= abs(value) < 1e7:
        return prefix + _plain_decimal(digits, exponent)
    scientific = len(digits) - 1 + exponent
    return f"{prefix}{digits[0]}.{digits[1:] or '0'}E{scientific}"


def _plain_decimal(digits: str, exponent: int) -> str:
    if exponent >= 0:
        return digits + "0" * exponent + ".0"
    point = len(digits) + exponent
    if point > 0:
        return digits[:point] + "." + digits[point:]
    return "0." + "0" * -point + digits


def _parse_double(text: str) -> float:
    match = _DOUBLE_TEXT.fullmatch(text.strip(_JAVA_BLANKS))
    if match is None:
        raise EvaluationFailure(f"Cannot coerce '{text}' to a number")
    sign, nan, infinity, number = match.groups()
    if nan:
        return math.nan
    result = math.inf if infinity else float(number)
    return -result if sign == "-" else result


def _long_to_double(value: int) -> float:
    try:
        return float(value)
    except OverflowError:  # Java's BigInteger.doubleValue() saturates to infinity
        return math.inf if value > 0 else -math.inf


def double_to_integral(value: float, bits: int) -> int:
    """Java's (int)/(long) cast of a double: NaN is 0, out of range saturates, else truncates."""
    if math.isnan(value):
        return 0
    high = (1 << (bits - 1)) - 1
    if math.isinf(value):
        return high if value > 0 else -high - 1
    return max(-high - 1, min(high, int(value)))


# -- arithmetic (EL 1.7) ---------------------------------------------------------------


def add(a: Any, b: Any) -> int | float:
    """``a + b``: numeric only; EL has no string concatenation operator."""
    if a is None and b is None:
        return 0
    if _is_double(a) or _is_double(b):
        return to_double(a) + to_double(b)
    return JavaLong(to_long(a) + to_long(b))


def sub(a: Any, b: Any) -> int | float:
    """``a - b``."""
    if a is None and b is None:
        return 0
    if _is_double(a) or _is_double(b):
        return to_double(a) - to_double(b)
    return JavaLong(to_long(a) - to_long(b))


def mul(a: Any, b: Any) -> int | float:
    """``a * b``."""
    if a is None and b is None:
        return 0
    if _is_double(a) or _is_double(b):
        return to_double(a) * to_double(b)
    return JavaLong(to_long(a) * to_long(b))


def div(a: Any, b: Any) -> int | float:
    """``a / b`` and ``a div b``: always a Double, so ``x / 0`` is infinite, not an error."""
    if a is None and b is None:
        return 0
    return double_divide(to_double(a), to_double(b))


def double_divide(a: float, b: float) -> float:
    """IEEE division as Java does it: x/0 is +-Infinity and 0/0 is NaN."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def mod(a: Any, b: Any) -> int | float:
    """``a % b``: Java's truncating remainder; integer ``x % 0`` is an error."""
    if a is None and b is None:
        return 0
    if _is_double(a) or _is_double(b):
        return double_remainder(to_double(a), to_double(b))
    return long_remainder(to_long(a), to_long(b))


def long_remainder(a: int, b: int) -> int:
    """Remainder with the sign of the dividend, as Java's ``%`` (Python's differs)."""
    if b == 0:
        raise EvaluationFailure("Division by zero in a remainder operation")
    remainder = abs(a) % abs(b)
    return -remainder if a < 0 else remainder


def double_remainder(a: float, b: float) -> float:
    """Java's double ``%``: NaN for a zero divisor or an infinite dividend."""
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def neg(value: Any) -> int | float:
    """Unary minus: null is 0, strings with '.', 'e' or 'E' negate as Double."""
    if value is None:
        return 0
    if type(value) is float:
        return -value
    if _is_long(value):
        return JavaLong(-int(value))
    if isinstance(value, str):
        return -to_double(value) if _is_float_text(value) else -to_long(value)
    raise EvaluationFailure(f"Cannot negate a value of type {type_name(value)}")


# -- relational and equality (EL 1.8) -------------------------------------------------


def lt(a: Any, b: Any) -> bool:
    """``a < b``; false when either side is null."""
    if a is b or a is None or b is None:
        return False
    return _compare(a, b) < 0


def gt(a: Any, b: Any) -> bool:
    """``a > b``; false when either side is null."""
    if a is b or a is None or b is None:
        return False
    return _compare(a, b) > 0


def le(a: Any, b: Any) -> bool:
    """``a <= b``, computed as JUEL does: ``not (a > b)``."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    return not _compare(a, b) > 0


def ge(a: Any, b: Any) -> bool:
    """``a >= b``, computed as JUEL does: ``not (a < b)``."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    return not _compare(a, b) < 0


def _compare(a: Any, b: Any) -> int:
    """Three-way compare of two non-null values; NaN compares as unordered (0)."""
    x: Any
    y: Any
    if type(a) is float or type(b) is float:
        x, y = to_double(a), to_double(b)
    elif _is_long(a) or _is_long(b):
        x, y = to_long(a), to_long(b)
    elif isinstance(a, str) or isinstance(b, str):
        x, y = to_string(a), to_string(b)
    elif isinstance(a, _COMPARABLE) and isinstance(b, _COMPARABLE):
        x, y = a, b
    else:
        raise _not_comparable(a, b)
    try:
        return int(x > y) - int(x < y)
    except TypeError:
        raise _not_comparable(a, b) from None


def _not_comparable(a: Any, b: Any) -> EvaluationFailure:
    return EvaluationFailure(f"Cannot compare {type_name(a)} and {type_name(b)}")


def eq(a: Any, b: Any) -> bool:
    """``a == b`` with EL's coercions: numbers numerically, then booleans, then strings."""
    if a is b:
        return True
    if a is None or b is None:
        return False
    if type(a) is float or type(b) is float:
        return double_equals(to_double(a), to_double(b))
    if _is_long(a) or _is_long(b):
        return to_long(a) == to_long(b)
    if type(a) is bool or type(b) is bool:
        return to_boolean(a) == to_boolean(b)
    if isinstance(a, enum.Enum) or isinstance(b, enum.Enum):
        return _enum_equals(a, b)
    if isinstance(a, str) or isinstance(b, str):
        return to_string(a) == to_string(b)
    return bool(a == b)


def ne(a: Any, b: Any) -> bool:
    """``a != b``."""
    return not eq(a, b)


def double_equals(x: float, y: float) -> bool:
    """Java's Double.equals: NaN equals NaN, and 0.0 differs from -0.0."""
    if x == y:
        return x != 0 or math.copysign(1.0, x) == math.copysign(1.0, y)
    return x != x and y != y


def _enum_equals(a: Any, b: Any) -> bool:
    """An enum equals a string naming it, as EL coerces the string to the enum type."""
    if isinstance(a, enum.Enum) and isinstance(b, enum.Enum):
        return a is b
    member, other = (a, b) if isinstance(a, enum.Enum) else (b, a)
    if other == "":
        return False
    if isinstance(other, str):
        if other not in type(member).__members__:
            raise EvaluationFailure(f"Cannot coerce '{other}' to {type(member).__name__}")
        return member.name == other
    raise EvaluationFailure(f"Cannot compare {type_name(a)} and {type_name(b)}")


def is_empty(value: Any) -> bool:
    """``empty x``: null, "" and empty collections or maps are empty."""
    if value is None:
        return True
    if isinstance(value, (str, list, tuple, dict, set, frozenset)):
        return len(value) == 0
    return False
