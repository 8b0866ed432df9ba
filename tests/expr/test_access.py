"""Property access, method calls, engine objects, functions, and the whitelist."""

from __future__ import annotations

import datetime
import os

import pytest

from bpmnflow.expr import (
    ELFunction,
    ELObject,
    ExpressionError,
    UnknownPropertyError,
    compile_expression,
)

from .helpers import ev


class Execution(ELObject):
    """A stand-in for the engine's execution as expressions see it."""

    el_properties = frozenset({"processInstanceId", "activityId"})
    el_methods = frozenset(
        {"getVariable", "setVariable", "getProcessInstanceId", "getBusinessKey", "isEnded", "fail"}
    )

    def __init__(self) -> None:
        self.processInstanceId = "pi-1"
        self.activityId = "task1"
        self.variables: dict[str, object] = {"x": 5}
        self._secret = "hidden"
        self.internal = "not whitelisted"

    def getVariable(self, name):  # noqa: N802 - Java-style name on purpose
        return self.variables.get(name)

    def setVariable(self, name, value):  # noqa: N802
        self.variables[name] = value

    def getProcessInstanceId(self):  # noqa: N802
        return self.processInstanceId

    def getBusinessKey(self):  # noqa: N802
        return "bk-7"

    def isEnded(self):  # noqa: N802
        return False

    def fail(self):
        raise LookupError("boom from the engine")

    def secretMethod(self):  # noqa: N802
        return "never"


@pytest.fixture
def execution():
    return Execution()


class TestMapsAndLists:
    def test_dot_and_bracket_read_dict_keys(self):
        data = {"b": 1, "with space": 2}
        assert ev("${a.b}", a=data) == 1
        assert ev("${a['b']}", a=data) == 1
        assert ev('${a["with space"]}', a=data) == 2

    def test_missing_key_is_null(self):
        assert ev("${a.missing}", a={}) is None
        assert ev("${a.missing.deeper}", a={}) is None

    def test_nested_access(self):
        assert ev("${a.b[1].c}", a={"b": [{}, {"c": "deep"}]}) == "deep"

    def test_computed_keys(self):
        assert ev("${a[k]}", a={"x": 1}, k="x") == 1
        assert ev("${a[k]}", a={"x": 1}, k=None) is None

    def test_unhashable_key_finds_nothing(self):
        assert ev("${a[k]}", a={"x": 1}, k=[1]) is None

    def test_list_indexes(self):
        items = ["a", "b", "c"]
        assert ev("${l[0]}", l=items) == "a"
        assert ev("${l['2']}", l=items) == "c"
        assert ev("${l[1.9]}", l=items) == "b"
        assert ev("${l[i + 1]}", l=items, i=1) == "c"

    def test_out_of_range_or_negative_index_is_null(self):
        assert ev("${l[3]}", l=[1]) is None
        assert ev("${l[-1]}", l=[1]) is None

    def test_tuple_behaves_like_list(self):
        assert ev("${t[1]}", t=(1, 2)) == 2

    def test_non_numeric_list_index_fails(self):
        with pytest.raises(ExpressionError):
            ev("${l.size}", l=[1])

    def test_null_base_reads_as_null(self):
        assert ev("${a.b}", a=None) is None
        assert ev("${a[0]}", a=None) is None


class TestEngineObjects:
    def test_whitelisted_property(self, execution):
        assert ev("${execution.processInstanceId}", execution=execution) == "pi-1"
        assert ev("${execution['activityId']}", execution=execution) == "task1"

    def test_bean_getter_reads_as_property(self, execution):
        assert ev("${execution.businessKey}", execution=execution) == "bk-7"
        assert ev("${execution.ended}", execution=execution) is False

    def test_whitelisted_methods(self, execution):
        assert ev("${execution.getProcessInstanceId()}", execution=execution) == "pi-1"
        assert ev("${execution.getVariable('x') > 3}", execution=execution) is True
        assert ev("${execution['getVariable']('x')}", execution=execution) == 5

    def test_method_with_side_effect(self, execution):
        assert ev("${execution.setVariable('y', 1 + 1)}", execution=execution) is None
        assert execution.variables["y"] == 2

    def test_to_string_is_always_available(self, execution):
        assert isinstance(ev("${execution.toString()}", execution=execution), str)

    @pytest.mark.parametrize(
        "text",
        [
            "${execution.internal}",
            "${execution.variables}",
            "${execution._secret}",
            "${execution['_secret']}",
            "${execution.__class__}",
            "${execution.__dict__}",
            "${execution.__init__}",
            "${execution['__init__']}",
        ],
    )
    def test_unlisted_properties_are_unknown(self, execution, text):
        with pytest.raises(UnknownPropertyError, match="Unknown property used in expression"):
            ev(text, execution=execution)

    @pytest.mark.parametrize(
        "text",
        [
            "${execution.secretMethod()}",
            "${execution.__init__()}",
            "${execution.__reduce__()}",
            "${execution['__class__']()}",
            "${execution.internal()}",
        ],
    )
    def test_unlisted_methods_are_unknown(self, execution, text):
        with pytest.raises(ExpressionError, match="Unknown method used in expression"):
            ev(text, execution=execution)

    def test_engine_exception_is_wrapped_with_cause(self, execution):
        with pytest.raises(ExpressionError) as info:
            ev("${execution.fail()}", execution=execution)
        assert "${execution.fail()}" in str(info.value)
        assert "boom from the engine" in str(info.value)
        assert isinstance(info.value.__cause__, LookupError)

    def test_private_names_cannot_be_whitelisted(self):
        with pytest.raises(TypeError):

            class Leaky(ELObject):
                el_methods = frozenset({"__init__"})

        with pytest.raises(TypeError):

            class AlsoLeaky(ELObject):
                el_properties = frozenset({"_state"})

    def test_whitelists_must_be_frozensets(self):
        with pytest.raises(TypeError):

            class Sloppy(ELObject):
                el_methods = {"getVariable"}  # type: ignore[assignment]


