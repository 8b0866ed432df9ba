"""Round trips for every type: REST → TypedValue → columns (through SQLite) → TypedValue → REST."""

import base64
import math
import sqlite3
from datetime import UTC, datetime

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpmnflow.variables import TypedValue, from_columns, from_rest, to_columns, to_rest
from bpmnflow.variables.dates import truncate_ms

# ----------------------------------------------------------------------------- strategies

# The first text strategy of a fresh run builds Hypothesis' Unicode tables (about a second).
relaxed = settings(suppress_health_check=[HealthCheck.too_slow])

texts = st.text(max_size=40)
dates = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
).map(truncate_ms)


def ints(bits):
    return st.integers(min_value=-(1 << (bits - 1)), max_value=(1 << (bits - 1)) - 1)


PRIMITIVE_VALUES = {
    "String": texts,
    "Integer": ints(32),
    "Long": ints(64),
    "Short": ints(16),
    "Double": st.floats(),
    "Boolean": st.booleans(),
    "Date": dates,
    "Json": texts,
    "Xml": texts,
    "Bytes": st.binary(max_size=40),
}

transient = st.sampled_from([{}, {"transient": True}])


@st.composite
def primitive_values(draw):
    name = draw(st.sampled_from(sorted(PRIMITIVE_VALUES)))
    value = draw(st.none() | PRIMITIVE_VALUES[name])
    return TypedValue(name, value, draw(transient))


@st.composite
def object_values(draw):
    value = draw(st.none() | texts)
    info = {
        "serializationDataFormat": draw(st.sampled_from(["application/json", "application/xml"]))
    }
    if value is not None or draw(st.booleans()):
        info["objectTypeName"] = draw(st.text(min_size=1, max_size=20))
    return TypedValue("Object", value, {**info, **draw(transient)})


@st.composite
def file_values(draw):
    info = {"filename": draw(texts)}
    for key in ("mimeType", "encoding"):
        if draw(st.booleans()):
            info[key] = draw(texts)
    return TypedValue("File", draw(st.binary(max_size=40)), {**info, **draw(transient)})


typed_values = (
    primitive_values()
    | object_values()
    | file_values()
    | transient.map(lambda info: TypedValue("Null", None, info))
)


def same(left: TypedValue, right: TypedValue) -> bool:
    """Equality that also holds for NaN and tells -0.0 from 0.0."""
    if isinstance(left.value, float) and isinstance(right.value, float):
        values_match = repr(left.value) == repr(right.value)
    else:
        values_match = left.value == right.value and type(left.value) is type(right.value)
    return left.type == right.type and values_match and left.value_info == right.value_info


# ----------------------------------------------------------------------------- database


@pytest.fixture(scope="module")
def db():
    connection = sqlite3.connect(":memory:")
    connection.execute(
        "CREATE TABLE var (id INTEGER PRIMARY KEY, var_type TEXT, text_value TEXT,"
        " long_value BIGINT, double_value DOUBLE, bytes_value BLOB, value_info TEXT)"
    )
    yield connection
    connection.close()


def through_sqlite(db, typed: TypedValue) -> TypedValue:
    cursor = db.execute(
        "INSERT INTO var (var_type, text_value, long_value, double_value, bytes_value,"
        " value_info) VALUES (?, ?, ?, ?, ?, ?)",
        to_columns(typed),
    )
    row = db.execute(
        "SELECT var_type, text_value, long_value, double_value, bytes_value, value_info"
        " FROM var WHERE id = ?",
        (cursor.lastrowid,),
    ).fetchone()
    return from_columns(*row)


def over_the_wire(typed: TypedValue, deserialize: bool = False) -> dict:
    return orjson.loads(orjson.dumps(to_rest(typed, deserialize)))


# ----------------------------------------------------------------------------- properties


@relaxed
@given(typed_values)
def test_columns_round_trip(typed):
    assert same(from_columns(*to_columns(typed)), typed)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(typed_values)
def test_columns_round_trip_through_sqlite(db, typed):
    assert same(through_sqlite(db, typed), typed)


