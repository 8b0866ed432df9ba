"""Typed variable values, read from and written to Camunda 7's REST form.

On the wire a variable is `{"type": "Integer", "value": 42, "valueInfo": {}}`. Camunda
reads it in `VariableValueDto.toTypedValue`; this module does the same, with the same
outcomes and the same messages, because clients and their tests see both:

* `type` missing or null: the type follows from the JSON value (`infer`).
* `type` names a primitive (String, Integer, Long, Short, Double, Boolean, Date, Bytes,
  Null): a value of the matching JSON kind is taken as is; any other value is printed as
  Java would print it and parsed again as the type (so `"42"` is a fine Integer, `5.0`
  is not, and `true` is a fine String `"true"`). Failure: `Cannot convert value '5.0' of
  type 'Integer' to java type java.lang.Integer`.
* Json, Xml and Object carry serialized text: the value must be a string or null.
  Object also needs a data format the engine can read (JSON or XML; Java serialization
  is refused as Camunda refuses it by default) and an `objectTypeName` when non-null.
* File carries base64 content and `valueInfo.filename` (and optionally `mimeType`,
  `encoding`).

Deliberate differences from Camunda, none of which changes the outcome of a request
Camunda handles sensibly: type names are accepted in any case (Camunda forgives only the
first letter); dates in more ISO 8601 forms are accepted (see `dates.py`); Bytes accept
base64 without padding; a JSON object or array sent as a String is refused instead of
being stored as Java's `{a=1}` rendering; the abstract `Number` type is refused as
unsupported (Camunda fails later, inside the engine).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import orjson

from bpmnflow.javatypes import JavaLong

from .dates import format_date, parse_date, truncate_ms
from .errors import VariableTypeError
from .javatext import java_double, java_text

__all__ = [
    "JAVA_FORMAT",
    "JSON_FORMAT",
    "TYPE_NAMES",
    "XML_FORMAT",
    "TypedValue",
    "from_rest",
    "infer",
    "python_value",
    "to_rest",
]

TYPE_NAMES = (
    "String", "Integer", "Long", "Short", "Double", "Boolean", "Date",
    "Json", "Xml", "Object", "Null", "Bytes", "File",
)  # fmt: skip
_CANONICAL = {name.lower(): name for name in TYPE_NAMES}

JSON_FORMAT = "application/json"
XML_FORMAT = "application/xml"
JAVA_FORMAT = "application/x-java-serialized-object"
_READABLE_FORMATS = (JSON_FORMAT, XML_FORMAT)

# Java class names of untyped JSON containers, as Camunda reports them for such values.
MAP_TYPE_NAME = "java.util.LinkedHashMap"
LIST_TYPE_NAME = "java.util.ArrayList"

_JAVA_TYPES = {
    "String": "java.lang.String",
    "Integer": "java.lang.Integer",
    "Long": "java.lang.Long",
    "Short": "java.lang.Short",
    "Double": "java.lang.Double",
    "Boolean": "java.lang.Boolean",
    "Date": "java.util.Date",
    "Bytes": "[B",
    "Null": "javax.lang.model.type.NullType",
}


@dataclass(slots=True)
class TypedValue:
    """A variable value with its Camunda type.

    `value` by type: String/Json/Xml/Object → str (Object: the serialized text);
    Integer/Short/Long → int; Double → float; Boolean → bool; Date → aware UTC datetime
    (milliseconds); Bytes/File → bytes; Null → None. Any type but Null may hold None.
    `value_info` keeps only what Camunda keeps: Object `objectTypeName` and
    `serializationDataFormat`, File `filename`, `mimeType`, `encoding`, and
    `transient: True`. An empty `value_info` is stored as None, so equal values compare equal.
    """

    type: str
    value: Any
    value_info: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if not self.value_info:
            self.value_info = None

    @property
    def transient(self) -> bool:
        """Transient variables live for one command and are never stored."""
        info = self.value_info
        return info is not None and info.get("transient") is True


# ---------------------------------------------------------------------------- from REST


def from_rest(name: str, dto: Any) -> TypedValue:
    """Read the REST form of variable `name`; raise VariableTypeError as Camunda would."""
    if not isinstance(dto, dict):
        raise VariableTypeError(
            f"Cannot read variable {name}: expected a JSON object with 'type', 'value'"
            " and 'valueInfo'",
            variable_name=name,
        )
    value = dto.get("value")
    info = dto.get("valueInfo")
    if info is not None and not isinstance(info, dict):
        raise VariableTypeError(
            f"Cannot read variable {name}: 'valueInfo' must be a JSON object", variable_name=name
        )
    sent_type = dto.get("type")
    if sent_type is None:
        return _untyped(name, value, info)
    canonical = _CANONICAL.get(sent_type.lower()) if isinstance(sent_type, str) else None
    if canonical is None:
        raise VariableTypeError(
            f"Unsupported value type '{java_text(sent_type)}'", variable_name=name
        )
    return _READERS[canonical](name, sent_type, value, info)


def _untyped(name: str, value: Any, info: dict[str, Any] | None) -> TypedValue:
    # Camunda honours `transient` here only when it is a real boolean, and never complains.
    typed = _infer(value, name)
    if info and info.get("transient") is True:
        typed.value_info = {**(typed.value_info or {}), "transient": True}
    return typed


Reader = Callable[[str, str, Any, "dict[str, Any] | None"], TypedValue]


def _primitive(canonical: str, convert: Callable[[Any], Any]) -> Reader:
    """A reader for a primitive type; every failure becomes Camunda's 'Cannot convert'."""
    java_type = _JAVA_TYPES[canonical]

    def read(name: str, sent_type: str, value: Any, info: dict[str, Any] | None) -> TypedValue:
        try:
            extra = _transient_info(info)
            return TypedValue(canonical, None if value is None else convert(value), extra)
        except (ValueError, TypeError, OverflowError) as exc:
            message = (
                f"Cannot convert value '{java_text(value)}' of type '{sent_type}'"
                f" to java type {java_type}"
            )
            raise VariableTypeError(message, variable_name=name) from exc

    return read