class TestFunctions:
    def test_el_function_is_called(self):
        upper = ELFunction(lambda s: s.upper(), "upper")
        assert ev("${upper('abc')}", upper=upper) == "ABC"
        assert ev("${now()}", now=ELFunction(lambda: 42)) == 42

    def test_arguments_are_evaluated(self):
        add = ELFunction(lambda a, b: a + b)
        assert ev("${add(x, 2 * 3)}", add=add, x=1) == 7

    def test_plain_callable_is_refused(self):
        with pytest.raises(ExpressionError, match="not a function"):
            ev("${f()}", f=print)
        with pytest.raises(ExpressionError, match="not a function"):
            ev("${f('ls')}", f=os.system)

    def test_unknown_function(self):
        with pytest.raises(ExpressionError, match="Could not resolve function 'nope'"):
            ev("${nope()}")

    def test_function_object_has_no_properties(self):
        function = ELFunction(len)
        with pytest.raises(ExpressionError):
            ev("${f.fn}", f=function)
        with pytest.raises(ExpressionError):
            ev("${f.fn.__globals__}", f=function)


class TestStringMethods:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${s.length()}", 11),
            ("${s.isEmpty()}", False),
            ("${''.isEmpty()}", True),
            ("${s.equals('Hello World')}", True),
            ("${s.equals(5)}", False),
            ("${s.equalsIgnoreCase('hello world')}", True),
            ("${s.equalsIgnoreCase(null)}", False),
            ("${s.contains('lo W')}", True),
            ("${s.contains('xyz')}", False),
            ("${s.startsWith('Hell')}", True),
            ("${s.endsWith('World')}", True),
            ("${s.toUpperCase()}", "HELLO WORLD"),
            ("${s.toLowerCase()}", "hello world"),
            ("${'  padded \t'.trim()}", "padded"),
            ("${s.substring(6)}", "World"),
            ("${s.substring(0, 5)}", "Hello"),
            ("${s.substring('1', 2.0)}", "e"),
            ("${s.indexOf('o')}", 4),
            ("${s.indexOf('o', 5)}", 7),
            ("${s.indexOf('z')}", -1),
            ("${s.lastIndexOf('o')}", 7),
            ("${s.charAt(1)}", "e"),
            ("${s.replace('l', 'L')}", "HeLLo WorLd"),
            ("${'a,b,,c,,'.split(',')}", ["a", "b", "", "c"]),
            ("${'a1b22c'.split('[0-9]+')}", ["a", "b", "c"]),
            ("${'a,b,c'.split(',', 2)}", ["a", "b,c"]),
            ("${''.split(',')}", [""]),
            ("${'abc'.split('')}", ["a", "b", "c"]),
            ("${s.concat('!')}", "Hello World!"),
            ("${s.matches('H.*d')}", True),
            ("${s.matches('World')}", False),
            ("${s.toString()}", "Hello World"),
            ("${s.substring(0, 5).toUpperCase().length()}", 5),
            ("${'x'.concat(1)}", "x1"),
        ],
    )
    def test_values(self, text, expected):
        assert ev(text, s="Hello World") == expected

    @pytest.mark.parametrize(
        "text",
        ["${s.substring(5, 2)}", "${s.substring(99)}", "${s.charAt(11)}", "${s.matches('(')}"],
    )
    def test_invalid_arguments_fail(self, text):
        with pytest.raises(ExpressionError):
            ev(text, s="Hello World")

    def test_wrong_argument_count_is_an_unknown_method(self):
        with pytest.raises(ExpressionError, match="Unknown method"):
            ev("${s.length(1)}", s="abc")
        with pytest.raises(ExpressionError, match="Unknown method"):
            ev("${s.replace('a')}", s="abc")


