"""A JSONPath subset, as Camunda Spin's ``jsonPath()`` (Jayway) is used in models.

Supported: ``$``, ``.name``, ``['name']`` (and lists of names), ``[n]`` (negative counts from the
end), ``[*]``/``.*``, ``[start:end]``, ``..name``/``..*`` and filters ``[?(...)]`` with ``@``
paths, literals, ``== != < <= > >=``, ``&&``, ``||``, ``!`` and parentheses.  A path made only of
names and indexes is *definite* and yields one value; any other yields a list, as in Jayway.
The JavaScript sandbox carries the same subset (``scripting/js/spin.js``); one test table checks
both.
"""

from __future__ import annotations

import re
from typing import Any

from bpmnflow.scripting.spin.errors import SpinError

_MISSING = object()
_TOKEN = re.compile(r"""
    (?P<ws>\s+) | (?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<op>\.\.|==|!=|<=|>=|&&|\|\||[$@.\[\]*:,()?<>!]) | (?P<name>[A-Za-z_\-][\w\-]*)
""", re.VERBOSE)


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise SpinError(f"SPIN/JACKSON-JSON-01004 Invalid json path '{text}' at {pos}")
        pos = match.end()
        kind = match.lastgroup
        value = match.group()
        if kind == "ws":
            continue
        if kind == "num":
            out.append(("lit", float(value) if any(c in value for c in ".eE") else int(value)))
        elif kind == "str":
            out.append(("lit", re.sub(r"\\(.)", r"\1", value[1:-1])))
        elif kind == "name" and value in ("true", "false", "null"):
            out.append(("name", value))
        else:
            out.append((kind or "", value))
    out.append(("end", None))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> tuple[str, Any]:
        return self.tokens[self.pos]

    def take(self, value: Any = None) -> tuple[str, Any]:
        token = self.tokens[self.pos]
        if value is not None and token[1] != value:
            raise SpinError(f"SPIN/JACKSON-JSON-01004 Invalid json path '{self.text}': expected "
                            f"'{value}'")
        self.pos += 1
        return token

    def path(self, start: str) -> list[tuple[str, Any]]:
        self.take(start)
        steps: list[tuple[str, Any]] = []
        while True:
            kind, value = self.peek()
            if value == "..":
                self.take()
                steps.append(("deep", None))
                steps.append(self.dotted())
            elif value == ".":
                self.take()
                steps.append(self.dotted())
            elif value == "[":
                steps.append(self.bracket())
            else:
                return steps

    def dotted(self) -> tuple[str, Any]:
        kind, value = self.take()
        if value == "*":
            return ("wild", None)
        if kind != "name":
            raise SpinError(f"SPIN/JACKSON-JSON-01004 Invalid json path '{self.text}'")
        return ("names", [value])

    def bracket(self) -> tuple[str, Any]:
        self.take("[")
        kind, value = self.peek()
        if value == "*":
            self.take()
            step: tuple[str, Any] = ("wild", None)
        elif value == "?":
            self.take()
            self.take("(")
            step = ("filter", self.expr())
            self.take(")")
        elif kind == "lit" and isinstance(value, str):
            names = [self.take()[1]]
            while self.peek()[1] == ",":
                self.take()
                names.append(self.take()[1])
            step = ("names", names)
        else:
            step = self.index()
        self.take("]")
        return step

    def index(self) -> tuple[str, Any]:
        start = self.take()[1] if self.peek()[0] == "lit" else None
        if self.peek()[1] != ":":
            if not isinstance(start, int):
                raise SpinError(f"SPIN/JACKSON-JSON-01004 Invalid json path '{self.text}'")
            indexes = [start]
            while self.peek()[1] == ",":
                self.take()
                indexes.append(self.take()[1])
            return ("index", indexes)
        self.take(":")
        end = self.take()[1] if self.peek()[0] == "lit" else None
        return ("slice", (start, end))

    # filter expressions: or > and > not > comparison > operand
    def expr(self) -> Any:
        left = self.conj()
        while self.peek()[1] == "||":
            self.take()
            left = ("or", left, self.conj())
        return left

    def conj(self) -> Any:
        left = self.unary()
        while self.peek()[1] == "&&":
            self.take()
            left = ("and", left, self.unary())
        return left

    def unary(self) -> Any:
        if self.peek()[1] == "!":
            self.take()
            return ("not", self.unary())
        if self.peek()[1] == "(":
            self.take()
            inner = self.expr()
            self.take(")")
            return inner
        left = self.operand()
        if self.peek()[1] in ("==", "!=", "<", "<=", ">", ">="):
            op = self.take()[1]
            return ("cmp", op, left, self.operand())
        return ("exists", left)

    def operand(self) -> Any:
        kind, value = self.peek()
        if value in ("@", "$"):
            return ("path", value, self.path(value))
        self.take()
        if kind == "lit":
            return ("lit", value)
        if kind == "name":
            return ("lit", {"true": True, "false": False, "null": None}.get(value, value))
        raise SpinError(f"SPIN/JACKSON-JSON-01004 Invalid json path '{self.text}'")


