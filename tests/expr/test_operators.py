"""Operators, coercions and precedence, following EL 2.2 as JUEL implements it."""

from __future__ import annotations

import datetime
import enum
import math

import pytest

from bpmnflow.expr import ExpressionError, UnknownPropertyError
from bpmnflow.javatypes import JavaLong

from .helpers import ev


def _kind(value):
    """Python type, with expression arithmetic's JavaLong counted as int (it is one)."""
    return int if type(value) is JavaLong else type(value)


def same(result, expected):
    """Equal in value and in Python type (so 3 and 3.0 differ)."""
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(result, float) and math.isnan(result)
    return result == expected and _kind(result) is _kind(expected)


class TestArithmetic:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${1 + 2}", 3),
            ("${5 - 7}", -2),
            ("${6 * 7}", 42),
            ("${1 + 2.0}", 3.0),
            ("${2 * 3.5}", 7.0),
            ("${'1' + 2}", 3),
            ("${'1.5' + 1}", 2.5),
            ("${'1e1' + 1}", 11.0),
            ("${' 2.5 ' * 2}", 5.0),
            ("${null + null}", 0),
            ("${null + 1}", 1),
            ("${null * 1.5}", 0.0),
            ("${'' + 4}", 4),
            ("${10 / 4}", 2.5),
            ("${10 / 5}", 2.0),
            ("${10 div 5}", 2.0),
            ("${null / null}", 0),
            ("${null / 2}", 0.0),
            ("${10 % 3}", 1),
            ("${10 mod 3}", 1),
            ("${-10 % 3}", -1),
            ("${10 % -3}", 1),
            ("${10.5 % 3}", 1.5),
            ("${'10.5' % 3}", 1.5),
            ("${null % null}", 0),
            ("${-5}", -5),
            ("${-5.5}", -5.5),
            ("${-'5'}", -5),
            ("${-'5.5'}", -5.5),
            ("${-null}", 0),
            ("${- -3}", 3),
            ("${9999999999 * 9999999999}", 99999999980000000001),
        ],
    )
    def test_values(self, text, expected):
        assert same(ev(text), expected)

    def test_division_by_zero_follows_doubles(self):
        assert ev("${1 / 0}") == math.inf
        assert ev("${-1 / 0}") == -math.inf
        assert ev("${1 / -0.0}") == -math.inf
        assert math.isnan(ev("${0 / 0}"))
        assert math.isnan(ev("${1.0 % 0}"))

    def test_integer_remainder_by_zero_is_an_error(self):
        with pytest.raises(ExpressionError, match=r"\$\{10 % 0\}"):
            ev("${10 % 0}")

    @pytest.mark.parametrize(
        "text",
        ["${'a' + 1}", "${true + 1}", "${1 - false}", "${'1x' * 2}", "${-true}", "${l + 1}"],
    )
    def test_non_numbers_fail_to_coerce(self, text):
        with pytest.raises(ExpressionError) as info:
            ev(text, l=[1])
        assert "Error while evaluating expression" in str(info.value)
        assert text in str(info.value)

    def test_plus_never_concatenates_strings(self):
        with pytest.raises(ExpressionError, match="Cannot coerce 'a' to a number"):
            ev("${'a' + 'b'}")
        assert ev("${'1' + '2'}") == 3

    def test_variables_take_part(self):
        assert ev("${amount * 2}", amount=21) == 42
        assert ev("${amount * 2}", amount=1.5) == 3.0


class TestRelational:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${1 < 2}", True),
            ("${2 lt 1}", False),
            ("${2 > 1}", True),
            ("${2 gt 2}", False),
            ("${2 <= 2}", True),
            ("${3 le 2}", False),
            ("${2 >= 3}", False),
            ("${3 ge 3}", True),
            ("${1.5 > 1}", True),
            ("${'10' < 9}", False),
            ("${'10' > 9.5}", True),
            ("${'a' < 'b'}", True),
            ("${'b' < 'a'}", False),
            ("${'abc' >= 'abc'}", True),
            ("${false < true}", True),
            ("${null < 1}", False),
            ("${1 > null}", False),
            ("${null <= 1}", False),
            ("${null <= null}", True),
            ("${null >= null}", True),
            ("${null < null}", False),
        ],
    )
    def test_values(self, text, expected):
        assert ev(text) is expected

    def test_string_against_number_coerces_the_string(self):
        assert ev("${amount > 1000}", amount="1500") is True

    @pytest.mark.parametrize("text", ["${'abc' < 1}", "${true < 1}", "${l < l2}", "${d < 1}"])
    def test_incomparable_values_fail(self, text):
        with pytest.raises(ExpressionError):
            ev(text, l=[1], l2=[2], d=datetime.date(2024, 1, 1))

    def test_dates_compare(self):
        early, late = datetime.date(2024, 1, 1), datetime.date(2024, 6, 1)
        assert ev("${a < b}", a=early, b=late) is True
        assert ev("${a >= b}", a=early, b=late) is False

    def test_nan_follows_juel_not_less_than_rule(self):
        # JUEL computes a >= b as !(a < b), so NaN >= 1 is true while NaN < 1 is false.
        assert ev("${x < 1}", x=math.nan) is False
        assert ev("${x >= 1}", x=math.nan) is True


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class TestEquality:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${1 == 1}", True),
            ("${1 eq 2}", False),
            ("${1 != 2}", True),
            ("${1 ne 1}", False),
            ("${1 == 1.0}", True),
            ("${'1' == 1}", True),
            ("${'1.0' == 1.0}", True),
            ("${true == 'true'}", True),
            ("${true == 'TRUE'}", True),
            ("${true == 'yes'}", False),
            ("${false == ''}", True),
            ("${null == null}", True),
            ("${null == 0}", False),
            ("${'' == null}", False),
            ("${'a' == 'a'}", True),
            ("${'a' != 'b'}", True),
            ("${'a' == \"a\"}", True),
            ("${0.0 == -0.0}", False),
        ],
    )
    def test_values(self, text, expected):
        assert ev(text) is expected

    def test_number_and_unparsable_string_is_an_error(self):
        with pytest.raises(ExpressionError, match="Cannot coerce 'abc' to a number"):
            ev("${1 == 'abc'}")

    def test_integer_against_fractional_string_is_an_error(self):
        # No side is a Double, so EL coerces both to Long, and '1.0' is not a Long.
        with pytest.raises(ExpressionError):
            ev("${1 == '1.0'}")

    def test_boolean_and_number_is_an_error(self):
        with pytest.raises(ExpressionError):
            ev("${true == 1}")

    def test_variables_compare_to_text(self):
        assert ev("${x == 'text'}", x="text") is True
        assert ev("${x == 'text'}", x="other") is False

    def test_collections_compare_by_value(self):
        assert ev("${a == b}", a=[1, 2], b=[1, 2]) is True
        assert ev("${a != b}", a={"k": 1}, b={"k": 2}) is True

    def test_enums_compare_to_their_names(self):
        assert ev("${c == 'RED'}", c=Color.RED) is True
        assert ev("${c == 'GREEN'}", c=Color.RED) is False
        with pytest.raises(ExpressionError):
            ev("${c == 'BLUE'}", c=Color.RED)

    def test_nan_equals_itself_like_double_equals(self):
        assert ev("${a == b}", a=math.nan, b=float("nan")) is True


