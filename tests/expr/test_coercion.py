"""EL coercion rules (section 1.18) and Java number formatting."""

from __future__ import annotations

import datetime
import math

import pytest

from bpmnflow.expr import ELObject
from bpmnflow.expr.coercion import (
    format_double,
    to_boolean,
    to_double,
    to_long,
    to_string,
)
from bpmnflow.expr.errors import EvaluationFailure


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (-2.5, "-2.5"),
        (100.0, "100.0"),
        (0.001, "0.001"),
        (0.0001, "1.0E-4"),
        (1234567.0, "1234567.0"),
        (9999999.0, "9999999.0"),
        (1e7, "1.0E7"),
        (12345678.9, "1.23456789E7"),
        (1e20, "1.0E20"),
        (1.5e-5, "1.5E-5"),
        (-3e-10, "-3.0E-10"),
        (0.1 + 0.2, "0.30000000000000004"),
        (math.inf, "Infinity"),
        (-math.inf, "-Infinity"),
        (math.nan, "NaN"),
    ],
)
def test_format_double_like_java(value, expected):
    assert format_double(value) == expected


class Shown(ELObject):
    el_methods = frozenset({"toString"})

    def toString(self):  # noqa: N802
        return "shown"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        ("s", "s"),
        (True, "true"),
        (12, "12"),
        (2.0, "2.0"),
        ([1, None, [2.5]], "[1, null, [2.5]]"),
        ((1, 2), "[1, 2]"),
        ({"a": None}, "{a=null}"),
        (datetime.date(2024, 1, 2), "2024-01-02"),
        (Shown(), "shown"),
    ],
)
def test_to_string(value, expected):
    assert to_string(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        (True, True),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("yes", False),
        ("1", False),
    ],
)
def test_to_boolean(value, expected):
    assert to_boolean(value) is expected


@pytest.mark.parametrize("value", [1, 0.0, [], {}, object()])
def test_to_boolean_refuses_other_types(value):
    with pytest.raises(EvaluationFailure):
        to_boolean(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 0), ("", 0), (5, 5), ("-12", -12), ("+3", 3), (7.9, 7), (-7.9, -7), (math.nan, 0)],
)
def test_to_long(value, expected):
    assert to_long(value) == expected


@pytest.mark.parametrize("value", ["1.5", " 1", "1_000", "abc", True, [1]])
def test_to_long_refuses(value):
    with pytest.raises(EvaluationFailure):
        to_long(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0.0),
        ("", 0.0),
        (3, 3.0),
        ("2.5", 2.5),
        (" 2.5 ", 2.5),
        ("1e3", 1000.0),
        ("-.5", -0.5),
        ("1d", 1.0),
        ("Infinity", math.inf),
        ("-Infinity", -math.inf),
        (10**400, math.inf),
    ],
)
def test_to_double(value, expected):
    assert to_double(value) == expected


@pytest.mark.parametrize("value", ["abc", "1_0", "inf", "nan", "0x10", True, []])
def test_to_double_refuses(value):
    with pytest.raises(EvaluationFailure):
        to_double(value)


def test_to_double_reads_java_nan():
    assert math.isnan(to_double("NaN"))
