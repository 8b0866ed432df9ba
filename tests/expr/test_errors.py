"""Syntax errors, error messages and limits."""

from __future__ import annotations

import pytest

from bpmnflow.expr import ExpressionError, UnknownPropertyError, compile_expression

from .helpers import ev


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("${a +}", 5),
        ("${}", 2),
        ("${a", 3),
        ("${'abc}", 2),
        ("${a b}", 4),
        ("${a..b}", 4),
        ("${1 = 2}", 4),
        ("${a & b}", 4),
        ("${a | b}", 4),
        ("${instanceof}", 2),
        ("${a instanceof b}", 4),
        ("${a.1}", 3),
        ("${a[1}", 5),
        ("${f(1,}", 6),
        ("${f(1 2)}", 6),
        ("${a ? b}", 7),
        ("${(a}", 4),
        ("${a)}", 3),
        ("${@}", 2),
        ("${a.empty}", 4),
        ("${a.true}", 4),
        ("text ${ok} and ${bad +}", 22),
    ],
)
def test_syntax_errors_name_text_and_position(text, position):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.expression == text
    assert error.position == position
    assert f"'{text}'" in str(error)
    assert f"position {position}" in str(error)


def test_syntax_error_message_shape():
    with pytest.raises(ExpressionError) as info:
        compile_expression("${a +}")
    assert str(info.value).startswith("Error parsing '${a +}': syntax error at position 5")


def test_unknown_identifier_message_matches_camunda():
    with pytest.raises(UnknownPropertyError) as info:
        ev("${x}")
    expected = "Unknown property used in expression: ${x}. Cause: Cannot resolve identifier 'x'"
    assert str(info.value) == expected
    assert isinstance(info.value, ExpressionError)


def test_unknown_identifier_in_template_names_whole_text():
    with pytest.raises(UnknownPropertyError) as info:
        ev("Dear ${customer.name}, hello")
    assert str(info.value) == (
        "Unknown property used in expression: Dear ${customer.name}, hello. "
        "Cause: Cannot resolve identifier 'customer'"
    )


def test_evaluation_error_names_the_expression():
    with pytest.raises(ExpressionError) as info:
        ev("${'a' + 1}")
    assert str(info.value) == (
        "Error while evaluating expression: ${'a' + 1}. Cause: Cannot coerce 'a' to a number"
    )
    assert info.value.expression == "${'a' + 1}"


def test_key_errors_inside_values_are_not_unknown_identifiers():
    def resolve(name):
        if name == "x":
            return {"a": 1}
        raise KeyError(name)

    assert compile_expression("${x.b}").evaluate(resolve) is None


def test_resolver_failures_are_wrapped():
    def resolve(name):
        raise RuntimeError("database is down")

    with pytest.raises(ExpressionError, match="database is down") as info:
        compile_expression("${x}").evaluate(resolve)
    assert isinstance(info.value.__cause__, RuntimeError)


@pytest.mark.parametrize(
    "text",
    [
        "${" + "(" * 500 + "1" + ")" * 500 + "}",
        "${" + "1 + " * 1000 + "1}",
        "${" + "-" * 1000 + "1}",
        "${" + "!" * 1000 + "true}",
        "${a" + ".b" * 1000 + "}",
        "${" + "f(" * 300 + ")" * 300 + "}",
        "${" + "a[" * 300 + "0" + "]" * 300 + "}",
        "${" + "true ? " * 300 + "1" + " : 2" * 300 + "}",
    ],
)
def test_deep_nesting_is_a_clean_error(text):
    with pytest.raises(ExpressionError):
        compile_expression(text)


def test_reasonable_nesting_is_fine():
    assert ev("${" + "(" * 30 + "1" + ")" * 30 + "}") == 1
    assert ev("${" + "1 + " * 100 + "1}") == 101
