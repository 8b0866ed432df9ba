"""What the parser makes of scripts and connectors, and what it refuses at deploy."""

from __future__ import annotations

import pytest

from bpmnflow.errors import ParseError
from bpmnflow.model.bpmn_parser import parse_bpmn
from bpmnflow.scripting import languages
from bpmnflow.scripting.hosted import ListenerCall, ScriptCondition
from tests.conftest import bpmn


def parse(body: str):
    return parse_bpmn(bpmn("p", body), "p.bpmn").processes[0]


def refused(body: str) -> list[dict]:
    with pytest.raises(ParseError) as info:
        parse(body)
    return info.value.problems


@pytest.mark.parametrize("name, expected", [
    ("javascript", "javascript"), ("JavaScript", "javascript"), ("ECMAScript", "javascript"),
    ("Javascript", "javascript"), ("js", "javascript"), ("juel", "juel"), ("groovy", None),
    ("python", None), ("", None), (None, None),
])
def test_script_formats(name, expected):
    assert languages.normalize(name) == expected


def test_a_script_task_keeps_its_script():
    model = parse('<scriptTask id="t" scriptFormat="ECMAScript" camunda:resultVariable="r">'
                  '<script>1 + 1</script></scriptTask>')
    node = model.nodes["t"]
    assert node.activity_type == "scriptTask" and node.props["result_variable"] == "r"
    assert node.props["script"].language == "javascript"
    assert node.props["script"].source == "1 + 1"


def test_a_juel_script_is_compiled_at_deploy():
    assert refused('<scriptTask id="t" scriptFormat="juel"><script>${a +}</script></scriptTask>')


@pytest.mark.parametrize("body, words", [
    ('<scriptTask id="t" scriptFormat="groovy"><script>1</script></scriptTask>',
     "'groovy' is not supported"),
    ('<scriptTask id="t" scriptFormat="python"><script>1</script></scriptTask>',
     "Python cannot be sandboxed"),
    ('<scriptTask id="t"><script>1</script></scriptTask>', "needs a scriptFormat"),
    ('<scriptTask id="t" scriptFormat="javascript"/>', "neither source nor resource"),
    ('<scriptTask id="t" scriptFormat="javascript" camunda:autoStoreVariables="true">'
     '<script>1</script></scriptTask>', "autoStoreVariables"),
    ('<serviceTask id="t"><extensionElements><camunda:connector>'
     '<camunda:connectorId>mail-send</camunda:connectorId></camunda:connector>'
     '</extensionElements></serviceTask>', "Connector 'mail-send' is not available"),
    ('<serviceTask id="t"><extensionElements><camunda:connector/></extensionElements>'
     '</serviceTask>', "needs a camunda:connectorId"),
    ('<userTask id="t"><extensionElements><camunda:connector>'
     '<camunda:connectorId>http-connector</camunda:connectorId></camunda:connector>'
     '</extensionElements></userTask>', "camunda:connector"),
    ('<serviceTask id="t"/>', "no implementation"),
    ('<userTask id="t"><extensionElements><camunda:taskListener event="create">'
     '<camunda:script scriptFormat="ruby">x</camunda:script></camunda:taskListener>'
     '</extensionElements></userTask>', "'ruby' is not supported"),
])
def test_refusals_name_the_element(body, words):
    problems = refused(body)
    assert any(words in p["message"] and p["mainElementId"] == "t" for p in problems), problems


def test_connector_inputs_and_outputs_are_its_own():
    model = parse("""
      <serviceTask id="t"><extensionElements>
        <camunda:connector>
          <camunda:connectorId>http-connector</camunda:connectorId>
          <camunda:inputOutput>
            <camunda:inputParameter name="url">http://x</camunda:inputParameter>
            <camunda:outputParameter name="out">
              <camunda:script scriptFormat="javascript">response</camunda:script>
            </camunda:outputParameter>
          </camunda:inputOutput>
        </camunda:connector>
        <camunda:inputOutput><camunda:inputParameter name="a">1</camunda:inputParameter>
        </camunda:inputOutput>
      </extensionElements></serviceTask>""")
    node = model.nodes["t"]
    connector = node.props["connector"]
    assert node.props["implementation"] == "connector"
    assert connector.connector_id == "http-connector"
    assert [name for name, _ in connector.inputs] == ["url"]
    assert connector.outputs[0][1].kind == "script"
    assert [name for name, _ in node.props["inputs"]] == ["a"]


def test_script_conditions_and_listeners_are_hosted_calls():
    model = parse("""
      <startEvent id="s"><extensionElements>
        <camunda:executionListener event="end">
          <camunda:script scriptFormat="javascript" resource="deployment://l.js"/>
        </camunda:executionListener>
      </extensionElements></startEvent>
      <sequenceFlow id="f" sourceRef="s" targetRef="e">
        <conditionExpression language="JavaScript">x &gt; 1</conditionExpression>
      </sequenceFlow>
      <endEvent id="e"/>""")
    listener = model.nodes["s"].props["listeners"][0]
    assert isinstance(listener.expression, ListenerCall)
    assert listener.script.resource == "deployment://l.js"
    assert isinstance(model.nodes["s"].outgoing[0].condition, ScriptCondition)
