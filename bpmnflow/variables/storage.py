"""A typed value in the columns of a variable row, and back.

Columns: `var_type TEXT, text_value TEXT, long_value BIGINT, double_value DOUBLE,
bytes_value BLOB, value_info TEXT` (JSON, or NULL when empty).

Besides holding the value exactly, the columns are laid out for SQL filters
(`eq neq gt gteq lt lteq like`, see `query.py`), as Camunda lays out ACT_RU_VARIABLE:

| type                   | text_value            | long_value  | double_value | bytes_value |
|------------------------|-----------------------|-------------|--------------|-------------|
| String, Json, Xml      | the text              |             |              |             |
| Object                 | the serialized text   |             |              |             |
| Integer, Short, Long   | decimal digits        | the number  | the number   |             |
| Double                 | Java's Double text    |             | the number   |             |
| Boolean                | `true` / `false`      | 1 / 0       |              |             |
| Date                   | `...T...000+0000`     | epoch ms    |              |             |
| Bytes, File            |                       |             |              | the content |
| Null, or a null value  |                       |             |              |             |

A Double is read back from its text, which is exact (shortest round-trip digits) and
survives where the column does not: SQLite stores NaN as NULL and -0.0 as 0.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from .dates import format_date, from_epoch_ms, to_epoch_ms
from .errors import VariableTypeError
from .javatext import java_double
from .typed import TypedValue

__all__ = ["Columns", "from_columns", "to_columns"]

Columns = tuple[str, str | None, int | None, float | None, bytes | None, str | None]


def to_columns(typed: TypedValue) -> Columns:
    """`(var_type, text_value, long_value, double_value, bytes_value, value_info)`."""
    info = typed.value_info
    info_json = orjson.dumps(info, option=orjson.OPT_SORT_KEYS).decode() if info else None
    value = typed.value
    if value is None:
        return (typed.type, None, None, None, None, info_json)
    writer = _WRITERS.get(typed.type)
    if writer is None:
        raise VariableTypeError(f"Unsupported value type '{typed.type}'")
    text, long_value, double_value, content = writer(value)
    return (typed.type, text, long_value, double_value, content, info_json)


_Cells = tuple[str | None, int | None, float | None, bytes | None]


def _text(value: str) -> _Cells:
    return (value, None, None, None)


def _integer(value: int) -> _Cells:
    return (str(value), value, float(value), None)


def _double(value: float) -> _Cells:
    return (java_double(value), None, value, None)


def _boolean(value: bool) -> _Cells:
    return ("true" if value else "false", int(value), None, None)


def _date(value: Any) -> _Cells:
    return (format_date(value), to_epoch_ms(value), None, None)


def _content(value: bytes) -> _Cells:
    return (None, None, None, bytes(value))


def _nothing(value: Any) -> _Cells:
    return (None, None, None, None)


_WRITERS: dict[str, Callable[[Any], _Cells]] = {
    "String": _text,
    "Json": _text,
    "Xml": _text,
    "Object": _text,
    "Integer": _integer,
    "Short": _integer,
    "Long": _integer,
    "Double": _double,
    "Boolean": _boolean,
    "Date": _date,
    "Bytes": _content,
    "File": _content,
    "Null": _nothing,
}


def from_columns(
    var_type: str,
    text_value: str | None,
    long_value: int | None,
    double_value: float | None,
    bytes_value: bytes | memoryview | None,
    value_info: str | None,
) -> TypedValue:
    """The typed value of a stored row; the exact inverse of `to_columns`."""
    reader = _READERS.get(var_type)
    if reader is None:
        raise VariableTypeError(f"Unknown stored variable type '{var_type}'")
    value = reader(text_value, long_value, double_value, bytes_value)
    return TypedValue(var_type, value, orjson.loads(value_info) if value_info else None)


def _read_text(text: str | None, number: int | None, real: float | None, blob: Any) -> Any:
    return text


def _read_integer(text: str | None, number: int | None, real: float | None, blob: Any) -> Any:
    return None if number is None else int(number)


def _read_double(text: str | None, number: int | None, real: float | None, blob: Any) -> Any:
    if text is not None:
        return float(text)
    return None if real is None else float(real)


def _read_boolean(text: str | None, number: int | None, real: float | None, blob: Any) -> Any:
    return None if number is None else bool(number)


def _read_date(text: str | None, number: int | None, real: float | None, blob: Any) -> Any:
    return None if number is None else from_epoch_ms(number)


def _read_content(text: str | None, number: int | None, real: float | None, blob: Any) -> Any:
    return None if blob is None else bytes(blob)


def _read_nothing(text: str | None, number: int | None, real: float | None, blob: Any) -> Any:
    return None


_READERS: dict[str, Callable[[str | None, int | None, float | None, Any], Any]] = {
    "String": _read_text,
    "Json": _read_text,
    "Xml": _read_text,
    "Object": _read_text,
    "Integer": _read_integer,
    "Short": _read_integer,
    "Long": _read_integer,
    "Double": _read_double,
    "Boolean": _read_boolean,
    "Date": _read_date,
    "Bytes": _read_content,
    "File": _read_content,
    "Null": _read_nothing,
}
