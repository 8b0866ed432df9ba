"""Property-based tests: the parser and evaluator against an independent reference.

Generated arithmetic/boolean trees are rendered to EL text with as few parentheses as
precedence allows, then evaluated both by the package and by ``reference`` below, a
direct transcription of EL's rules for typed numbers and booleans.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpmnflow.expr import ExpressionError, compile_expression
from bpmnflow.expr.coercion import format_double
from bpmnflow.expr.nodes import (
    Binary,
    Choice,
    Dot,
    FunctionCall,
    Identifier,
    Index,
    Literal,
    MethodCall,
    Unary,
)
from bpmnflow.expr.parser import parse_template
from bpmnflow.javatypes import JavaLong

# No example database: the tests stay deterministic per run and leave no files behind.
SETTINGS = settings(
    max_examples=250, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)

NUM_VARS = ("x0", "x1", "x2")
BOOL_VARS = ("b0", "b1")

# op -> (precedence, spellings)
OPS: dict[str, tuple[int, tuple[str, ...]]] = {
    "||": (1, ("||", "or")),
    "&&": (2, ("&&", "and")),
    "==": (3, ("==", "eq")),
    "!=": (3, ("!=", "ne")),
    "<": (4, ("<", "lt")),
    ">": (4, (">", "gt")),
    "<=": (4, ("<=", "le")),
    ">=": (4, (">=", "ge")),
    "+": (5, ("+",)),
    "-": (5, ("-",)),
    "*": (6, ("*",)),
    "/": (6, ("/", "div")),
    "%": (6, ("%", "mod")),
}
UNARY_PRECEDENCE = 7
ATOM = 8


# -- typed expression trees -------------------------------------------------------------
# ("int", v) ("float", v) ("bool", v) ("var", name) ("neg", t) ("not", t, spelling)
# ("bin", op, left, right, spelling) ("cond", condition, yes, no) ("paren", t)


num_leaf = st.one_of(
    st.integers(0, 1000).map(lambda v: ("int", v)),
    st.floats(0, 1e6, allow_nan=False, allow_infinity=False).map(lambda v: ("float", v)),
    st.sampled_from(NUM_VARS).map(lambda name: ("var", name)),
)
bool_leaf = st.one_of(
    st.booleans().map(lambda v: ("bool", v)),
    st.sampled_from(BOOL_VARS).map(lambda name: ("var", name)),
)
MAX_TREE_DEPTH = 5


@st.composite
def numbers(draw: st.DrawFn, depth: int = MAX_TREE_DEPTH) -> tuple:
    """A numeric tree no deeper than ``depth``; explicit budgets keep generation fast."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(num_leaf)
    kind = draw(st.sampled_from(["neg", "paren", "bin", "bin", "cond"]))
    if kind in ("neg", "paren"):
        return (kind, draw(numbers(depth - 1)))
    if kind == "cond":
        return (
            "cond",
            draw(booleans(depth - 1)),
            draw(numbers(depth - 1)),
            draw(numbers(depth - 1)),
        )
    return _binary(draw, ["+", "-", "*", "/", "%"], numbers, depth)


@st.composite
def booleans(draw: st.DrawFn, depth: int = MAX_TREE_DEPTH) -> tuple:
    """A boolean tree no deeper than ``depth``."""
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        return draw(bool_leaf)
    kind = draw(st.sampled_from(["not", "logic", "compare", "equal", "cond"]))
    if kind == "not":
        return ("not", draw(booleans(depth - 1)), draw(st.sampled_from(["!", "not"])))
    if kind == "cond":
        return ("cond", *(draw(booleans(depth - 1)) for _ in range(3)))
    if kind == "compare":
        return _binary(draw, ["<", ">", "<=", ">=", "==", "!="], numbers, depth)
    return _binary(draw, ["&&", "||"] if kind == "logic" else ["==", "!="], booleans, depth)


def _binary(draw: st.DrawFn, ops: list[str], operand: Any, depth: int) -> tuple:
    op = draw(st.sampled_from(ops))
    left, right = draw(operand(depth - 1)), draw(operand(depth - 1))
    return ("bin", op, left, right, draw(st.sampled_from(OPS[op][1])))


environments = st.fixed_dictionaries(
    {
        **{
            name: st.one_of(st.integers(-1000, 1000), st.floats(-1e6, 1e6, allow_nan=False))
            for name in NUM_VARS
        },
        **{name: st.booleans() for name in BOOL_VARS},
    }
)


class DivisionByZero(Exception):
    pass


def java_double_divide(a: float, b: float) -> float:
    if b == 0:
        return (
            math.nan
            if a == 0 or math.isnan(a)
            else math.copysign(math.inf, a) * (math.copysign(1.0, b))
        )
    return a / b


def java_remainder(a: Any, b: Any) -> Any:
    if type(a) is int and type(b) is int:
        if b == 0:
            raise DivisionByZero
        return int(math.copysign(abs(a) % abs(b), a)) if a else 0
    a, b = float(a), float(b)
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return math.fmod(a, b)


