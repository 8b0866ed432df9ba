"""Typed variable values: Camunda's REST form, Python values, and table columns.

    from_rest(name, dto) ──> TypedValue ──> to_rest(tv, deserialize)     (typed.py)
    infer(python_value) ──┘      │  ▲
                     to_columns  ▼  │ from_columns                       (storage.py)
                 (var_type, text, long, double, bytes, value_info)
    query_operand(operand, op) ──> ValueCondition(...) for SQL filters   (query.py)
    format_date / parse_date / now_utc                                  (dates.py)

Every failure is a `VariableTypeError` (a ValueError) carrying Camunda's message.
"""

from .dates import format_date, now_utc, parse_date
from .errors import VariableTypeError
from .query import OPERATORS, ValueCondition, parse_filter_param, query_operand
from .storage import Columns, from_columns, to_columns
from .typed import (
    JAVA_FORMAT,
    JSON_FORMAT,
    TYPE_NAMES,
    XML_FORMAT,
    TypedValue,
    from_rest,
    infer,
    python_value,
    to_rest,
)

__all__ = [
    "JAVA_FORMAT",
    "JSON_FORMAT",
    "OPERATORS",
    "TYPE_NAMES",
    "XML_FORMAT",
    "Columns",
    "TypedValue",
    "ValueCondition",
    "VariableTypeError",
    "format_date",
    "from_columns",
    "from_rest",
    "infer",
    "now_utc",
    "parse_date",
    "parse_filter_param",
    "python_value",
    "query_operand",
    "to_columns",
    "to_rest",
]
