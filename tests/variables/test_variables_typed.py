"""Reading and writing Camunda's REST variable form, and inferring types of plain values."""

import base64
import math
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum

import pytest

from bpmnflow.variables import (
    TYPE_NAMES,
    TypedValue,
    VariableTypeError,
    from_rest,
    infer,
    python_value,
    to_rest,
)

NOON = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
JSON_INFO = {"objectTypeName": "com.acme.Order", "serializationDataFormat": "application/json"}


def read(type_name, value, info=None):
    dto = {"type": type_name, "value": value}
    if info is not None:
        dto["valueInfo"] = info
    return from_rest("x", dto)


def rejected(type_name, value, info=None) -> VariableTypeError:
    with pytest.raises(VariableTypeError) as caught:
        read(type_name, value, info)
    assert isinstance(caught.value, ValueError)
    assert caught.value.variable_name == "x"
    return caught.value


def cannot_convert(value_text, type_name, java_type):
    return f"Cannot convert value '{value_text}' of type '{type_name}' to java type {java_type}"


# ------------------------------------------------------------------------------ type names


@pytest.mark.parametrize("name", TYPE_NAMES)
@pytest.mark.parametrize("spelling", [str, str.lower, str.upper, str.swapcase])
def test_type_names_in_any_case(name, spelling):
    samples = {
        "String": ("s", None),
        "Integer": (1, None),
        "Long": (1, None),
        "Short": (1, None),
        "Double": (1.5, None),
        "Boolean": (True, None),
        "Date": ("2026-01-31T12:00:00.000+0000", None),
        "Json": ("{}", None),
        "Xml": ("<a/>", None),
        "Object": ("{}", JSON_INFO),
        "Null": (None, None),
        "Bytes": ("AA==", None),
        "File": ("AA==", {"filename": "f"}),
    }
    value, info = samples[name]
    assert read(spelling(name), value, info).type == name


@pytest.mark.parametrize("name", ["foo", "", "Number", "Strin g", "Map"])
def test_unknown_type_is_unsupported(name):
    error = rejected(name, 1)
    assert str(error) == f"Unsupported value type '{name}'"
    assert error.status == 400
    assert error.exception_type == "InvalidRequestException"


def test_non_string_type_is_unsupported():
    assert str(rejected(5, 1)) == "Unsupported value type '5'"


def test_dto_must_be_an_object():
    with pytest.raises(VariableTypeError, match="expected a JSON object"):
        from_rest("x", 5)
    with pytest.raises(VariableTypeError, match="'valueInfo' must be a JSON object"):
        from_rest("x", {"type": "String", "value": "a", "valueInfo": "nope"})


# ------------------------------------------------------------------------------ untyped


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", TypedValue("String", "text")),
        ("2026-01-31T12:00:00.000+0000", TypedValue("String", "2026-01-31T12:00:00.000+0000")),
        (True, TypedValue("Boolean", True)),
        (5, TypedValue("Integer", 5)),
        (2**31, TypedValue("Long", 2**31)),
        (-(2**31), TypedValue("Integer", -(2**31))),
        (-(2**31) - 1, TypedValue("Long", -(2**31) - 1)),
        (5.0, TypedValue("Double", 5.0)),
        (None, TypedValue("Null", None)),
    ],
)
def test_missing_or_null_type_is_inferred(value, expected):
    assert from_rest("x", {"value": value}) == expected
    assert from_rest("x", {"value": value, "type": None}) == expected


def test_untyped_json_object_becomes_a_json_object_value():
    typed = from_rest("x", {"value": {"a": [1, 2], "b": None}})
    assert typed == TypedValue(
        "Object",
        '{"a":[1,2],"b":null}',
        {
            "objectTypeName": "java.util.LinkedHashMap",
            "serializationDataFormat": "application/json",
        },
    )
    assert to_rest(typed)["value"] == {"a": [1, 2], "b": None}


