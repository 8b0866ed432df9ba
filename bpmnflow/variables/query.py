"""Variable value filters (`variables=amount_gt_100`), turned into column conditions.

The query layer gets, for one filter, a tuple of `ValueCondition`s to be OR-ed. Each says
"the row's `var_type` is one of `var_types` and `<column> <op> <value>`"; the value is a
bind parameter, never spliced into SQL. For `eq`:

    (var_type IN ('Integer','Long','Short') AND long_value = ?)
 OR (var_type = 'Double' AND double_value = ?)

A condition with `column=None` is the null operand: no type test; `eq` means every value
column is NULL (`text_value`, `long_value`, `double_value`, `bytes_value`), `neq` that one
is not. With `lower=True`, compare `LOWER(column)` (the value is already lower-cased).
`like` uses `LIKE ? ESCAPE '\\'` on `text_value`; `%` and `_` in the operand are
wildcards, as in Camunda.

The rules are Camunda's (`ConditionQueryParameterDto.resolveValue`, the engine's
`QueryVariableValue` conditions):

* A string that reads as a date in Camunda's format is compared as a Date
  (`long_value`, epoch ms); any other string as a String, *even if it looks like a
  number*: in Camunda `GET ...?variables=amount_gt_5` compares text, only
  `POST {"value": 5}` compares numbers. `typed_strings=True` also tries such strings as
  numbers and booleans, a leniency Camunda lacks.
* A number is compared with every numeric type that holds it exactly: 5 (or 5.0) with
  Integer, Long, Short and Double variables; 5.5 only with Doubles.
* Booleans and null only with `eq`/`neq`. `like` always compares the operand's text.
* `resolve=False` is for the few Camunda queries that take the raw value (historic task
  `taskVariables`/`processVariables`): no date detection, a number keeps its own type.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from .dates import parse_date, to_epoch_ms
from .errors import VariableTypeError
from .javatext import java_text

__all__ = ["OPERATORS", "ValueCondition", "parse_filter_param", "query_operand"]

OPERATORS = ("eq", "neq", "gt", "gteq", "lt", "lteq", "like")
_OPERATOR_WORDS = {
    "gt": "greater than",
    "gteq": "greater than or equal",
    "lt": "less than",
    "lteq": "less than or equal",
}
_INT_TYPES = (("Integer", 32), ("Long", 64), ("Short", 16))


@dataclass(frozen=True, slots=True)
class ValueCondition:
    """One OR-ed alternative of a variable value filter (see the module docstring)."""

    var_types: tuple[str, ...]
    column: str | None
    value: str | int | float | None
    lower: bool = False


def query_operand(
    operand: Any,
    operator: str,
    *,
    resolve: bool = True,
    values_ignore_case: bool = False,
    typed_strings: bool = False,
) -> tuple[ValueCondition, ...]:
    """The conditions matching `<variable> <operator> <operand>`.

    `operand` is the string from a GET filter or the JSON value from a POST body.
    Raises VariableTypeError with Camunda's message for an unknown operator, for a
    boolean or null with `gt`/`gteq`/`lt`/`lteq`, and for a JSON object or array.
    """
    if operator not in OPERATORS:
        raise VariableTypeError(f"Invalid variable comparator specified: {operator}")
    if operator == "like":  # Camunda: variableValueLike(name, String.valueOf(value))
        text = operand if isinstance(operand, str) else java_text(operand)
        return (_string_condition(text, values_ignore_case),)
    if operand is None or isinstance(operand, bool):
        if operator in _OPERATOR_WORDS:
            raise VariableTypeError(
                f"Booleans and null cannot be used in '{_OPERATOR_WORDS[operator]}' condition"
            )
        if operand is None:
            return (ValueCondition((), None, None),)
        return (ValueCondition(("Boolean",), "long_value", int(operand)),)
    if isinstance(operand, int | float):
        return _number_conditions(operand) if resolve else _exact_number(operand)
    if isinstance(operand, datetime):
        return (ValueCondition(("Date",), "long_value", to_epoch_ms(operand)),)
    if isinstance(operand, str):
        return _string_conditions(operand, resolve, values_ignore_case, typed_strings, operator)
    raise VariableTypeError("Object values cannot be used to query")


def _string_conditions(
    text: str, resolve: bool, ignore_case: bool, typed_strings: bool, operator: str
) -> tuple[ValueCondition, ...]:
    if resolve and _looks_like_date(text):
        try:
            return (ValueCondition(("Date",), "long_value", to_epoch_ms(parse_date(text))),)
        except ValueError:
            pass
    conditions: tuple[ValueCondition, ...] = (_string_condition(text, ignore_case),)
    if typed_strings:
        parsed = _json_scalar(text)
        if isinstance(parsed, bool) and operator in ("eq", "neq"):
            conditions += (ValueCondition(("Boolean",), "long_value", int(parsed)),)
        elif isinstance(parsed, int | float) and not isinstance(parsed, bool):
            conditions += _number_conditions(parsed)
    return conditions


def _string_condition(text: str, ignore_case: bool) -> ValueCondition:
    if ignore_case:
        return ValueCondition(("String",), "text_value", text.lower(), lower=True)
    return ValueCondition(("String",), "text_value", text)


def _looks_like_date(text: str) -> bool:
    """Camunda's pattern needs at least `yyyy-MM-ddTHH:mm:ss.SSS` and an offset."""
    return len(text) >= 24 and text[4] == "-" and text[10] == "T" and text[19] == "."


def _json_scalar(text: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return None


def _number_conditions(number: int | float) -> tuple[ValueCondition, ...]:
    """Camunda's composite number condition: each numeric type that holds `number` exactly."""
    conditions: list[ValueCondition] = []
    if isinstance(number, int) or number.is_integer():
        whole = int(number)
        types = tuple(name for name, bits in _INT_TYPES if _fits(whole, bits))
        if types:
            conditions.append(ValueCondition(types, "long_value", whole))
    # An integer beyond any double cannot equal a Double variable.
    with contextlib.suppress(OverflowError):
        conditions.append(ValueCondition(("Double",), "double_value", float(number)))
    return tuple(conditions)


def _exact_number(number: int | float) -> tuple[ValueCondition, ...]:
    """A raw Java number matches its own type only (Integer, else Long, or Double)."""
    if isinstance(number, float):
        return (ValueCondition(("Double",), "double_value", number),)
    kind = "Integer" if _fits(number, 32) else "Long"
    return (ValueCondition((kind,), "long_value", number),)


def _fits(number: int, bits: int) -> bool:
    return -(1 << (bits - 1)) <= number < 1 << (bits - 1)


def parse_filter_param(param: str) -> list[tuple[str, str, str]]:
    """Split a GET filter `a_eq_1,b_like_x%` into `(name, operator, value)` triples.

    As Camunda's `VariableListConverter` does, with Java's `split`: a name or value
    containing `_` or `,` cannot be expressed this way (POST the query instead).
    """
    triples = []
    for expression in _java_split(param, ","):
        parts = _java_split(expression, "_")
        if len(parts) != 3:
            raise VariableTypeError(
                "variable query parameter has to have format KEY_OPERATOR_VALUE."
            )
        triples.append((parts[0], parts[1], parts[2]))
    return triples


def _java_split(text: str, separator: str) -> list[str]:
    """`String.split`: trailing empty strings are dropped; no separator → the whole text."""
    if separator not in text:
        return [text]
    parts = text.split(separator)
    while parts and parts[-1] == "":
        parts.pop()
    return parts
