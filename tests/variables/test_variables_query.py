"""Variable filters: Camunda's operand rules, run as SQL against stored columns in SQLite."""

import sqlite3
from datetime import UTC, datetime

import pytest

from bpmnflow.variables import (
    TypedValue,
    ValueCondition,
    VariableTypeError,
    parse_filter_param,
    query_operand,
    to_columns,
)

NOON = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)

VARIABLES = {
    "text": TypedValue("String", "abc"),
    "upper": TypedValue("String", "ABC"),
    "five_text": TypedValue("String", "5"),
    "null_text": TypedValue("String", None),
    "int": TypedValue("Integer", 5),
    "long": TypedValue("Long", 5),
    "short": TypedValue("Short", 5),
    "big": TypedValue("Long", 2**40),
    "double": TypedValue("Double", 5.0),
    "half": TypedValue("Double", 5.5),
    "yes": TypedValue("Boolean", True),
    "no": TypedValue("Boolean", False),
    "date": TypedValue("Date", NOON),
    "null": TypedValue("Null", None),
    "json": TypedValue("Json", '{"a": 1}'),
    "bytes": TypedValue("Bytes", b"5"),
}

SQL_OPERATORS = {"eq": "=", "neq": "<>", "gt": ">", "gteq": ">=", "lt": "<", "lteq": "<="}
VALUE_COLUMNS = ("text_value", "long_value", "double_value", "bytes_value")


@pytest.fixture(scope="module")
def db():
    connection = sqlite3.connect(":memory:")
    # SQLite's LIKE ignores ASCII case by default; Camunda's (PostgreSQL, H2) does not.
    connection.execute("PRAGMA case_sensitive_like = ON")
    connection.execute(
        "CREATE TABLE var (name TEXT, var_type TEXT, text_value TEXT, long_value BIGINT,"
        " double_value DOUBLE, bytes_value BLOB, value_info TEXT)"
    )
    connection.executemany(
        "INSERT INTO var VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(name, *to_columns(typed)) for name, typed in VARIABLES.items()],
    )
    yield connection
    connection.close()


def render(conditions: tuple[ValueCondition, ...], operator: str) -> tuple[str, list]:
    """What the query layer does with the conditions (one way to write it)."""
    parts, params = [], []
    for condition in conditions:
        if condition.column is None:
            all_null = " AND ".join(f"{column} IS NULL" for column in VALUE_COLUMNS)
            parts.append(f"NOT ({all_null})" if operator == "neq" else f"({all_null})")
            continue
        column = f"LOWER({condition.column})" if condition.lower else condition.column
        compare = "LIKE ? ESCAPE '\\'" if operator == "like" else f"{SQL_OPERATORS[operator]} ?"
        types = ", ".join("?" * len(condition.var_types))
        parts.append(f"(var_type IN ({types}) AND {column} {compare})")
        params += [*condition.var_types, condition.value]
    return " OR ".join(parts), params


def matching(db, operand, operator, **options) -> set[str]:
    where, params = render(query_operand(operand, operator, **options), operator)
    return {name for (name,) in db.execute(f"SELECT name FROM var WHERE {where}", params)}


# ------------------------------------------------------------------------------ numbers


def test_number_matches_every_numeric_type_holding_it(db):
    assert matching(db, 5, "eq") == {"int", "long", "short", "double"}
    assert matching(db, 5.0, "eq") == {"int", "long", "short", "double"}


def test_fractional_number_only_matches_doubles(db):
    assert matching(db, 5.5, "eq") == {"half"}
    assert matching(db, 5.2, "gt") == {"half"}


def test_number_ordering(db):
    assert matching(db, 5, "gt") == {"half", "big"}
    assert matching(db, 5, "gteq") == {"int", "long", "short", "double", "half", "big"}
    assert matching(db, 5, "lt") == set()
    assert matching(db, 5, "neq") == {"half", "big"}


def test_number_conditions_leave_out_types_too_small():
    conditions = query_operand(40000, "eq")
    assert conditions == (
        ValueCondition(("Integer", "Long"), "long_value", 40000),
        ValueCondition(("Double",), "double_value", 40000.0),
    )
    assert query_operand(2**40, "eq")[0].var_types == ("Long",)
    assert query_operand(2**70, "eq") == (ValueCondition(("Double",), "double_value", 2.0**70),)
    assert query_operand(10**400, "eq") == ()


# ------------------------------------------------------------------------------ strings


def test_url_strings_compare_as_text_even_when_numeric(db):
    # Camunda: GET ...?variables=x_eq_5 finds String "5", not Integer 5.
    assert matching(db, "5", "eq") == {"five_text"}


def test_typed_strings_leniency_also_tries_numbers_and_booleans(db):
    assert matching(db, "5", "eq", typed_strings=True) == {
        "five_text",
        "int",
        "long",
        "short",
        "double",
    }
    assert matching(db, "true", "eq", typed_strings=True) == {"yes"}
    assert matching(db, "abc", "eq", typed_strings=True) == {"text"}