class TestLogical:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${true && false}", False),
            ("${true and true}", True),
            ("${false || true}", True),
            ("${false or false}", False),
            ("${!true}", False),
            ("${not false}", True),
            ("${not null}", True),
            ("${!''}", True),
            ("${!'x'}", True),
            ("${!'TRUE'}", False),
            ("${'true' && true}", True),
            ("${null || false}", False),
            ("${!rejected && total ge 100}", True),
        ],
    )
    def test_values(self, text, expected):
        assert ev(text, rejected=False, total=150) is expected

    def test_and_short_circuits(self):
        assert ev("${false && missing}") is False
        assert ev("${false and missing.x.y()}") is False

    def test_or_short_circuits(self):
        assert ev("${true || missing}") is True

    def test_right_side_is_evaluated_when_needed(self):
        with pytest.raises(UnknownPropertyError):
            ev("${true && missing}")

    @pytest.mark.parametrize("text", ["${1 && true}", "${!5}", "${l || false}"])
    def test_non_booleans_fail(self, text):
        with pytest.raises(ExpressionError):
            ev(text, l=[])


class TestEmpty:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (None, True),
            ("", True),
            ([], True),
            ((), True),
            ({}, True),
            (set(), True),
            ("a", False),
            (" ", False),
            ([0], False),
            ({"a": None}, False),
            (0, False),
            (False, False),
        ],
    )
    def test_values(self, value, expected):
        assert ev("${empty v}", v=value) is expected
        assert ev("${not empty v}", v=value) is (not expected)

    def test_empty_binds_tighter_than_property_access_is_loose(self):
        assert ev("${empty a.list}", a={"list": []}) is True
        assert ev("${empty a.missing}", a={}) is True


class TestChoice:
    def test_picks_a_branch(self):
        assert ev("${true ? 1 : 2}") == 1
        assert ev("${false ? 1 : 2}") == 2

    def test_condition_is_coerced_to_boolean(self):
        assert ev("${'' ? 1 : 2}") == 2
        assert ev("${'true' ? 1 : 2}") == 1
        with pytest.raises(ExpressionError):
            ev("${1 ? 2 : 3}")

    def test_is_right_associative(self):
        text = "${a ? 1 : b ? 2 : 3}"
        assert ev(text, a=False, b=True) == 2
        assert ev(text, a=False, b=False) == 3

    def test_only_the_chosen_branch_is_evaluated(self):
        assert ev("${true ? 1 : missing}") == 1

    def test_branches_may_hold_full_expressions(self):
        assert ev("${x > 1 ? x * 2 : x - 1}", x=5) == 10
        assert ev("${x > 1 ? y ? 'a' : 'b' : 'c'}", x=5, y=False) == "b"


class TestPrecedence:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${1 + 2 * 3}", 7),
            ("${(1 + 2) * 3}", 9),
            ("${10 - 4 - 3}", 3),
            ("${100 / 10 / 5}", 2.0),
            ("${2 * 3 % 4}", 2),
            ("${-2 * 3}", -6),
            ("${-(2 + 3)}", -5),
            ("${1 + 2 < 4}", True),
            ("${1 < 2 == true}", True),
            ("${2 > 1 == 1 > 2}", False),
            ("${!false && false}", False),
            ("${true || false && false}", True),
            ("${(true || false) && false}", False),
            ("${1 + 1 == 2 && 2 > 1}", True),
            ("${true ? 1 : 2 + 3}", 1),
            ("${false ? 1 : 2 + 3}", 5),
            ("${false || true ? 'y' : 'n'}", "y"),
            ("${!empty x}", True),
            ("${-a.b}", -4),
            ("${a.b * 2 + 1}", 9),
        ],
    )
    def test_values(self, text, expected):
        result = ev(text, a={"b": 4}, x="text")
        assert same(result, expected)

    def test_not_applies_before_comparison(self):
        # ! binds tighter than ==, so this is (!4) == 4, which cannot coerce 4 to boolean.
        with pytest.raises(ExpressionError):
            ev("${!a.b == 4}", a={"b": 4})
