"""Property reads and method calls: the only doors from an expression into Python objects.

Mirrors EL's resolver chain with a whitelist at every step: dicts are maps (key lookup),
lists and tuples are lists (integer index), :class:`ELObject` subclasses expose exactly
the names they list, and plain values answer a fixed set of Java-named methods. Nothing
here calls ``getattr`` with a name that did not pass one of those lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .coercion import (
    double_equals,
    double_to_integral,
    format_double,
    is_empty,
    to_double,
    to_int,
    to_string,
    type_name,
)
from .errors import EvaluationFailure, MethodNotFound, PropertyNotFound
from .objects import ELObject

__all__ = ["call_method", "get_property"]

_JAVA_BLANKS = "".join(chr(code) for code in range(33))


# -- properties ------------------------------------------------------------------------


def get_property(base: Any, key: Any) -> Any:
    """Read ``base.key`` / ``base[key]``; a null base or null key reads as null (EL 1.6)."""
    if base is None or key is None:
        return None
    if isinstance(base, dict):
        try:
            return base.get(key)
        except TypeError:  # unhashable key: no such entry
            return None
    if isinstance(base, (list, tuple)):
        index = _list_index(key)
        return base[index] if 0 <= index < len(base) else None
    if isinstance(base, ELObject):
        return _bean_property(base, key if type(key) is str else to_string(key))
    raise PropertyNotFound(
        f"Cannot read property '{to_string(key)}' of a value of type {type_name(base)}"
    )


def _list_index(key: Any) -> int:
    """Coerce a list subscript as JUEL's list resolver does (booleans count as 0 and 1)."""
    if type(key) is bool:
        return int(key)
    if isinstance(key, (int, float)):
        return to_int(key)
    if isinstance(key, str):
        if re.fullmatch(r"[+-]?[0-9]+", key):
            return int(key)
        raise PropertyNotFound(f"Cannot use '{key}' as a list index")
    raise PropertyNotFound(f"Cannot use a value of type {type_name(key)} as a list index")


def _bean_property(obj: ELObject, name: str) -> Any:
    """A whitelisted attribute, or a whitelisted Java-bean getter (getFoo / isFoo)."""
    cls = type(obj)
    if not name.startswith("_"):
        if name in cls.el_properties:
            return getattr(obj, name)
        capitalized = name[:1].upper() + name[1:]
        for getter in ("get" + capitalized, "is" + capitalized):
            if getter in cls.el_methods:
                return getattr(obj, getter)()
    raise PropertyNotFound(f"Cannot read property '{name}' of {cls.__name__}")


# -- methods ---------------------------------------------------------------------------


def call_method(base: Any, name: str, args: list[Any]) -> Any:
    """Invoke a whitelisted method; a null base is unreachable, as in JUEL."""
    if base is None:
        raise PropertyNotFound(f"Cannot call method '{name}': the base expression is null")
    if isinstance(base, ELObject):
        return _call_bean_method(base, name, args)
    table = _methods_for(base)
    entry = table.get(name)
    if entry is None:
        raise MethodNotFound(f"Method '{name}' is not available on type {type_name(base)}")
    method, min_args, max_args = entry
    if not min_args <= len(args) <= max_args:
        raise MethodNotFound(
            f"Method '{name}' of type {type_name(base)} takes {_arity(min_args, max_args)},"
            f" got {len(args)}"
        )
    return method(base, *args)


def _call_bean_method(obj: ELObject, name: str, args: list[Any]) -> Any:
    cls = type(obj)
    if name in cls.el_methods and not name.startswith("_"):
        return getattr(obj, name)(*args)
    if name == "toString" and not args:
        return to_string(obj)
    raise MethodNotFound(f"Method '{name}' is not available on {cls.__name__}")


def _arity(low: int, high: int) -> str:
    if low == high:
        return f"{low} argument{'s' if low != 1 else ''}"
    return f"{low} to {high} arguments"


def _methods_for(base: Any) -> dict[str, _Entry]:
    table = _TABLES.get(type(base))
    if table is not None:
        return table
    for kind, candidate in _TABLES.items():
        if isinstance(base, kind):
            return candidate
    return _ANY_METHODS


# Methods of plain values, named as in Java. Parameters declared as String in Java are
# coerced with EL's to-string rule (null becomes ""), int parameters with to-integer.


def _str_equals_ignore_case(s: str, other: Any) -> bool:
    if not isinstance(other, str) or len(other) != len(s):
        return False
    return all(
        a == b or a.upper() == b.upper() or a.lower() == b.lower()
        for a, b in zip(s, other, strict=True)
    )


def _str_substring(s: str, begin: Any, end: Any = None) -> str:
    start = to_int(begin)
    stop = len(s) if end is None else to_int(end)
    if not 0 <= start <= stop <= len(s):
        raise EvaluationFailure(
            f"substring({start}, {stop}) is out of range for a string of length {len(s)}"
        )
    return s[start:stop]


def _str_index_of(s: str, needle: Any, start: Any = 0) -> int:
    return s.find(to_string(needle), min(max(to_int(start), 0), len(s)))


def _str_char_at(s: str, index: Any) -> str:
    position = to_int(index)
    if not 0 <= position < len(s):
        raise EvaluationFailure(f"charAt({position}) is out of range for length {len(s)}")
    return s[position]


def _compile_regex(pattern: Any) -> re.Pattern[str]:
    try:
        return re.compile(to_string(pattern))
    except re.error as exc:
        raise EvaluationFailure(f"Invalid regular expression '{pattern}': {exc}") from exc


def _str_matches(s: str, pattern: Any) -> bool:
    return _compile_regex(pattern).fullmatch(s) is not None