def test_string_comparisons(db):
    assert matching(db, "abc", "eq") == {"text"}
    assert matching(db, "abc", "neq") == {"upper", "five_text"}
    assert matching(db, "abc", "eq", values_ignore_case=True) == {"text", "upper"}


def test_like(db):
    assert matching(db, "a%", "like") == {"text"}
    assert matching(db, "%B%", "like", values_ignore_case=True) == {"text", "upper"}
    # like compares the operand's text, whatever its kind (String.valueOf in Camunda)
    assert query_operand(5, "like") == (ValueCondition(("String",), "text_value", "5"),)
    assert query_operand(None, "like") == (ValueCondition(("String",), "text_value", "null"),)
    assert query_operand(True, "like")[0].value == "true"


# ------------------------------------------------------------------------------ dates


@pytest.mark.parametrize(
    "operand",
    [
        "2026-01-31T12:00:00.000+0000",
        "2026-01-31T13:00:00.000+0100",
        "2026-01-31T12:00:00.000Z",
        "2026-01-31T13:00:00.000 0100",
        NOON,
    ],
)
def test_date_strings_compare_as_dates(db, operand):
    assert matching(db, operand, "eq") == {"date"}


def test_date_ordering(db):
    assert matching(db, "2026-01-01T00:00:00.000+0000", "gt") == {"date"}
    assert matching(db, "2026-01-01T00:00:00.000+0000", "lt") == set()


def test_short_date_text_is_just_text():
    assert query_operand("2026-01-31", "eq")[0].var_types == ("String",)
    assert query_operand("2026-01-31T12:00:00.000", "eq")[0].var_types == ("String",)


# ------------------------------------------------------------------------------ booleans, null


def test_booleans(db):
    assert matching(db, True, "eq") == {"yes"}
    assert matching(db, True, "neq") == {"no"}


def test_null_matches_any_type_without_a_value(db):
    assert matching(db, None, "eq") == {"null", "null_text"}
    assert matching(db, None, "neq") == set(VARIABLES) - {"null", "null_text"}


@pytest.mark.parametrize(
    ("operator", "words"),
    [
        ("gt", "greater than"),
        ("gteq", "greater than or equal"),
        ("lt", "less than"),
        ("lteq", "less than or equal"),
    ],
)
@pytest.mark.parametrize("operand", [None, True, False])
def test_booleans_and_null_only_with_eq_and_neq(operand, operator, words):
    with pytest.raises(VariableTypeError) as caught:
        query_operand(operand, operator)
    assert str(caught.value) == f"Booleans and null cannot be used in '{words}' condition"


def test_unknown_operator():
    with pytest.raises(VariableTypeError) as caught:
        query_operand(1, "ge")
    assert str(caught.value) == "Invalid variable comparator specified: ge"


@pytest.mark.parametrize("operand", [{"a": 1}, [1]])
def test_objects_cannot_be_compared(operand):
    with pytest.raises(VariableTypeError, match="Object values cannot be used to query"):
        query_operand(operand, "eq")


# ------------------------------------------------------------------------------ raw values


def test_raw_values_keep_their_own_type(db):
    assert matching(db, 5, "eq", resolve=False) == {"int"}
    assert matching(db, 2**40, "eq", resolve=False) == {"big"}
    assert matching(db, 5.0, "eq", resolve=False) == {"double"}
    assert query_operand("2026-01-31T12:00:00.000+0000", "eq", resolve=False)[0].var_types == (
        "String",
    )


# ------------------------------------------------------------------------------ GET parameter


@pytest.mark.parametrize(
    ("param", "expected"),
    [
        ("a_eq_1", [("a", "eq", "1")]),
        ("a_eq_1,b_like_x%", [("a", "eq", "1"), ("b", "like", "x%")]),
        ("a_eq_1,", [("a", "eq", "1")]),
        ("a_eq_b_", [("a", "eq", "b")]),  # Java's split drops the trailing empty part
        ("_eq_1", [("", "eq", "1")]),
        ("when_gt_2026-01-31T12:00:00.000+0000", [("when", "gt", "2026-01-31T12:00:00.000+0000")]),
    ],
)
def test_parse_filter_param(param, expected):
    assert parse_filter_param(param) == expected


@pytest.mark.parametrize(
    "param", ["", "a", "a_eq", "a_eq_", "my_var_eq_1", "a_eq_1,,b_eq_2", "a_eq_x_y"]
)
def test_parse_filter_param_rejects_what_camunda_rejects(param):
    with pytest.raises(VariableTypeError) as caught:
        parse_filter_param(param)
    assert str(caught.value) == "variable query parameter has to have format KEY_OPERATOR_VALUE."