def compile_path(text: str) -> tuple[list[tuple[str, Any]], bool]:
    """Parse a path once: its steps, and whether it is definite."""
    parser = _Parser(text.strip())
    steps = parser.path("$")
    if parser.peek()[0] != "end":
        raise SpinError(f"SPIN/JACKSON-JSON-01004 Invalid json path '{text}'")
    definite = all(kind in ("names", "index") and len(arg) == 1 for kind, arg in steps)
    return steps, definite


def query(root: Any, text: str) -> Any:
    """The value at a definite path (``_MISSING``-free: raises if absent) or the list of
    matches of an indefinite one."""
    steps, definite = compile_path(text)
    found = _walk([root], steps, root)
    if definite:
        if not found:
            raise SpinError(f"SPIN/JACKSON-JSON-01017 Unable to find json path '{text}'")
        return found[0]
    return found


def _walk(current: list[Any], steps: list[tuple[str, Any]], root: Any) -> list[Any]:
    deep = False
    for kind, arg in steps:
        if kind == "deep":
            deep = True
            continue
        pool = [d for value in current for d in _descendants(value)] if deep else current
        deep = False
        current = [out for value in pool for out in _step(value, kind, arg, root)]
    return current


def _descendants(value: Any) -> list[Any]:
    out = [value]
    children = value.values() if isinstance(value, dict) else value if isinstance(
        value, list) else ()
    for child in children:
        out.extend(_descendants(child))
    return out


def _step(value: Any, kind: str, arg: Any, root: Any) -> list[Any]:
    if kind == "names":
        return [value[n] for n in arg if isinstance(value, dict) and n in value]
    if kind == "wild":
        return list(value.values()) if isinstance(value, dict) else list(value) if isinstance(
            value, list) else []
    if not isinstance(value, list):
        return []
    if kind == "index":
        return [value[i] for i in arg if isinstance(i, int) and -len(value) <= i < len(value)]
    if kind == "slice":
        start, end = arg
        return value[start:end]
    return [item for item in value if _truthy(_eval(arg, item, root))]


def _eval(node: Any, current: Any, root: Any) -> Any:
    op = node[0]
    if op == "lit":
        return node[1]
    if op == "path":
        found = _walk([current if node[1] == "@" else root], node[2], root)
        return found[0] if found else _MISSING
    if op == "exists":
        return _eval(node[1], current, root) is not _MISSING
    if op == "not":
        return not _truthy(_eval(node[1], current, root))
    if op == "and":
        return _truthy(_eval(node[1], current, root)) and _truthy(_eval(node[2], current, root))
    if op == "or":
        return _truthy(_eval(node[1], current, root)) or _truthy(_eval(node[2], current, root))
    return _compare(node[1], _eval(node[2], current, root), _eval(node[3], current, root))


def _truthy(value: Any) -> bool:
    return value is not _MISSING and value is not None and value is not False


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is _MISSING or right is _MISSING:
        return op == "!=" and (left is _MISSING) != (right is _MISSING)
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (left, right))
    if op in ("==", "!="):
        same = left == right if numbers or type(left) is type(right) else False
        return same if op == "==" else not same
    if not (numbers or (isinstance(left, str) and isinstance(right, str))):
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right,
            ">=": left >= right}[op]
