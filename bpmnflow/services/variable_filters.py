"""Variable value filters (``variables=name_op_value``) as EXISTS sub-queries on the variable table.

The value rules are Camunda's and live in ``variables.query``: a string in the REST date format
compares as a Date, a JSON number with every numeric type, a boolean with Booleans.  One
leniency is ours: a value from the URL is text, and Camunda clients write numbers and booleans
there too, so numeric or boolean text also matches numeric/boolean variables by value (Camunda
would compare it with String variables only and find nothing).
"""

from __future__ import annotations

import math
import re
from typing import Any

from bpmnflow.errors import InvalidRequestError
from bpmnflow.store.query import Query
from bpmnflow.variables import ValueCondition, VariableTypeError, query_operand

OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=",
             "like": "LIKE", "notLike": "NOT LIKE"}
_RANGE = ("gt", "gteq", "lt", "lteq")
_URL_FILTER = re.compile(r"^(.+?)_(eq|neq|gteq|gt|lteq|lt|like|notLike)_(.*)$", re.S)
_URL_SHAPE = re.compile(r"^(.+?)_([^_]+)_(.*)$", re.S)
# Camunda names the kind of variable in its comparator message, per query parameter.
_LABELS = {"processVariables": "process ", "taskVariables": "task ",
           "caseInstanceVariables": "case "}
_NO_VALUE = ("(v.text_value IS NULL AND v.long_value IS NULL AND v.double_value IS NULL "
             "AND v.bytes_value IS NULL)")

Filter = tuple[str, str, Any, bool]  # (variable name, operator, value, value came as text)


def parse(name: str, raw: Any) -> list[Filter]:
    """Filters from the GET form (``a_eq_1,b_like_x%``) or the POST form (list of objects)."""
    if isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
        return [_posted(name, item) for item in raw]
    parts = raw if isinstance(raw, list) else str(raw).split(",")
    return [_from_url(name, str(part)) for part in parts]


def _posted(name: str, item: dict[str, Any]) -> Filter:
    op = item.get("operator")
    if op not in OPERATORS:
        raise _bad_operator(name, op)
    if not isinstance(item.get("name"), str):
        raise InvalidRequestError(400, f"Invalid {name} parameter: a variable filter needs a "
                                       "'name'")
    return item["name"], op, item.get("value"), False


def _from_url(name: str, part: str) -> Filter:
    match = _URL_FILTER.match(part)
    if match is not None:
        return match.group(1), match.group(2), match.group(3), True
    shaped = _URL_SHAPE.match(part)
    if shaped is not None:  # three parts, but no operator Camunda knows
        raise _bad_operator(name, shaped.group(2))
    raise InvalidRequestError(
        400, f"Cannot set query parameter '{name}' to value '{part}': variable query parameter "
             "has to have format KEY_OPERATOR_VALUE.")


def _bad_operator(name: str, op: Any) -> InvalidRequestError:
    return InvalidRequestError(
        400, f"Invalid {_LABELS.get(name, '')}variable comparator specified: {op}")


def condition(op: str, value: Any, as_text: bool) -> tuple[str, list[Any]]:
    """SQL on alias ``v`` that holds when the variable compares to ``value`` with ``op``."""
    negate = op == "notLike"
    try:
        alternatives = query_operand(value, "like" if negate else op, typed_strings=as_text)
    except VariableTypeError as exc:
        raise InvalidRequestError(400, str(exc)) from None
    clauses, params = [], []
    for alternative in alternatives:
        clause, param = _clause(alternative, op)
        clauses.append(clause)
        params.extend(param)
    if op in _RANGE and isinstance(value, float) and math.isfinite(value) \
            and not value.is_integer():
        # 7.5 can equal no whole number, but 100 is still >= 7.5: whole-number variables
        # keep their value in double_value too, so compare them there
        clauses.append(f"(v.var_type IN ('Integer', 'Long', 'Short') AND v.double_value "
                       f"{OPERATORS[op]} ?)")
        params.append(value)
    return "(" + " OR ".join(clauses) + ")", params


def _clause(alt: ValueCondition, op: str) -> tuple[str, list[Any]]:
    if alt.column is None:  # the null operand: eq means no value at all, neq some value
        return (_NO_VALUE if op == "eq" else f"NOT {_NO_VALUE}"), []
    column = f"LOWER(v.{alt.column})" if alt.lower else f"v.{alt.column}"
    compare = f"{column} {OPERATORS[op]} ?"
    if op in ("like", "notLike"):
        compare += " ESCAPE '\\'"
    # type names come from variables.query's fixed set, never from the request
    types = ", ".join(f"'{t}'" for t in alt.var_types)
    return f"(v.var_type IN ({types}) AND {compare})", [alt.value]


def apply(query: Query[Any], filters: list[Filter], scope: str) -> None:
    """Add one EXISTS per filter; ``scope`` ties the variable row ``v`` to the row ``t``."""
    for name, op, value, as_text in filters:
        cond, params = condition(op, value, as_text)
        query.add(f"EXISTS (SELECT 1 FROM bf_variable v WHERE {scope} AND v.name = ? AND {cond})",
                  name, *params)