def _transient_info(info: dict[str, Any] | None) -> dict[str, Any] | None:
    if not info or "transient" not in info:
        return None
    flag = info["transient"]
    if not isinstance(flag, bool):
        raise ValueError("The property 'transient' should have a value of type 'boolean'.")
    return {"transient": True} if flag else None


# Characters Java's String.trim() removes (Jackson trims scalars before parsing them).
_JAVA_BLANK = "".join(map(chr, range(33)))
_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_DOUBLE_RE = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?|NaN|Infinity)", re.ASCII
)


def _scalar_text(value: Any) -> str | None:
    """The text Jackson parses for a mismatched value; None for its null-like texts."""
    text = (value if isinstance(value, str) else java_text(value)).strip(_JAVA_BLANK)
    return None if text in ("", "null") else text


def _integer(bits: int) -> Callable[[Any], int | None]:
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def convert(value: Any) -> int | None:
        if type(value) is int:
            number = value
        else:
            text = _scalar_text(value)
            if text is None:
                return None
            if not _INT_RE.fullmatch(text):
                raise ValueError(f"not an integer: {text!r}")
            number = int(text)
        if not low <= number <= high:
            raise ValueError(f"out of the {bits}-bit range: {number}")
        return number

    return convert


def _double(value: Any) -> float | None:
    if type(value) is float:
        return value
    if type(value) is int:
        return float(str(value))  # float(str) turns a huge integer into inf, as Java does
    text = _scalar_text(value)
    if text is None:
        return None
    if not _DOUBLE_RE.fullmatch(text):
        raise ValueError(f"not a number: {text!r}")
    return float(text.rstrip("fFdD"))


def _boolean(value: Any) -> bool | None:
    if type(value) is bool:
        return value
    text = _scalar_text(value)
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if text is None:
        return None
    raise ValueError(f"not a boolean: {text!r}")


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        raise ValueError("a JSON object or array is not a String")
    return java_text(value)