class TestCollectionMethods:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${l.size()}", 3),
            ("${l.isEmpty()}", False),
            ("${l.contains('b')}", True),
            ("${l.contains('z')}", False),
            ("${n.contains(2)}", True),
            ("${n.contains(2.0)}", True),
            ("${n.contains(true)}", False),
            ("${l.get(1)}", "b"),
            ("${l.indexOf('c')}", 2),
            ("${l.indexOf('z')}", -1),
            ("${m.size()}", 2),
            ("${m.isEmpty()}", False),
            ("${m.containsKey('a')}", True),
            ("${m.containsKey('z')}", False),
            ("${m.containsValue(2)}", True),
            ("${m.get('a')}", 1),
            ("${m.get('z')}", None),
            ("${m.keySet()}", ["a", "b"]),
            ("${m.values()}", [1, 2]),
            ("${m.keySet().contains('b')}", True),
            ("${st.contains(1)}", True),
            ("${st.size()}", 1),
            ("${l.toString()}", "[a, b, c]"),
            ("${m.toString()}", "{a=1, b=2}"),
        ],
    )
    def test_values(self, text, expected):
        result = ev(text, l=["a", "b", "c"], n=[1, 2], m={"a": 1, "b": 2}, st={1})
        assert result == expected

    def test_get_out_of_range_fails(self):
        with pytest.raises(ExpressionError):
            ev("${l.get(5)}", l=[1])
        with pytest.raises(ExpressionError):
            ev("${l.get(-1)}", l=[1])


class TestNumberMethods:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("${n.intValue()}", 7),
            ("${f.intValue()}", 7),
            ("${(-2.9).intValue()}", -2),
            ("${big.intValue()}", -2147483648),
            ("${big.longValue()}", 2147483648),
            ("${f.longValue()}", 7),
            ("${n.doubleValue()}", 7.0),
            ("${n.toString()}", "7"),
            ("${f.toString()}", "7.9"),
            ("${b.toString()}", "true"),
            ("${b.booleanValue()}", True),
        ],
    )
    def test_values(self, text, expected):
        result = ev(text, n=7, f=7.9, big=2**31, b=True)
        assert result == expected
        assert type(result) is type(expected)

    def test_other_values_only_have_to_string(self):
        day = datetime.date(2024, 5, 1)
        assert ev("${d.toString()}", d=day) == "2024-05-01"
        with pytest.raises(ExpressionError, match="Unknown method"):
            ev("${d.replace(2020)}", d=day)


class TestMethodCallsOnNull:
    def test_method_on_null_is_an_unknown_property(self):
        with pytest.raises(UnknownPropertyError):
            ev("${x.toString()}", x=None)


class TestEscapeAttempts:
    """Nothing in an expression may reach Python internals; all fail as ExpressionError."""

    @pytest.mark.parametrize(
        "text",
        [
            "${''.__class__}",
            "${''.__class__.__mro__}",
            "${''['__class__']}",
            "${(1).__class__}",
            "${x.__dict__}",
            "${x.__class__.__init__.__globals__}",
            "${a.__globals__}",
            "${a.__code__}",
            "${a.__call__()}",
            "${m.__name__}",
            "${m.system('echo pwned')}",
            "${c.__subclasses__()}",
            "${c.mro()}",
            "${''.join(l)}",
            "${'{0.__class__}'.format(x)}",
            "${'abc'.__len__()}",
            "${'abc'.encode()}",
            "${l.pop()}",
            "${l.append(1)}",
            "${l.__getitem__(0)}",
            "${d.clear()}",
            "${d.update(d)}",
            "${d.__class__.__base__.__subclasses__()}",
            "${d.items()}",
            "${(1).__add__(2)}",
            "${1.5.hex()}",
            "${true.__class__}",
            "${f.fn}",
            "${a()}",
            "${c('x')}",
            "${x.y}",
        ],
    )
    def test_refused(self, text):
        values = {
            "x": object(),
            "a": lambda: None,
            "m": os,
            "c": str,
            "l": [1, 2],
            "d": {"k": "v"},
            "f": ELFunction(len),
        }
        with pytest.raises(ExpressionError):
            compile_expression(text).evaluate(values.__getitem__)

    def test_dunder_key_on_a_dict_is_only_a_missing_key(self):
        # Map semantics: a key lookup never touches attributes, so this is just null.
        assert ev("${d.__class__}", d={}) is None
        assert ev("${d['__class__']}", d={"__class__": "data"}) == "data"