def _str_split(s: str, pattern: Any, limit: Any = 0) -> list[str]:
    """Java's String.split: a regex separator, trailing empty strings dropped when limit is 0."""
    regex = _compile_regex(pattern)
    max_parts = to_int(limit)
    if s == "":
        return [""]
    parts: list[str] = []
    start = 0
    for match in regex.finditer(s):
        if max_parts > 0 and len(parts) >= max_parts - 1:
            break
        if match.end() == 0:  # a zero-width match at the start yields no leading ""
            continue
        parts.append(s[start : match.start()])
        start = match.end()
    parts.append(s[start:])
    if max_parts == 0:
        while len(parts) > 1 and parts[-1] == "":
            parts.pop()
    return parts


def _element_equals(a: Any, b: Any) -> bool:
    """Java's equals for collection lookups; booleans never equal numbers."""
    if a is None or b is None:
        return a is b
    if (type(a) is bool) != (type(b) is bool):
        return False
    if type(a) is float and type(b) is float:
        return double_equals(a, b)
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - an odd __eq__ just means "not equal"
        return False


def _list_contains(items: Any, value: Any) -> bool:
    return any(_element_equals(item, value) for item in items)


def _list_index_of(items: Any, value: Any) -> int:
    return next((i for i, item in enumerate(items) if _element_equals(item, value)), -1)


def _list_get(items: Any, index: Any) -> Any:
    position = to_int(index)
    if not 0 <= position < len(items):
        raise EvaluationFailure(f"get({position}) is out of range for size {len(items)}")
    return items[position]


def _dict_get(mapping: dict[Any, Any], key: Any) -> Any:
    try:
        return mapping.get(key)
    except TypeError:
        return None


def _dict_contains_key(mapping: dict[Any, Any], key: Any) -> bool:
    try:
        return key in mapping
    except TypeError:
        return False


def _wrap_int(value: int, bits: int) -> int:
    """Java's narrowing of an integer: keep the low bits, two's complement."""
    half = 1 << (bits - 1)
    return ((value + half) % (1 << bits)) - half


def _int_value(number: int | float, bits: int) -> int:
    """Java's intValue()/longValue(): doubles saturate, integers wrap around."""
    if isinstance(number, float):
        return double_to_integral(number, bits)
    return _wrap_int(int(number), bits)


def _number_to_string(number: int | float) -> str:
    return format_double(number) if isinstance(number, float) else str(int(number))


_Entry = tuple[Callable[..., Any], int, int]

_ANY_METHODS: dict[str, _Entry] = {"toString": (to_string, 0, 0)}

_STR_METHODS: dict[str, _Entry] = {
    **_ANY_METHODS,
    "length": (len, 0, 0),
    "isEmpty": (lambda s: s == "", 0, 0),
    "equals": (lambda s, other: isinstance(other, str) and s == other, 1, 1),
    "equalsIgnoreCase": (_str_equals_ignore_case, 1, 1),
    "contains": (lambda s, part: to_string(part) in s, 1, 1),
    "startsWith": (lambda s, part: s.startswith(to_string(part)), 1, 1),
    "endsWith": (lambda s, part: s.endswith(to_string(part)), 1, 1),
    "toUpperCase": (str.upper, 0, 0),
    "toLowerCase": (str.lower, 0, 0),
    "trim": (lambda s: s.strip(_JAVA_BLANKS), 0, 0),
    "substring": (_str_substring, 1, 2),
    "indexOf": (_str_index_of, 1, 2),
    "lastIndexOf": (lambda s, part: s.rfind(to_string(part)), 1, 1),
    "charAt": (_str_char_at, 1, 1),
    "replace": (lambda s, old, new: s.replace(to_string(old), to_string(new)), 2, 2),
    "split": (_str_split, 1, 2),
    "concat": (lambda s, other: s + to_string(other), 1, 1),
    "matches": (_str_matches, 1, 1),
}

_LIST_METHODS: dict[str, _Entry] = {
    **_ANY_METHODS,
    "size": (len, 0, 0),
    "isEmpty": (is_empty, 0, 0),
    "contains": (_list_contains, 1, 1),
    "get": (_list_get, 1, 1),
    "indexOf": (_list_index_of, 1, 1),
}

_SET_METHODS: dict[str, _Entry] = {
    **_ANY_METHODS,
    "size": (len, 0, 0),
    "isEmpty": (is_empty, 0, 0),
    "contains": (_list_contains, 1, 1),
}

_DICT_METHODS: dict[str, _Entry] = {
    **_ANY_METHODS,
    "size": (len, 0, 0),
    "isEmpty": (is_empty, 0, 0),
    "containsKey": (_dict_contains_key, 1, 1),
    "containsValue": (lambda m, value: _list_contains(m.values(), value), 1, 1),
    "get": (_dict_get, 1, 1),
    "keySet": (lambda m: list(m.keys()), 0, 0),
    "values": (lambda m: list(m.values()), 0, 0),
}

_NUMBER_METHODS: dict[str, _Entry] = {
    "toString": (_number_to_string, 0, 0),
    "intValue": (lambda n: _int_value(n, 32), 0, 0),
    "longValue": (lambda n: _int_value(n, 64), 0, 0),
    "doubleValue": (to_double, 0, 0),
}

_BOOL_METHODS: dict[str, _Entry] = {
    **_ANY_METHODS,
    "booleanValue": (lambda b: b, 0, 0),
}

# Order matters for subclasses: bool is an int, so it comes first.
_TABLES: dict[type, dict[str, _Entry]] = {
    bool: _BOOL_METHODS,
    str: _STR_METHODS,
    int: _NUMBER_METHODS,
    float: _NUMBER_METHODS,
    list: _LIST_METHODS,
    tuple: _LIST_METHODS,
    dict: _DICT_METHODS,
    set: _SET_METHODS,
    frozenset: _SET_METHODS,
}
