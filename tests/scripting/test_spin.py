"""Spin's S() in expressions and in the JavaScript sandbox, on the same table of cases."""

from __future__ import annotations

import pytest

from bpmnflow.errors import EngineError
from bpmnflow.expr import ExpressionError, compile_expression
from bpmnflow.scripting import el, javascript
from bpmnflow.scripting.settings import ScriptSettings
from bpmnflow.scripting.spin import S, SpinJsonNode, SpinXmlElement, wrap_typed
from bpmnflow.variables import TypedValue, infer, to_columns
from tests.scripting.spin_cases import CASES, ORDER

IDS = [f"{i}:{chain[:40]}" for i, (_, chain, _) in enumerate(CASES)]


def _el(doc: str, chain: str):
    expr = compile_expression("${S(doc)." + chain + "}")
    return expr.evaluate(lambda name: doc if name == "doc" else el.el_global(name))


def _js(doc: str, chain: str):
    request = {"source": "S(doc)." + chain, "variables": {"doc": ["value", doc]},
               "locals": {}, "execution": {}}
    answer = javascript.evaluate(request, ScriptSettings())
    if "error" in answer:
        raise EngineError(answer["error"])
    kind, value = answer["result"]
    return float(value) if kind == "double" else value


@pytest.mark.parametrize("doc, chain, expected", CASES, ids=IDS)
def test_expression_spin(doc, chain, expected):
    _check(_el, doc, chain, expected)


@pytest.mark.parametrize("doc, chain, expected", CASES, ids=IDS)
def test_script_spin(doc, chain, expected):
    _check(_js, doc, chain, expected)


def _check(run, doc, chain, expected):
    if isinstance(expected, str) and expected.startswith("!"):
        with pytest.raises((EngineError, ExpressionError)) as info:
            run(doc, chain)
        assert expected[1:] in str(info.value)
        return
    result = run(doc, chain)
    assert result == expected and type(result) is type(expected)


def test_a_node_is_a_json_value_wherever_it_is_stored():
    node = S(ORDER).prop("customer")
    assert infer(node) is node
    assert to_columns(node)[:2] == ("Json", '{"name":"Ada","tags":["vip","eu"]}')
    node.prop("name", "Grace")  # changing a node changes the text it stores
    assert '"Grace"' in to_columns(node)[1]
    assert isinstance(S("<a/>"), SpinXmlElement) and to_columns(S("<a/>"))[0] == "Xml"


def test_json_and_xml_variables_are_wrapped_fresh():
    stored = TypedValue("Json", '{"a": 1}')
    node = wrap_typed(stored)
    assert isinstance(node, SpinJsonNode) and node.prop("a").numberValue() == 1
    node.prop("a", 2)
    assert stored.value == '{"a": 1}'
    assert wrap_typed(TypedValue("String", "x")) is None
    assert wrap_typed(TypedValue("Json", "{broken")) is None
    assert el.el_value(TypedValue("Json", "[1]")).elements()[0].numberValue() == 1


def test_unknown_names_stay_unknown():
    with pytest.raises(KeyError):
        el.el_global("os")
