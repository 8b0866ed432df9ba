"""Variable value filters (``variables=name_op_value``) as EXISTS sub-queries on the variable table.

A value from the URL is text; Camunda clients write numbers and booleans there too, so a
numeric or boolean text matches numeric/boolean variables by value and string variables by text.
"""

from __future__ import annotations

import re
from typing import Any

from bpmnflow.errors import InvalidRequestError
from bpmnflow.store.query import Query

OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<=",
             "like": "LIKE", "notLike": "NOT LIKE"}
_URL_FILTER = re.compile(r"^(.+?)_(eq|neq|gteq|gt|lteq|lt|like|notLike)_(.*)$", re.S)
_NUMERIC = "('Integer', 'Long', 'Short', 'Double')"


def parse(name: str, raw: Any) -> list[tuple[str, str, Any, bool]]:
    """Filters as (variable name, operator, value, value-came-as-text) from GET or POST form."""
    if isinstance(raw, list) and all(isinstance(item, dict) for item in raw):
        out = []
        for item in raw:
            op = item.get("operator")
            if op not in OPERATORS or not isinstance(item.get("name"), str):
                raise InvalidRequestError(400, f"Invalid variable comparator specified: {op}")
            out.append((item["name"], op, item.get("value"), False))
        return out
    parts = raw if isinstance(raw, list) else str(raw).split(",")
    out = []
    for part in parts:
        match = _URL_FILTER.match(str(part))
        if match is None:
            raise InvalidRequestError(
                400, f"Invalid {name} parameter: '{part}': variable query parameter has to have "
                     "format KEY_OPERATOR_VALUE.")
        out.append((match.group(1), match.group(2), match.group(3), True))
    return out


def _text_number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


def condition(op: str, value: Any, as_text: bool) -> tuple[str, list[Any]]:
    """SQL on alias ``v`` that holds when the variable compares to ``value`` with ``op``."""
    sql_op = OPERATORS[op]
    if op in ("like", "notLike"):
        return f"v.var_type = 'String' AND v.text_value {sql_op} ?", [str(value)]
    if value is None:
        return ("v.var_type = 'Null'" if op == "eq" else "v.var_type <> 'Null'"), []
    if isinstance(value, bool):
        return f"v.var_type = 'Boolean' AND v.long_value {sql_op} ?", [int(value)]
    if isinstance(value, int | float):
        return f"v.var_type IN {_NUMERIC} AND v.double_value {sql_op} ?", [float(value)]
    text = str(value)
    clauses, params = [f"(v.var_type = 'String' AND v.text_value {sql_op} ?)"], [text]
    if as_text:
        if text in ("true", "false") and op in ("eq", "neq"):
            clauses.append(f"(v.var_type = 'Boolean' AND v.long_value {sql_op} ?)")
            params.append(1 if text == "true" else 0)
        number = _text_number(text)
        if number is not None:
            clauses.append(f"(v.var_type IN {_NUMERIC} AND v.double_value {sql_op} ?)")
            params.append(number)
    return "(" + " OR ".join(clauses) + ")", params


def apply(query: Query[Any], filters: list[tuple[str, str, Any, bool]], scope: str) -> None:
    """Add one EXISTS per filter; ``scope`` ties the variable row ``v`` to the row ``t``."""
    for name, op, value, as_text in filters:
        cond, params = condition(op, value, as_text)
        query.add(f"EXISTS (SELECT 1 FROM bf_variable v WHERE {scope} AND v.name = ? AND {cond})",
                  name, *params)