def test_untyped_array_becomes_an_array_list():
    typed = from_rest("x", {"value": [1, "a"]})
    assert typed.value_info["objectTypeName"] == "java.util.ArrayList"
    assert python_value(typed) == [1, "a"]


def test_untyped_transient_only_when_a_real_boolean():
    assert from_rest("x", {"value": 1, "valueInfo": {"transient": True}}).transient
    assert not from_rest("x", {"value": 1, "valueInfo": {"transient": "true"}}).transient
    assert from_rest("x", {"value": 1, "valueInfo": {"transient": False}}).value_info is None


# ------------------------------------------------------------------------------ String


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", ""),
        (" a ", " a "),
        (5, "5"),
        (-5, "-5"),
        (1.0, "1.0"),
        (1e20, "1.0E20"),
        (0.0001, "1.0E-4"),
        (True, "true"),
        (None, None),
    ],
)
def test_string_takes_scalars_as_java_prints_them(value, expected):
    assert read("String", value) == TypedValue("String", expected)


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2]])
def test_string_refuses_objects_and_arrays(value):
    assert str(rejected("String", value)).startswith("Cannot convert value ")


# ------------------------------------------------------------------------------ integers


@pytest.mark.parametrize(
    ("type_name", "low", "high", "java_type"),
    [
        ("Integer", -(2**31), 2**31 - 1, "java.lang.Integer"),
        ("Short", -(2**15), 2**15 - 1, "java.lang.Short"),
        ("Long", -(2**63), 2**63 - 1, "java.lang.Long"),
    ],
)
def test_integer_ranges(type_name, low, high, java_type):
    assert read(type_name, low).value == low
    assert read(type_name, high).value == high
    assert read(type_name, str(high)).value == high
    assert str(rejected(type_name, high + 1)) == cannot_convert(high + 1, type_name, java_type)
    assert str(rejected(type_name, low - 1)) == cannot_convert(low - 1, type_name, java_type)
    assert str(rejected(type_name, str(high + 1))) == cannot_convert(high + 1, type_name, java_type)


@pytest.mark.parametrize(
    ("value", "expected"), [("42", 42), (" 42 ", 42), ("+42", 42), ("-7", -7), ("007", 7)]
)
def test_integer_accepts_digit_strings_as_jackson_does(value, expected):
    assert read("Integer", value).value == expected


@pytest.mark.parametrize("value", ["", "null", "  "])
def test_integer_empty_or_null_text_is_a_null_integer(value):
    assert read("Integer", value) == TypedValue("Integer", None)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (5.0, "5.0"),
        (5.5, "5.5"),
        ("5.5", "5.5"),
        ("1e3", "1e3"),
        ("abc", "abc"),
        ("1_000", "1_000"),
        ("٣", "٣"),
        (True, "true"),
        ({"a": 1}, "{a=1}"),
        ([1], "[1]"),
    ],
)
def test_integer_refuses_everything_else(value, shown):
    assert str(rejected("Integer", value)) == cannot_convert(shown, "Integer", "java.lang.Integer")


def test_error_message_quotes_the_type_as_sent():
    assert str(rejected("integer", "x")) == cannot_convert("x", "integer", "java.lang.Integer")


# ------------------------------------------------------------------------------ Double


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1.5, 1.5), (5, 5.0), ("5", 5.0), (" 2.5e3 ", 2500.0), ("1.5d", 1.5), (".5", 0.5)],
)
def test_double_accepts_numbers_and_number_text(value, expected):
    typed = read("Double", value)
    assert typed.value == expected
    assert type(typed.value) is float


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_double_non_finite_travel_as_jacksons_quoted_text(text):
    typed = read("Double", text)
    assert not math.isfinite(typed.value)
    assert to_rest(typed)["value"] == text