@relaxed
@given(typed_values.filter(lambda typed: typed.type != "File"))
def test_rest_round_trip(typed):
    assert same(from_rest("v", over_the_wire(typed)), typed)


@relaxed
@given(file_values())
def test_file_rest_round_trip_with_content(typed):
    dto = {**over_the_wire(typed), "value": base64.b64encode(typed.value).decode()}
    assert same(from_rest("v", dto), typed)


@relaxed
@given(typed_values.filter(lambda typed: typed.type != "File"))
def test_full_chain(db, typed):
    dto = over_the_wire(typed)
    first = from_rest("v", dto)
    stored = through_sqlite(db, first)
    assert over_the_wire(stored) == over_the_wire(first)
    assert over_the_wire(stored, deserialize=True) == over_the_wire(first, deserialize=True)


json_values = st.recursive(
    st.none() | st.booleans() | ints(64) | texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5),
    max_leaves=20,
)


@relaxed
@given(json_values)
def test_untyped_json_comes_back_as_sent(value):
    typed = from_rest("v", {"value": value})
    assert over_the_wire(typed, deserialize=True)["value"] == value


# ----------------------------------------------------------------------------- every type


def test_every_type_once_through_sqlite(db):
    noon = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    examples = [
        {"type": "String", "value": "héllo"},
        {"type": "Integer", "value": -(2**31)},
        {"type": "Long", "value": 2**63 - 1},
        {"type": "Short", "value": 2**15 - 1},
        {"type": "Double", "value": 0.1},
        {"type": "Double", "value": "NaN"},
        {"type": "Double", "value": "-Infinity"},
        {"type": "Double", "value": -0.0},
        {"type": "Boolean", "value": False},
        {"type": "Date", "value": "2026-01-31T12:00:00.000+0000"},
        {"type": "Json", "value": '{"a": 1}'},
        {"type": "Xml", "value": "<a/>"},
        {
            "type": "Object",
            "value": '{"a": 1}',
            "valueInfo": {"objectTypeName": "a.B", "serializationDataFormat": "application/json"},
        },
        {"type": "Null", "value": None},
        {"type": "Bytes", "value": "AAE="},
        {
            "type": "File",
            "value": "aGk=",
            "valueInfo": {"filename": "hi.txt", "mimeType": "text/plain"},
        },
        {"type": "String", "value": None, "valueInfo": {"transient": True}},
    ]
    for dto in examples:
        first = from_rest("v", dto)
        stored = through_sqlite(db, first)
        assert same(stored, first), dto
        assert over_the_wire(stored) == over_the_wire(first)
    assert through_sqlite(db, TypedValue("Date", noon)).value == noon


def test_columns_layout_for_filters():
    noon = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)
    assert to_columns(TypedValue("Integer", 5)) == ("Integer", "5", 5, 5.0, None, None)
    assert to_columns(TypedValue("Double", 2.5)) == ("Double", "2.5", None, 2.5, None, None)
    assert to_columns(TypedValue("Boolean", True)) == ("Boolean", "true", 1, None, None, None)
    assert to_columns(TypedValue("Date", noon)) == (
        "Date",
        "2026-01-31T12:00:00.000+0000",
        1769860800000,
        None,
        None,
        None,
    )
    assert to_columns(TypedValue("Bytes", b"x")) == ("Bytes", None, None, None, b"x", None)
    assert to_columns(TypedValue("String", None, {"transient": True})) == (
        "String",
        None,
        None,
        None,
        None,
        '{"transient":true}',
    )


def test_double_survives_what_sqlite_does_to_nan_and_negative_zero(db):
    for value in (math.nan, -0.0, math.inf):
        assert same(through_sqlite(db, TypedValue("Double", value)), TypedValue("Double", value))


def test_from_columns_accepts_memoryview_from_postgres():
    typed = from_columns("Bytes", None, None, None, memoryview(b"ab"), None)
    assert typed.value == b"ab"


def test_unknown_stored_type():
    with pytest.raises(ValueError, match="Unknown stored variable type 'Weird'"):
        from_columns("Weird", None, None, None, None, None)
    with pytest.raises(ValueError, match="Unsupported value type 'Weird'"):
        to_columns(TypedValue("Weird", 1))