def java_double_equals(a: float, b: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


def reference(tree: tuple, env: dict[str, Any]) -> Any:
    kind = tree[0]
    if kind in ("int", "float", "bool"):
        return tree[1]
    if kind == "var":
        return env[tree[1]]
    if kind == "paren":
        return reference(tree[1], env)
    if kind == "neg":
        return -reference(tree[1], env)
    if kind == "not":
        return not reference(tree[1], env)
    if kind == "cond":
        return reference(tree[2] if reference(tree[1], env) else tree[3], env)
    op, left, right = tree[1], tree[2], tree[3]
    if op == "&&":
        return reference(left, env) and reference(right, env)
    if op == "||":
        return reference(left, env) or reference(right, env)
    a, b = reference(left, env), reference(right, env)
    both_int = type(a) is int and type(b) is int
    if op in ("+", "-", "*"):
        x, y = (a, b) if both_int else (float(a), float(b))
        return x + y if op == "+" else x - y if op == "-" else x * y
    if op == "/":
        return java_double_divide(float(a), float(b))
    if op == "%":
        return java_remainder(a, b)
    if type(a) is bool:  # == / != between booleans
        return (a == b) is (op == "==")
    x, y = (a, b) if both_int else (float(a), float(b))
    if op in ("==", "!="):
        equal = x == y if both_int else java_double_equals(x, y)
        return equal is (op == "==")
    # JUEL: a <= b is !(a > b) and a >= b is !(a < b)
    return {"<": x < y, ">": x > y, "<=": not x > y, ">=": not x < y}[op]


def render(tree: tuple, sep: str = " ") -> tuple[str, int]:
    """Text for ``tree`` and its precedence, parenthesizing only where needed."""
    kind = tree[0]
    if kind in ("int", "float"):
        return repr(tree[1]), ATOM
    if kind == "bool":
        return ("true" if tree[1] else "false"), ATOM
    if kind == "var":
        return tree[1], ATOM
    if kind == "paren":
        return "(" + render(tree[1], sep)[0] + ")", ATOM
    if kind in ("neg", "not"):
        text, precedence = render(tree[1], sep)
        if precedence < UNARY_PRECEDENCE:
            text = f"({text})"
        prefix = "- " if kind == "neg" else tree[2] + " "
        return prefix + text, UNARY_PRECEDENCE
    if kind == "cond":
        condition, precedence = render(tree[1], sep)
        if precedence == 0:
            condition = f"({condition})"
        return f"{condition} ? {render(tree[2], sep)[0]} : {render(tree[3], sep)[0]}", 0
    op, spelling = tree[1], tree[4]
    precedence = OPS[op][0]
    left, left_precedence = render(tree[2], sep)
    right, right_precedence = render(tree[3], sep)
    if left_precedence < precedence:
        left = f"({left})"
    if right_precedence <= precedence:
        right = f"({right})"
    gap = sep if spelling == op else " "
    return f"{left}{gap}{spelling}{gap}{right}", precedence


def _kind(value):
    """Python type, with expression arithmetic's JavaLong counted as int (it is one)."""
    return int if type(value) is JavaLong else type(value)


def same_value(actual: Any, expected: Any) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return isinstance(actual, float) and math.isnan(actual)
    return actual == expected and _kind(actual) is _kind(expected)


def check_against_reference(tree: tuple, env: dict[str, Any], sep: str) -> None:
    text = "${" + render(tree, sep)[0] + "}"
    expression = compile_expression(text)
    try:
        expected = reference(tree, env)
    except DivisionByZero:
        try:
            expression.evaluate(env.__getitem__)
        except ExpressionError:
            return
        raise AssertionError(f"{text} should fail on an integer remainder by zero") from None
    actual = expression.evaluate(env.__getitem__)
    assert same_value(actual, expected), (text, env, actual, expected)


@SETTINGS
@given(tree=numbers(), env=environments, sep=st.sampled_from([" ", ""]))
def test_arithmetic_matches_reference(tree, env, sep):
    check_against_reference(tree, env, sep)


@SETTINGS
@given(tree=booleans(), env=environments, sep=st.sampled_from([" ", ""]))
def test_boolean_logic_matches_reference(tree, env, sep):
    check_against_reference(tree, env, sep)


# -- literals --------------------------------------------------------------------------


def quote(text: str, mark: str) -> str:
    return mark + text.replace("\\", "\\\\").replace(mark, "\\" + mark) + mark


@SETTINGS
@given(text=st.text(), mark=st.sampled_from(["'", '"']))
def test_string_literals_round_trip(text, mark):
    assert compile_expression("${" + quote(text, mark) + "}").evaluate({}.__getitem__) == text


@SETTINGS
@given(number=st.integers(0, 10**40))
def test_integer_literals_round_trip(number):
    result = compile_expression("${" + str(number) + "}").evaluate({}.__getitem__)
    assert result == number and type(result) is int


@SETTINGS
@given(number=st.floats(min_value=0, allow_nan=False, allow_infinity=False))
def test_float_literals_round_trip(number):
    for spelling in (repr(number), format_double(number)):
        result = compile_expression("${" + spelling + "}").evaluate({}.__getitem__)
        assert result == number and type(result) is float


@SETTINGS
@given(number=st.floats(allow_nan=False))
def test_java_double_format_round_trips(number):
    shown = format_double(number)
    assert float(shown.replace("Infinity", "inf")) == number
    assert compile_expression("<${v}>").evaluate({"v": number}.__getitem__) == f"<{shown}>"


@SETTINGS
@given(text=st.text().filter(lambda s: "${" not in s and "#{" not in s and "\\" not in s))
def test_text_without_evals_is_literal(text):
    expression = compile_expression(text)
    assert expression.is_literal
    assert expression.evaluate({}.__getitem__) == text


# -- syntax trees round-trip through text ----------------------------------------------

KEYWORDS = {
    "and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod",
    "empty", "instanceof", "true", "false", "null",
}  # fmt: skip
names = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,6}", fullmatch=True).filter(
    lambda name: name not in KEYWORDS
)
literals = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(0, 10**6),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
    st.text(max_size=5),
).map(Literal)


