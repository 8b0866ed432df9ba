"""Literals, templates and the literal-text rules."""

from __future__ import annotations

import math

import pytest

from bpmnflow.expr import ExpressionError, compile_expression

from .helpers import ev


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${true}", True),
        ("${false}", False),
        ("${null}", None),
        ("${42}", 42),
        ("${0}", 0),
        ("${123456789012345678901234567890}", 123456789012345678901234567890),
        ("${4.5}", 4.5),
        ("${1e3}", 1000.0),
        ("${1E+3}", 1000.0),
        ("${2.5e-3}", 0.0025),
        ("${.5}", 0.5),
        ("${1.}", 1.0),
        ("${'single'}", "single"),
        ('${"double"}', "double"),
        ("${''}", ""),
        ("${'it\\'s'}", "it's"),
        ('${"say \\"hi\\""}', 'say "hi"'),
        ("${'back\\\\slash'}", "back\\slash"),
        ('${"it\'s"}', "it's"),
        ("${'say \"hi\"'}", 'say "hi"'),
        ("${'}'}", "}"),
        ("${'${x}'}", "${x}"),
    ],
)
def test_literal_values(text, expected):
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


def test_float_literal_types_stay_float():
    assert type(ev("${1e3}")) is float
    assert type(ev("${10}")) is int


def test_incomplete_exponent_is_not_part_of_the_number():
    # JUEL reads "1e" as the integer 1 followed by the identifier e.
    with pytest.raises(ExpressionError):
        compile_expression("${1e}")


@pytest.mark.parametrize("text", ["${'\\n'}", "${'\\\"'}", '${"\\\'"}', "${'a\\"])
def test_only_backslash_and_own_quote_escape_in_strings(text):
    with pytest.raises(ExpressionError):
        compile_expression(text)


def test_whitespace_is_insignificant_inside_evals():
    assert ev("${  1\t+\n2  }") == 3


class TestTemplates:
    def test_plain_text_is_a_literal(self):
        expr = compile_expression("just text")
        assert expr.is_literal
        assert expr.evaluate(lambda name: 1 / 0) == "just text"

    def test_empty_text_is_a_literal(self):
        expr = compile_expression("")
        assert expr.is_literal
        assert expr.evaluate({}.__getitem__) == ""

    def test_single_eval_is_not_literal_and_returns_raw_value(self):
        expr = compile_expression("${amount}")
        assert not expr.is_literal
        assert expr.evaluate({"amount": [1, 2]}.__getitem__) == [1, 2]

    def test_deferred_form_behaves_like_immediate(self):
        assert ev("#{amount > 1000}", amount=2000) is True
        assert ev("#{a} and ${b}", a=1, b=2) == "1 and 2"

    def test_composite_concatenates_string_forms(self):
        text = "Hello ${name}, you owe ${amount}"
        assert ev(text, name="Ann", amount=12) == "Hello Ann, you owe 12"
        assert ev(text, name="Ann", amount=12.5) == "Hello Ann, you owe 12.5"

    def test_adjacent_evals_join_as_string(self):
        assert ev("${a}${b}", a=1, b=2) == "12"

    def test_surrounding_whitespace_makes_a_template(self):
        assert ev(" ${a}", a=1) == " 1"

    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            (None, ""),
            (True, "true"),
            (False, "false"),
            (3, "3"),
            (3.0, "3.0"),
            (1e20, "1.0E20"),
            (0.0001, "1.0E-4"),
            ([1, "a", None], "[1, a, null]"),
            ({"a": 1, "b": [True]}, "{a=1, b=[true]}"),
        ],
    )
    def test_parts_are_coerced_like_el_strings(self, value, shown):
        assert ev("<${v}>", v=value) == f"<{shown}>"

    def test_backslash_escapes_an_eval(self):
        expr = compile_expression("cost: \\${amount}")
        assert expr.is_literal
        assert expr.evaluate({}.__getitem__) == "cost: ${amount}"
        assert ev("\\#{x} ${y}", y=1) == "#{x} 1"

    def test_double_backslash_keeps_one_backslash_and_still_escapes(self):
        # JUEL drops exactly one backslash before ${ and keeps the rest.
        assert ev("\\\\${x}") == "\\${x}"

    def test_backslashes_elsewhere_are_kept(self):
        assert ev("C:\\temp\\${x}\\", x=1) == "C:\\temp${x}\\"
        assert ev("a\\b ${x}", x=1) == "a\\b 1"

    def test_dollar_without_brace_is_text(self):
        assert ev("$5 and #tag ${x}", x=1) == "$5 and #tag 1"

    def test_unclosed_eval_is_a_syntax_error(self):
        with pytest.raises(ExpressionError):
            compile_expression("Hello ${name")


def test_compile_is_cached_by_text():
    assert compile_expression("${a + 1}") is compile_expression("${a + 1}")


def test_text_attribute_is_the_source():
    assert compile_expression("x ${a} y").text == "x ${a} y"


def test_non_string_text_is_a_type_error():
    with pytest.raises(TypeError):
        compile_expression(None)  # type: ignore[arg-type]


def test_float_results_keep_java_division_semantics():
    assert math.isinf(ev("${1 / 0}"))
