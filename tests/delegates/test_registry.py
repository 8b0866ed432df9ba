"""The delegate registry, plugin loading and what the parser makes of named delegates."""

from __future__ import annotations

import sys
import textwrap

import pytest

from bpmnflow.delegates import BpmnError, DelegateRegistry, load_plugin, load_plugins
from bpmnflow.errors import ParseError
from bpmnflow.model.bpmn_parser import parse_bpmn
from tests.conftest import bpmn


def test_register_as_call_or_decorator():
    registry = DelegateRegistry()

    @registry.register("com.example.A")
    def a(execution, fields):
        return "a"

    registry.register("beanB", lambda execution: "b")
    assert "com.example.A" in registry and registry.names() == ["beanB", "com.example.A"]
    assert registry.entry("com.example.A").takes_fields
    assert not registry.entry("beanB").takes_fields
    assert set(registry.beans()) == {"beanB"}  # only identifiers can be beans
    registry.unregister("beanB")
    assert "beanB" not in registry


def test_java_style_objects_use_execute_or_notify():
    class Delegate:
        def execute(self, execution):
            return "run"

    registry = DelegateRegistry()
    registry.register("x", Delegate())
    entry = registry.entry("x")
    assert entry.call(None) == "run" and not entry.takes_fields
    assert registry.handler_of(entry.handler) is entry


def test_bad_registrations_are_refused():
    registry = DelegateRegistry()
    with pytest.raises(ValueError):
        registry.register("", lambda e: None)
    with pytest.raises(TypeError):
        registry.register("x", 42)


def test_a_bpmn_error_needs_a_code():
    assert BpmnError("E1").error_code == "E1"
    assert BpmnError("E1", "why").message == "why"
    with pytest.raises(ValueError):
        BpmnError("")


def test_plugins_register_on_import_or_through_their_hook(tmp_path, monkeypatch):
    (tmp_path / "bf_plugin_a.py").write_text(textwrap.dedent("""
        from bpmnflow import delegates

        @delegates.register("com.example.FromPluginA")
        def handler(execution):
            pass
    """))
    (tmp_path / "bf_plugin_b.py").write_text(textwrap.dedent("""
        def register_delegates(registry):
            registry.register("com.example.FromPluginB", lambda execution: None)
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = DelegateRegistry()
    try:
        assert load_plugins(["bf_plugin_a", "bf_plugin_b"], registry, discover=False) == [
            "bf_plugin_a", "bf_plugin_b"]
        assert "com.example.FromPluginB" in registry
        from bpmnflow.delegates import REGISTRY

        assert "com.example.FromPluginA" in REGISTRY
        with pytest.raises(ModuleNotFoundError):
            load_plugin("bf_no_such_plugin", registry)
    finally:
        from bpmnflow.delegates import unregister

        unregister("com.example.FromPluginA")
        sys.modules.pop("bf_plugin_a", None)
        sys.modules.pop("bf_plugin_b", None)


def test_the_parser_checks_names_against_the_registry_it_is_given():
    data = bpmn("p", """
        <startEvent id="s"/>
        <sequenceFlow id="f" sourceRef="s" targetRef="t"/>
        <serviceTask id="t" camunda:class="com.example.Known"/>
        <sequenceFlow id="f2" sourceRef="t" targetRef="u"/>
        <serviceTask id="u" camunda:delegateExpression="${knownBean}"/>
        <sequenceFlow id="f3" sourceRef="u" targetRef="v"/>
        <serviceTask id="v" camunda:delegateExpression="${beans.pick(kind)}"/>
    """)
    registry = DelegateRegistry()
    with pytest.raises(ParseError) as info:
        parse_bpmn(data, "p.bpmn", registry)
    assert {p["mainElementId"] for p in info.value.problems} == {"t", "u"}
    registry.register("com.example.Known", lambda e: None)
    registry.register("knownBean", lambda e: None)
    model = parse_bpmn(data, "p.bpmn", registry).processes[0]
    assert model.nodes["t"].props["delegate"].class_name == "com.example.Known"
    assert model.nodes["t"].props["delegate"].registry is registry
    assert model.nodes["v"].props["implementation"] == "delegate"  # checked when it runs


def test_configuration_and_command_line_load_plugins(tmp_path, monkeypatch):
    from bpmnflow import scripting
    from bpmnflow.cli.main import _parser
    from bpmnflow.config import load
    from bpmnflow.connect import client
    from bpmnflow.delegates import REGISTRY, unregister
    from bpmnflow.delegates.setup import configure_extensions

    (tmp_path / "bf_plugin_c.py").write_text(
        "from bpmnflow import delegates\n"
        "delegates.register('com.example.FromConfig', lambda execution: None)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    args = _parser().parse_args(["serve", "--plugin", "bf_plugin_c", "--plugin", "other"])
    assert args.plugin == ["bf_plugin_c", "other"]
    config = load(env={"BPMNFLOW_PLUGINS": "bf_plugin_c", "BPMNFLOW_SCRIPT_TIMEOUT_MS": "1234",
                       "BPMNFLOW_HTTP_PROXY": "http://127.0.0.1:3128"})
    previous_http, previous_scripts = client.settings(), scripting.current()
    try:
        assert configure_extensions(config, discover_plugins=False) == ["bf_plugin_c"]
        assert "com.example.FromConfig" in REGISTRY
        assert scripting.current().timeout_ms == 1234
        assert client.settings().proxy == "http://127.0.0.1:3128"
    finally:
        unregister("com.example.FromConfig")
        sys.modules.pop("bf_plugin_c", None)
        from bpmnflow import connect

        connect.configure(previous_http)
        scripting.configure(previous_scripts)