def _trees(children: st.SearchStrategy) -> st.SearchStrategy:
    args = st.lists(children, max_size=3).map(tuple)
    targets = st.one_of(
        st.builds(Dot, children, names),
        st.builds(Index, children, children),
    )
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "!", "empty"]), children),
        st.builds(Binary, st.sampled_from(list(OPS)), children, children),
        st.builds(Choice, children, children, children),
        targets,
        st.builds(MethodCall, targets, args),
        st.builds(FunctionCall, names, args),
    )


syntax_trees = st.recursive(literals | names.map(Identifier), _trees, max_leaves=12)


def unparse(node: Any) -> tuple[str, int]:
    """Source text for a syntax tree, with the parentheses that precedence requires."""
    match node:
        case Literal(value):
            if isinstance(value, str):
                return quote(value, "'"), ATOM
            if value is None or isinstance(value, bool):
                return {None: "null", True: "true", False: "false"}[value], ATOM
            return repr(value), ATOM
        case Identifier(name):
            return name, ATOM
        case Unary(op, operand):
            text, precedence = unparse(operand)
            if precedence < UNARY_PRECEDENCE:
                text = f"({text})"
            return f"{op} {text}", UNARY_PRECEDENCE
        case Binary(op, left, right):
            precedence = OPS[op][0]
            left_text, left_precedence = unparse(left)
            right_text, right_precedence = unparse(right)
            if left_precedence < precedence:
                left_text = f"({left_text})"
            if right_precedence <= precedence:
                right_text = f"({right_text})"
            return f"{left_text} {op} {right_text}", precedence
        case Choice(condition, yes, no):
            text, precedence = unparse(condition)
            if precedence == 0:
                text = f"({text})"
            return f"{text} ? {unparse(yes)[0]} : {unparse(no)[0]}", 0
        case Dot(base, name):
            return f"{_postfix_base(base)}.{name}", ATOM
        case Index(base, key):
            return f"{_postfix_base(base)}[{unparse(key)[0]}]", ATOM
        case MethodCall(target, args):
            return unparse(target)[0] + _args(args), ATOM
        case FunctionCall(name, args):
            return name + _args(args), ATOM
    raise AssertionError(node)


def _postfix_base(base: Any) -> str:
    text, precedence = unparse(base)
    needs_parens = precedence < ATOM or (
        isinstance(base, Literal) and isinstance(base.value, (int, float))
    )
    return f"({text})" if needs_parens else text


def _args(args: tuple) -> str:
    return "(" + ", ".join(unparse(arg)[0] for arg in args) + ")"


@SETTINGS
@given(tree=syntax_trees)
def test_syntax_trees_round_trip_through_text(tree):
    text = "${" + unparse(tree)[0] + "}"
    (parsed,) = parse_template(text)
    assert repr(parsed) == repr(tree), text


# -- robustness ------------------------------------------------------------------------

EL_ALPHABET = "${}#()[]'\"\\.,?:!=<>&|+-*/% \tabdeilmnoprtuxy0123456789_"
VALUES = {"a": 1, "b": "text", "x": None, "l": [1, 2], "m": {"a": 1}, "t": True, "f": 1.5}


def _resolve(name: str) -> Any:
    return VALUES[name]


@settings(max_examples=500, deadline=None, database=None)
@given(
    text=st.one_of(
        st.text(),
        st.text(alphabet=EL_ALPHABET),
        st.text(alphabet=EL_ALPHABET).map(lambda s: "${" + s + "}"),
    )
)
def test_arbitrary_text_only_raises_expression_errors(text):
    try:
        expression = compile_expression(text)
    except ExpressionError:
        return
    with contextlib.suppress(ExpressionError):
        expression.evaluate(_resolve)