def _date(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return truncate_ms(value if value.tzinfo else value.replace(tzinfo=UTC))
    text = _scalar_text(value)
    return None if text is None else truncate_ms(parse_date(text))


_B64_STRICT = re.compile(r"[A-Za-z0-9+/]*={0,2}", re.ASCII)
_B64_NOISE = re.compile(r"[^A-Za-z0-9+/]", re.ASCII)
_URLSAFE = str.maketrans("-_", "+/")


def _bytes(value: Any) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    text = "".join((value if isinstance(value, str) else java_text(value)).split())
    if not _B64_STRICT.fullmatch(text):
        raise ValueError("not base64")
    return _b64decode_padded(text.rstrip("="))


def _b64decode_lenient(text: str) -> bytes:
    """Decode as commons-codec does for File values: skip anything outside the alphabet."""
    return _b64decode_padded(_B64_NOISE.sub("", text.translate(_URLSAFE)))


def _b64decode_padded(text: str) -> bytes:
    if len(text) % 4 == 1:  # a lone trailing character carries no whole byte
        text = text[:-1]
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError(str(exc)) from exc


def _null(value: Any) -> None:
    raise ValueError("the Null type holds no value")  # only reached for a non-null value


def _serialized(canonical: str) -> Reader:
    """Json and Xml: serialized text, kept as sent (Camunda does not parse it on write)."""

    def read(name: str, sent_type: str, value: Any, info: dict[str, Any] | None) -> TypedValue:
        _require_text(name, sent_type, value)
        return TypedValue(canonical, value, _transient_or_fail(name, info))

    return read


def _require_text(name: str, sent_type: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise VariableTypeError(
            f"Must provide 'null' or String value for value of SerializableValue type"
            f" '{sent_type}'.",
            variable_name=name,
        )


def _transient_or_fail(name: str, info: dict[str, Any] | None) -> dict[str, Any] | None:
    try:
        return _transient_info(info)
    except ValueError as exc:
        raise VariableTypeError(str(exc), variable_name=name) from exc


def _read_object(name: str, sent_type: str, value: Any, info: dict[str, Any] | None) -> TypedValue:
    _require_text(name, sent_type, value)
    info = info or {}
    type_name = _info_text(name, info, "objectTypeName")
    data_format = _info_text(name, info, "serializationDataFormat")
    transient = _transient_or_fail(name, info)
    _check_object_format(name, value, type_name, data_format, transient)
    result: dict[str, Any] = {} if type_name is None else {"objectTypeName": type_name}
    result["serializationDataFormat"] = data_format
    return TypedValue("Object", value, {**result, **(transient or {})})


def _info_text(name: str, info: dict[str, Any], key: str) -> str | None:
    found = info.get(key)
    if found is not None and not isinstance(found, str):
        raise VariableTypeError(
            f"Cannot read variable {name}: valueInfo.{key} must be a string", variable_name=name
        )
    return found


def _check_object_format(
    name: str, value: str | None, type_name: str | None, data_format: str | None, transient: Any
) -> None:
    """What the engine checks when it stores a serialized object, in the engine's order."""
    if data_format is None or data_format == JAVA_FORMAT:
        # With no format Camunda falls back to Java serialization, which it refuses by default.
        raise VariableTypeError(
            f"ENGINE-17007 Cannot set variable with name {name}."
            " Java serialization format is prohibited",
            variable_name=name,
            engine_error=True,
        )
    if data_format not in _READABLE_FORMATS:
        serialized = f"{len(value)} chars" if value is not None else "null"
        raise VariableTypeError(
            "Cannot find serializer for value 'ObjectValue [value=null, isDeserialized=false,"
            f" serializationDataFormat={data_format}, objectTypeName={java_text(type_name)},"
            f" serializedValue={serialized}, isTransient={java_text(bool(transient))}]'.",
            variable_name=name,
            engine_error=True,
        )
    if type_name is None and value is not None:
        raise VariableTypeError(
            f"Cannot write serialized value for variable '{name}': no 'objectTypeName'"
            " provided for non-null value.",
            variable_name=name,
            engine_error=True,
        )


def _read_file(name: str, sent_type: str, value: Any, info: dict[str, Any] | None) -> TypedValue:
    def fail(message: str) -> VariableTypeError:
        return VariableTypeError(message, variable_name=name)

    if info is None:
        raise fail("Cannot create file without valueInfo.")
    filename = info.get("filename")
    if filename is None:
        raise fail(
            "Cannot create file without filename! Please set a name into ValueInfo with key"
            " filename"
        )
    if isinstance(value, str):
        content = _b64decode_lenient(value)
    elif isinstance(value, bytes | bytearray | memoryview):
        content = bytes(value)
    else:
        raise fail("Provided value is not of File, InputStream or byte[] type.")
    result = {"filename": java_text(filename)}
    for key, label, named in _FILE_INFO_KEYS:
        if key in info:
            if info[key] is None:
                raise fail(
                    f"The provided {label} is null. Set a non-null value info property"
                    f" with key '{named}'"
                )
            result[key] = java_text(info[key])
    result.update(_transient_or_fail(name, info) or {})
    return TypedValue("File", content, result)


# (key, what the message calls it, key the message names). Camunda's message for a null
# mimeType names the 'filename' key; kept as it is, since it is what clients have seen.
_FILE_INFO_KEYS = (("mimeType", "mime type", "filename"), ("encoding", "encoding", "encoding"))

_READERS: dict[str, Reader] = {
    "String": _primitive("String", _string),
    "Integer": _primitive("Integer", _integer(32)),
    "Long": _primitive("Long", _integer(64)),
    "Short": _primitive("Short", _integer(16)),
    "Double": _primitive("Double", _double),
    "Boolean": _primitive("Boolean", _boolean),
    "Date": _primitive("Date", _date),
    "Bytes": _primitive("Bytes", _bytes),
    "Null": _primitive("Null", _null),
    "Json": _serialized("Json"),
    "Xml": _serialized("Xml"),
    "Object": _read_object,
    "File": _read_file,
}


# -------------------------------------------------------------------------------- infer


def infer(value: Any) -> TypedValue:
    """The typed value Camunda makes of an untyped one (untyped REST input, script results).

    JSON objects and arrays become what Camunda makes of a `LinkedHashMap`/`ArrayList`:
    an Object value, here serialized as JSON (Camunda uses Java serialization, which a
    non-Java client cannot read; with `deserializeValues` both answer the same JSON).
    Integers beyond 64 bits and Decimals become JSON Objects typed `java.math.BigInteger`/
    `java.math.BigDecimal`, as Jackson would have read them.
    """
    return _infer(value, None)


def _infer(value: Any, name: str | None) -> TypedValue:
    kind = type(value)
    if kind is str:
        return TypedValue("String", value)
    if value is None:
        return TypedValue("Null", None)
    if kind is bool:
        return TypedValue("Boolean", value)
    if kind is int:
        return _infer_int(value)
    if kind is JavaLong:
        return TypedValue("Long", int(value))
    if kind is float:
        return TypedValue("Double", value)
    return _infer_other(value, name)


def _infer_int(value: int) -> TypedValue:
    if -(1 << 31) <= value < 1 << 31:
        return TypedValue("Integer", value)
    if -(1 << 63) <= value < 1 << 63:
        return TypedValue("Long", value)
    return _json_object(str(value), "java.math.BigInteger")


def _infer_other(value: Any, name: str | None) -> TypedValue:
    if isinstance(value, TypedValue):
        return value
    if isinstance(value, datetime):
        return TypedValue("Date", _date(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return TypedValue("Bytes", bytes(value))
    if isinstance(value, dict):
        return _json_object(_dump_json(value, name), MAP_TYPE_NAME)
    if isinstance(value, list | tuple):
        return _json_object(_dump_json(value, name), LIST_TYPE_NAME)
    if isinstance(value, Decimal) and value.is_finite():
        return _json_object(str(value), "java.math.BigDecimal")
    # Subclasses such as enums: their plain value (str() of a str-mixin enum is its name).
    if isinstance(value, str):
        return TypedValue("String", str.__str__(value))
    if isinstance(value, int):
        return _infer_int(int(value))
    if isinstance(value, float):
        return TypedValue("Double", float(value))
    raise VariableTypeError(
        f"Cannot store a value of Python type {type(value).__name__} in a variable",
        variable_name=name,
    )


def _json_object(text: str, type_name: str) -> TypedValue:
    info = {"objectTypeName": type_name, "serializationDataFormat": JSON_FORMAT}
    return TypedValue("Object", text, info)


def _dump_json(value: Any, name: str | None) -> str:
    try:
        return orjson.dumps(
            value, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME
        ).decode()
    except TypeError as exc:
        subject = f"variable {name}" if name else "value"
        raise VariableTypeError(
            f"Cannot serialize {subject} as JSON: {exc}", variable_name=name
        ) from exc


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_date(value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return list(value)
    if isinstance(value, TypedValue):
        return python_value(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


# ------------------------------------------------------------------------------ to REST


def to_rest(typed: TypedValue, deserialize: bool = True) -> dict[str, Any]:
    """The REST form Camunda writes: `{"type", "value", "valueInfo"}` (valueInfo `{}` if empty).

    Dates as `2026-01-31T12:00:00.000+0000`; Bytes as base64; File without its content
    (value null, as Camunda: the content is fetched from the `/data` endpoint); Object
    values as their serialized text, or with `deserialize` and JSON format as the parsed
    JSON (Camunda's answer for a JSON-serialized object). XML and other formats stay text.
    """
    value = typed.value
    if value is not None:
        writer = _WRITERS.get(typed.type)
        if writer is not None:
            value = writer(typed, deserialize)
    info = typed.value_info
    return {"type": typed.type, "value": value, "valueInfo": dict(info) if info else {}}


def _write_double(typed: TypedValue, deserialize: bool) -> Any:
    value = typed.value
    # Jackson quotes non-finite numbers ("NaN"); JSON has no other way to carry them.
    return value if math.isfinite(value) else java_double(value)


def _write_object(typed: TypedValue, deserialize: bool) -> Any:
    if deserialize:
        return python_value(typed)
    return typed.value


_WRITERS: dict[str, Callable[[TypedValue, bool], Any]] = {
    "Date": lambda typed, _: format_date(typed.value),
    "Bytes": lambda typed, _: base64.b64encode(typed.value).decode("ascii"),
    "File": lambda typed, _: None,
    "Double": _write_double,
    "Object": _write_object,
}


def python_value(typed: TypedValue) -> Any:
    """The value as expressions and scripts should see it.

    A JSON-serialized Object is parsed (as Camunda deserializes it for `${order.total}`);
    everything else is `typed.value` (Json stays text: wrap it where Spin-like access is needed).
    A JSON Object whose text does not parse is returned as that text.
    """
    info = typed.value_info
    if (
        typed.type == "Object"
        and typed.value is not None
        and info is not None
        and info.get("serializationDataFormat") == JSON_FORMAT
    ):
        try:
            return orjson.loads(typed.value)
        except orjson.JSONDecodeError:
            return typed.value
    return typed.value