@pytest.mark.parametrize(("value", "shown"), [(True, "true"), ("abc", "abc"), ("1,5", "1,5")])
def test_double_refuses_non_numbers(value, shown):
    assert str(rejected("Double", value)) == cannot_convert(shown, "Double", "java.lang.Double")


# ------------------------------------------------------------------------------ Boolean


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FALSE", False),
        (" true ", True),
        ("", None),
        (None, None),
    ],
)
def test_boolean_accepts_jacksons_spellings(value, expected):
    assert read("Boolean", value).value is expected


@pytest.mark.parametrize(("value", "shown"), [(1, "1"), (0, "0"), ("yes", "yes"), ("tRue", "tRue")])
def test_boolean_refuses_others(value, shown):
    assert str(rejected("Boolean", value)) == cannot_convert(shown, "Boolean", "java.lang.Boolean")


# ------------------------------------------------------------------------------ Date


def test_date_reads_camunda_format_into_utc():
    typed = read("Date", "2026-01-31T13:00:00.000+0100")
    assert typed == TypedValue("Date", NOON)
    assert typed.value.tzinfo is UTC
    assert to_rest(typed) == {
        "type": "Date",
        "value": "2026-01-31T12:00:00.000+0000",
        "valueInfo": {},
    }


def test_date_is_cut_to_milliseconds():
    assert read("Date", "2026-01-31T12:00:00.123456+0000").value.microsecond == 123000


@pytest.mark.parametrize(
    ("value", "shown"), [("tomorrow", "tomorrow"), (1769860800000, "1769860800000")]
)
def test_date_refuses_other_text_and_epoch_numbers(value, shown):
    assert str(rejected("Date", value)) == cannot_convert(shown, "Date", "java.util.Date")


# ------------------------------------------------------------------------------ Bytes, Null


def test_bytes_are_base64_both_ways():
    typed = read("Bytes", base64.b64encode(b"\x00\xffhello").decode())
    assert typed == TypedValue("Bytes", b"\x00\xffhello")
    assert to_rest(typed)["value"] == "AP9oZWxsbw=="


def test_bytes_accept_missing_padding_and_whitespace():
    assert read("Bytes", "aGVs\nbG8").value == b"hello"
    assert read("Bytes", "").value == b""


def test_bytes_refuse_non_base64():
    assert str(rejected("Bytes", "***")) == cannot_convert("***", "Bytes", "[B")


def test_null_type():
    assert read("Null", None) == TypedValue("Null", None)
    assert to_rest(read("Null", None)) == {"type": "Null", "value": None, "valueInfo": {}}
    assert str(rejected("Null", "x")) == cannot_convert(
        "x", "Null", "javax.lang.model.type.NullType"
    )


# ------------------------------------------------------------------------------ Json, Xml


@pytest.mark.parametrize("type_name", ["Json", "Xml"])
def test_serialized_text_types_keep_text(type_name):
    typed = read(type_name, "whatever is sent")
    assert typed == TypedValue(type_name, "whatever is sent")
    assert to_rest(typed) == {"type": type_name, "value": "whatever is sent", "valueInfo": {}}
    assert read(type_name, None).value is None


@pytest.mark.parametrize("type_name", ["Json", "Xml", "Object"])
@pytest.mark.parametrize("value", [{"a": 1}, [1], 5, True])
def test_serialized_types_require_a_string(type_name, value):
    assert str(rejected(type_name, value, JSON_INFO)) == (
        f"Must provide 'null' or String value for value of SerializableValue type '{type_name}'."
    )


# ------------------------------------------------------------------------------ Object


def test_object_json_serialized_and_deserialized():
    typed = read("Object", '{"total": 5}', JSON_INFO)
    assert typed == TypedValue("Object", '{"total": 5}', JSON_INFO)
    assert to_rest(typed, deserialize=False) == {
        "type": "Object",
        "value": '{"total": 5}',
        "valueInfo": JSON_INFO,
    }
    assert to_rest(typed)["value"] == {"total": 5}
    assert python_value(typed) == {"total": 5}


def test_object_xml_stays_text_even_deserialized():
    info = {"objectTypeName": "com.acme.Order", "serializationDataFormat": "application/xml"}
    typed = read("Object", "<order/>", info)
    assert to_rest(typed)["value"] == "<order/>"


def test_object_json_that_does_not_parse_is_returned_as_text():
    typed = read("Object", "{not json", JSON_INFO)
    assert to_rest(typed)["value"] == "{not json"


def test_object_drops_unknown_value_info_keys():
    typed = read("Object", "{}", {**JSON_INFO, "extra": 1})
    assert typed.value_info == JSON_INFO


def test_object_null_value_needs_no_type_name():
    info = {"serializationDataFormat": "application/json"}
    assert read("Object", None, info) == TypedValue("Object", None, info)


@pytest.mark.parametrize(
    "info",
    [
        None,
        {},
        {"objectTypeName": "a.B"},
        {"serializationDataFormat": "application/x-java-serialized-object"},
    ],
)
def test_object_java_serialization_is_prohibited(info):
    error = rejected("Object", "rO0AB", info)
    assert str(error) == (
        "ENGINE-17007 Cannot set variable with name x. Java serialization format is prohibited"
    )
    assert error.engine_error
    assert error.status == 500


def test_object_unknown_format_has_no_serializer():
    error = rejected(
        "Object", "abc", {"objectTypeName": "a.B", "serializationDataFormat": "text/csv"}
    )
    assert str(error) == (
        "Cannot find serializer for value 'ObjectValue [value=null, isDeserialized=false,"
        " serializationDataFormat=text/csv, objectTypeName=a.B, serializedValue=3 chars,"
        " isTransient=false]'."
    )
    assert error.engine_error


def test_object_non_null_needs_type_name():
    error = rejected("Object", "{}", {"serializationDataFormat": "application/json"})
    assert str(error) == (
        "Cannot write serialized value for variable 'x': no 'objectTypeName' provided for"
        " non-null value."
    )


def test_object_value_info_entries_must_be_strings():
    with pytest.raises(VariableTypeError, match="objectTypeName must be a string"):
        read("Object", "{}", {"objectTypeName": 5, "serializationDataFormat": "application/json"})


# ------------------------------------------------------------------------------ File


def test_file_content_is_not_sent_back():
    info = {"filename": "a.txt", "mimeType": "text/plain", "encoding": "UTF-8"}
    typed = read("File", base64.b64encode(b"hello").decode(), info)
    assert typed == TypedValue("File", b"hello", info)
    assert to_rest(typed) == {"type": "File", "value": None, "valueInfo": info}


def test_file_from_multipart_bytes():
    assert read("File", b"raw", {"filename": "a.bin"}).value == b"raw"


def test_file_base64_is_read_leniently():
    assert read("File", "aGVs bG8", {"filename": "f"}).value == b"hello"
    assert read("File", "-_8", {"filename": "f"}).value == base64.urlsafe_b64decode("-_8=")


@pytest.mark.parametrize(
    ("value", "info", "message"),
    [
        ("AA==", None, "Cannot create file without valueInfo."),
        (
            "AA==",
            {"mimeType": "text/plain"},
            "Cannot create file without filename! Please set a name into ValueInfo with key"
            " filename",
        ),
        (None, {"filename": "f"}, "Provided value is not of File, InputStream or byte[] type."),
        (5, {"filename": "f"}, "Provided value is not of File, InputStream or byte[] type."),
        (
            "AA==",
            {"filename": "f", "mimeType": None},
            "The provided mime type is null. Set a non-null value info property with key"
            " 'filename'",
        ),
        (
            "AA==",
            {"filename": "f", "encoding": None},
            "The provided encoding is null. Set a non-null value info property with key 'encoding'",
        ),
    ],
)
def test_file_validation(value, info, message):
    assert str(rejected("File", value, info)) == message


# ------------------------------------------------------------------------------ transient


def test_transient_flag_is_kept_only_when_true():
    assert read("String", "a", {"transient": True}).value_info == {"transient": True}
    assert read("String", "a", {"transient": False}).value_info is None
    assert to_rest(read("Boolean", True, {"transient": True}))["valueInfo"] == {"transient": True}


def test_transient_must_be_boolean():
    assert str(rejected("String", "a", {"transient": "yes"})) == cannot_convert(
        "a", "String", "java.lang.String"
    )
    assert str(rejected("Json", "{}", {"transient": 1})) == (
        "The property 'transient' should have a value of type 'boolean'."
    )


def test_value_info_of_primitives_is_dropped():
    assert read("String", "a", {"objectTypeName": "x"}).value_info is None


# ------------------------------------------------------------------------------ to_rest


def test_to_rest_shape_and_order():
    out = to_rest(TypedValue("String", "a"))
    assert list(out) == ["type", "value", "valueInfo"]
    assert out == {"type": "String", "value": "a", "valueInfo": {}}


def test_to_rest_copies_value_info():
    typed = TypedValue("Object", "{}", dict(JSON_INFO))
    to_rest(typed)["valueInfo"]["objectTypeName"] = "changed"
    assert typed.value_info == JSON_INFO


def test_to_rest_null_values_of_any_type():
    for name in TYPE_NAMES:
        assert to_rest(TypedValue(name, None))["value"] is None


# ------------------------------------------------------------------------------ infer


class Colour(Enum):
    RED = "red"


class Level(IntEnum):
    HIGH = 3


class Kind(str, Enum):  # noqa: UP042 - the mixin kind, whose str() is "Kind.A"
    A = "a"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, TypedValue("Boolean", True)),
        (7, TypedValue("Integer", 7)),
        (2**40, TypedValue("Long", 2**40)),
        (1.25, TypedValue("Double", 1.25)),
        ("s", TypedValue("String", "s")),
        (None, TypedValue("Null", None)),
        (b"\x01", TypedValue("Bytes", b"\x01")),
        (bytearray(b"\x01"), TypedValue("Bytes", b"\x01")),
        (NOON, TypedValue("Date", NOON)),
        (datetime(2026, 1, 31, 12, 0), TypedValue("Date", NOON)),
        (
            datetime(2026, 1, 31, 13, 0, 0, 999, tzinfo=timezone(timedelta(hours=1))),
            TypedValue("Date", NOON),
        ),
        (Level.HIGH, TypedValue("Integer", 3)),
        (Kind.A, TypedValue("String", "a")),
    ],
)
def test_infer(value, expected):
    assert infer(value) == expected


def test_infer_keeps_typed_values():
    typed = TypedValue("Short", 3)
    assert infer(typed) is typed


def test_infer_containers_as_json_objects():
    typed = infer({"when": NOON, "items": (1, 2), "price": Decimal("1.5")})
    assert typed.type == "Object"
    assert python_value(typed) == {
        "when": "2026-01-31T12:00:00.000+0000",
        "items": [1, 2],
        "price": 1.5,
    }


def test_infer_huge_numbers_as_java_math_objects():
    typed = infer(2**70)
    assert typed.value_info["objectTypeName"] == "java.math.BigInteger"
    assert typed.value == str(2**70)
    # Parsed for expressions and `deserializeValues` as a double: JSON encoders stop at 64 bits.
    assert python_value(typed) == float(2**70)
    assert infer(Decimal("1.25")).value_info["objectTypeName"] == "java.math.BigDecimal"


@pytest.mark.parametrize("value", [object(), Colour.RED, {1, 2}, Decimal("NaN"), {"a": object()}])
def test_infer_refuses_what_it_cannot_store(value):
    with pytest.raises(VariableTypeError):
        infer(value)
