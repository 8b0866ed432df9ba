"""The BPMN parser: what it builds from supported models, and what it refuses and why.

A model the engine cannot run must be refused at deploy with the element id and line, never
accepted and then silently mis-run; and no XML trick may reach outside the deployed bytes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bpmnflow.errors import ParseError
from bpmnflow.model.bpmn_parser import NODE_PARSERS, parse_bpmn
from bpmnflow.model.elements import ProcessModel
from bpmnflow.model.xml import MAX_RESOURCE_BYTES
from tests.conftest import bpmn as _bpmn

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  xmlns:activiti="http://activiti.org/bpmn"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  targetNamespace="http://bpmnflow.test">
"""
SIMPLE = """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="end"/>
    <endEvent id="end"/>
"""


def bpmn(process_id: str, body: str, extra_attrs: str = "") -> bytes:
    """The shared one-process file, with the old Activiti namespace declared too."""
    return _bpmn(process_id, body, f'xmlns:activiti="http://activiti.org/bpmn" {extra_attrs}')


def definitions(body: str) -> bytes:
    """A BPMN file with several top-level elements (processes, messages...)."""
    return f"{HEAD}{body}\n</definitions>\n".encode()


def one(data: bytes) -> ProcessModel:
    result = parse_bpmn(data, "test.bpmn")
    assert len(result.processes) == 1
    return result.processes[0]


def refused(data: bytes) -> ParseError:
    with pytest.raises(ParseError) as info:
        parse_bpmn(data, "test.bpmn")
    return info.value


def line_of(data: bytes, needle: str) -> int:
    """The 1-based line where ``needle`` first occurs in the file."""
    text = data.decode()
    index = text.index(needle)
    return text.count("\n", 0, index) + 1


def problem_for(error: ParseError, element_id: str) -> dict:
    found = [p for p in error.problems if p["mainElementId"] == element_id]
    assert found, f"no problem names {element_id!r}: {error.problems}"
    return found[0]


# -- what supported models become -------------------------------------------------------------
def test_a_simple_process_becomes_a_graph():
    model = one(bpmn("simple", SIMPLE, 'name="Simple"'))
    assert (model.key, model.name) == ("simple", "Simple")
    assert set(model.nodes) == {"start", "end"}
    assert model.initial is model.nodes["start"]
    flow = model.nodes["start"].outgoing[0]
    assert (flow.id, flow.source.id, flow.target.id) == ("f1", "start", "end")
    assert model.nodes["end"].incoming == [flow]
    assert model.nodes["end"].activity_type == "noneEndEvent"
    assert model.nodes["start"].activity_type == "startEvent"


def test_every_supported_node_kind_has_its_activity_type():
    data = bpmn("kinds", """
        <startEvent id="start"/>
        <intermediateThrowEvent id="throw"/>
        <exclusiveGateway id="xor"/>
        <parallelGateway id="and"/>
        <task id="task"/>
        <manualTask id="manual"/>
        <userTask id="user"/>
        <serviceTask id="service" camunda:expression="${1}"/>
        <endEvent id="end"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="throw"/>
        <sequenceFlow id="f2" sourceRef="throw" targetRef="xor"/>
        <sequenceFlow id="f3" sourceRef="xor" targetRef="and"/>
        <sequenceFlow id="f4" sourceRef="and" targetRef="task"/>
        <sequenceFlow id="f5" sourceRef="task" targetRef="manual"/>
        <sequenceFlow id="f6" sourceRef="manual" targetRef="user"/>
        <sequenceFlow id="f7" sourceRef="user" targetRef="service"/>
        <sequenceFlow id="f8" sourceRef="service" targetRef="end"/>
    """)
    types = {n.id: (n.kind, n.activity_type) for n in one(data).nodes.values()}
    assert types == {
        "start": ("startEvent", "startEvent"),
        "throw": ("intermediateThrowEvent", "intermediateNoneThrowEvent"),
        "xor": ("exclusiveGateway", "exclusiveGateway"),
        "and": ("parallelGateway", "parallelGateway"),
        "task": ("task", "task"),
        "manual": ("manualTask", "manualTask"),
        "user": ("userTask", "userTask"),
        "service": ("serviceTask", "serviceTask"),
        "end": ("endEvent", "noneEndEvent"),
    }


def test_user_task_extension_attributes():
    data = bpmn("ut", """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="review"/>
        <userTask id="review" name="Review ${what}" camunda:assignee="${owner}"
                  camunda:candidateUsers="anna, ${second}, bob"
                  camunda:candidateGroups="${dept}, sales"
                  camunda:dueDate="P2D" camunda:followUpDate="${follow}"
                  camunda:priority="${prio}" camunda:formKey="embedded:app:forms/review.html">
          <documentation>Check the order</documentation>
        </userTask>
        <sequenceFlow id="f2" sourceRef="review" targetRef="end"/>
        <endEvent id="end"/>
    """)
    node = one(data).nodes["review"]
    p = node.props
    assert node.name == "Review ${what}"
    assert node.documentation == "Check the order"
    assert p["assignee"].text == "${owner}"
    assert [e.text for e in p["candidate_users"]] == ["anna", "${second}", "bob"]
    assert [e.text for e in p["candidate_groups"]] == ["${dept}", "sales"]
    assert p["due_date"].text == "P2D"
    assert p["follow_up_date"].text == "${follow}"
    assert p["priority"].text == "${prio}"
    assert p["form_key"].text == "embedded:app:forms/review.html"


def test_user_task_without_attributes_has_empty_assignment():
    p = one(bpmn("ut", "<userTask id='t'/>")).nodes["t"].props
    assert p["assignee"] is None
    assert p["candidate_users"] == [] and p["candidate_groups"] == []
    assert p["due_date"] is None and p["priority"] is None and p["form_key"] is None


def test_user_task_attributes_in_the_old_activiti_namespace():
    p = one(bpmn("ut", '<userTask id="t" activiti:assignee="kermit" '
                       'activiti:candidateGroups="management"/>')).nodes["t"].props
    assert p["assignee"].text == "kermit"
    assert [e.text for e in p["candidate_groups"]] == ["management"]


def test_human_performer_and_potential_owner():
    data = bpmn("ut", """
        <userTask id="t1">
          <humanPerformer><resourceAssignmentExpression>
            <formalExpression>kermit</formalExpression>
          </resourceAssignmentExpression></humanPerformer>
        </userTask>
        <userTask id="t2">
          <potentialOwner><resourceAssignmentExpression>
            <formalExpression>user(gonzo), group(management), fozzie</formalExpression>
          </resourceAssignmentExpression></potentialOwner>
        </userTask>
    """)
    model = one(data)
    assert model.nodes["t1"].props["assignee"].text == "kermit"
    p = model.nodes["t2"].props
    assert [e.text for e in p["candidate_users"]] == ["gonzo", "fozzie"]
    assert [e.text for e in p["candidate_groups"]] == ["management"]


def test_service_task_expression_and_result_variable():
    node = one(bpmn("st", '<serviceTask id="calc" camunda:expression="${a + b}" '
                          'camunda:resultVariable="sum"/>')).nodes["calc"]
    assert node.props["expression"].text == "${a + b}"
    assert node.props["result_variable"] == "sum"


def test_service_task_without_result_variable():
    node = one(bpmn("st", '<serviceTask id="calc" camunda:expression="${1}"/>')).nodes["calc"]
    assert node.props["result_variable"] is None


def test_conditions_and_default_flows():
    data = bpmn("xor", """
        <startEvent id="start"/>
        <sequenceFlow id="f0" sourceRef="start" targetRef="xor"/>
        <exclusiveGateway id="xor" default="fDefault"/>
        <sequenceFlow id="fBig" name="big" sourceRef="xor" targetRef="big">
          <conditionExpression xsi:type="tFormalExpression">
            ${amount &gt; 100}
          </conditionExpression>
        </sequenceFlow>
        <sequenceFlow id="fDefault" sourceRef="xor" targetRef="small"/>
        <task id="big" default="fOut"/>
        <sequenceFlow id="fOut" sourceRef="big" targetRef="end"/>
        <task id="small"/>
        <sequenceFlow id="fSmall" sourceRef="small" targetRef="end">
          <conditionExpression language="juel">${true}</conditionExpression>
        </sequenceFlow>
        <endEvent id="end"/>
    """)
    model = one(data)
    xor = model.nodes["xor"]
    assert xor.default_flow == "fDefault"
    flows = {f.id: f for f in xor.outgoing}
    assert [f.id for f in xor.outgoing] == ["fBig", "fDefault"]  # document order
    assert flows["fBig"].name == "big"
    assert flows["fBig"].condition.text == "${amount > 100}"
    assert flows["fDefault"].condition is None
    assert model.nodes["big"].default_flow == "fOut"
    assert model.nodes["small"].outgoing[0].condition.text == "${true}"


def test_flows_without_ids_get_stable_distinct_ids():
    data = bpmn("noid", """
        <startEvent id="start"/>
        <parallelGateway id="fork"/>
        <task id="a"/>
        <task id="b"/>
        <parallelGateway id="join"/>
        <endEvent id="end"/>
        <sequenceFlow sourceRef="start" targetRef="fork"/>
        <sequenceFlow sourceRef="fork" targetRef="a"/>
        <sequenceFlow sourceRef="fork" targetRef="b"/>
        <sequenceFlow sourceRef="a" targetRef="join"/>
        <sequenceFlow sourceRef="b" targetRef="join"/>
        <sequenceFlow id="named" sourceRef="join" targetRef="end"/>
    """)

    def flow_ids(model: ProcessModel) -> list[str]:
        return [f.id for n in model.nodes.values() for f in n.outgoing]

    first, second = flow_ids(one(data)), flow_ids(one(data))
    assert first == second  # persisted with waiting join tokens: must survive a re-parse
    assert len(set(first)) == 6 and all(first)
    assert "named" in first
    join = one(data).nodes["join"]
    assert len({f.id for f in join.incoming}) == 2


def test_several_processes_in_one_file_and_definitions_level_elements():
    data = definitions(f"""
      <message id="msg1" name="orderReceived"/>
      <signal id="sig1" name="alarm"/>
      <error id="err1" errorCode="E42" name="Broken"/>
      <process id="first" isExecutable="true">{SIMPLE}</process>
      <process id="second" name="Second" isExecutable="true">{SIMPLE}</process>
    """)
    result = parse_bpmn(data, "two.bpmn")
    assert [p.key for p in result.processes] == ["first", "second"]
    assert result.processes[1].name == "Second"
    assert result.target_namespace == "http://bpmnflow.test"
    assert result.messages == {"msg1": "orderReceived"}
    assert result.signals == {"sig1": "alarm"}
    assert result.errors == {"err1": ("E42", "Broken")}
    # Node ids are per process: the same ids in two processes do not clash.
    assert result.processes[0].nodes["start"] is not result.processes[1].nodes["start"]


@pytest.mark.parametrize("attribute", ['isExecutable="false"', "", 'isExecutable="no"'])
def test_only_executable_processes_are_deployed(attribute):
    data = definitions(f"""
      <process id="skipped" {attribute}>{SIMPLE}</process>
      <process id="kept" isExecutable="true">{SIMPLE}</process>
    """)
    assert [p.key for p in parse_bpmn(data, "x.bpmn").processes] == ["kept"]


def test_is_executable_is_read_case_insensitively():
    data = definitions(f'<process id="p" isExecutable="TRUE">{SIMPLE}</process>')
    assert [p.key for p in parse_bpmn(data, "x.bpmn").processes] == ["p"]


def test_a_non_executable_process_is_not_validated():
    # Camunda neither deploys nor checks a process it will never run.
    data = definitions('<process id="draft" isExecutable="false"><scriptTask id="s"/></process>')
    assert parse_bpmn(data, "x.bpmn").processes == []


def test_process_attributes():
    model = one(bpmn("p", SIMPLE, 'camunda:versionTag="1.2.0" camunda:historyTimeToLive="30" '
                                  'camunda:isStartableInTasklist="false" '
                                  'camunda:candidateStarterGroups="sales"'))
    assert model.version_tag == "1.2.0"
    assert model.history_ttl == 30
    assert model.startable is False


def test_process_attribute_defaults():
    model = one(bpmn("p", SIMPLE))
    assert (model.version_tag, model.history_ttl, model.startable) == (None, None, True)


@pytest.mark.parametrize(("text", "days"), [("30", 30), ("P30D", 30), ("0", 0), ("P0D", 0),
                                            (" 7 ", 7), ("", None)])
def test_history_time_to_live(text, days):
    assert one(bpmn("p", SIMPLE, f'camunda:historyTimeToLive="{text}"')).history_ttl == days


@pytest.mark.parametrize("text", ["abc", "-1", "P1M", "PT30H", "30d", "${ttl}"])
def test_an_invalid_history_time_to_live_is_refused_with_the_process_id(text):
    data = bpmn("p", SIMPLE, f'camunda:historyTimeToLive="{text}"')
    problem = problem_for(refused(data), "p")
    assert "historyTimeToLive" in problem["message"]
    assert problem["line"] == line_of(data, '<process id="p"')


def test_a_superscript_digit_history_time_to_live_is_a_parse_error():
    refused(bpmn("p", SIMPLE, 'camunda:historyTimeToLive="³"'))


@pytest.mark.parametrize(("value", "startable"), [("true", True), ("FALSE", False),
                                                  ("false", False)])
def test_startable_in_tasklist(value, startable):
    data = bpmn("p", SIMPLE, f'camunda:isStartableInTasklist="{value}"')
    assert one(data).startable is startable


def test_start_event_form_and_initiator():
    data = bpmn("p", """
        <startEvent id="start" camunda:formKey="embedded:app:start.html" camunda:initiator="who">
          <extensionElements>
            <camunda:formData>
              <camunda:formField id="amount" label="Amount" type="long" defaultValue="5"/>
            </camunda:formData>
          </extensionElements>
        </startEvent>
    """)
    model = one(data)
    assert model.start_form_key == "embedded:app:start.html"
    assert model.initiator_variable == "who"
    field = model.start_form_fields[0]
    assert (field.id, field.label, field.type, field.default_value) == ("amount", "Amount",
                                                                        "long", "5")


def test_documentation_and_inert_elements_are_kept_out_of_the_graph():
    data = bpmn("p", """
        <documentation>About the process</documentation>
        <laneSet id="lanes"><lane id="lane1"/></laneSet>
        <textAnnotation id="note"><text>hello</text></textAnnotation>
        <association id="assoc" sourceRef="start" targetRef="note"/>
        <dataObject id="data"/>
        <startEvent id="start"/>
    """)
    model = one(data)
    assert model.documentation == "About the process"
    assert set(model.nodes) == {"start"}


def test_asynchronous_flags_set_to_false_are_accepted():
    data = bpmn("p", '<task id="t" camunda:asyncBefore="false" camunda:asyncAfter="false" '
                     'camunda:exclusive="true"/>')
    assert "t" in one(data).nodes


def test_extension_properties_are_accepted():
    data = bpmn("p", """
        <extensionElements><camunda:properties>
          <camunda:property name="a" value="b"/>
        </camunda:properties></extensionElements>
        <userTask id="t"><extensionElements><camunda:properties>
          <camunda:property name="c" value="d"/>
        </camunda:properties></extensionElements></userTask>
    """)
    assert "t" in one(data).nodes


# -- refusals ---------------------------------------------------------------------------------
# Elements no engine of this family has had to run: refused whatever else becomes supported.
_NEVER = ["complexGateway", "transaction", "adHocSubProcess", "choreographyTask"]


@pytest.mark.parametrize("kind", _NEVER)
def test_an_unsupported_element_is_refused_with_its_id_and_line(kind):
    assert kind not in NODE_PARSERS
    attached = ' attachedToRef="t"' if kind == "boundaryEvent" else ""
    data = bpmn("p", f"""
        <startEvent id="start"/>
        <task id="t"/>
        <{kind} id="bad"{attached}/>
    """)
    error = refused(data)
    problem = problem_for(error, "bad")
    assert kind in problem["message"]
    assert problem["line"] == line_of(data, f"<{kind} ")
    assert problem["elementIds"] == ["bad"]
    assert "test.bpmn" in error.message and "ENGINE-09005" in error.message


def test_a_standard_loop_is_refused():
    data = bpmn("p", "<task id='t'><standardLoopCharacteristics/></task>")
    assert "standardLoopCharacteristics" in problem_for(refused(data), "t")["message"]


@pytest.mark.parametrize("element", [
    '<serviceTask id="x" camunda:class="org.example.Delegate"/>',
    '<serviceTask id="x" camunda:expression="${1}" camunda:bogus="1"/>',
    '<userTask id="x" camunda:bogus="1"/>',
    '<userTask id="x" camunda:formRefVersion="1" camunda:bogus="2"/>',
    '<task id="x" camunda:bogus="1"/>',
    '<manualTask id="x" camunda:bogus="1"/>',
    '<exclusiveGateway id="x" camunda:bogus="1"/>',
    '<parallelGateway id="x" camunda:bogus="1"/>',
    '<startEvent id="x" camunda:bogus="1"/>',
    '<endEvent id="x" camunda:bogus="1"/>',
    '<intermediateThrowEvent id="x" camunda:bogus="1"/>',
    '<userTask id="x" activiti:bogus="1"/>',
])
def test_an_unknown_camunda_attribute_on_a_node_is_refused(element):
    data = bpmn("p", element)
    problem = problem_for(refused(data), "x")
    assert "camunda:" in problem["message"]
    assert problem["line"] == line_of(data, element)


def test_an_unknown_camunda_attribute_on_a_process_is_refused():
    data = bpmn("p", SIMPLE, 'camunda:bogus="1"')
    problem = problem_for(refused(data), "p")
    assert "camunda:bogus" in problem["message"]
    assert problem["line"] == line_of(data, '<process id="p"')


def test_an_unknown_camunda_attribute_on_a_sequence_flow_is_refused():
    data = bpmn("p", """
        <startEvent id="start"/>
        <sequenceFlow id="flow" sourceRef="start" targetRef="end" camunda:bogus="1"/>
        <endEvent id="end"/>
    """)
    problem = problem_for(refused(data), "flow")
    assert "camunda:bogus" in problem["message"]
    assert problem["line"] == line_of(data, '<sequenceFlow id="flow"')


@pytest.mark.parametrize("holder", ["userTask", "task", "startEvent"])
def test_an_unknown_camunda_extension_element_is_refused(holder):
    data = bpmn("p", f"""
        <{holder} id="x">
          <extensionElements><camunda:bogus/></extensionElements>
        </{holder}>
    """)
    problem = problem_for(refused(data), "x")
    assert "bogus" in problem["message"]
    assert problem["line"] == line_of(data, f"<{holder} id=")


def test_an_unknown_camunda_extension_element_on_a_process_is_refused():
    data = bpmn("p", "<extensionElements><camunda:bogus/></extensionElements>" + SIMPLE)
    assert "bogus" in problem_for(refused(data), "p")["message"]


def test_extension_elements_of_other_vendors_are_ignored():
    data = bpmn("p", """
        <task id="t"><extensionElements>
          <zeebe:taskDefinition xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" type="x"/>
        </extensionElements></task>
    """)
    assert "t" in one(data).nodes


def test_a_condition_in_an_unknown_language_is_refused():
    data = bpmn("p", """
        <exclusiveGateway id="xor"/>
        <sequenceFlow id="flow" sourceRef="xor" targetRef="end">
          <conditionExpression language="cobol">MOVE 1 TO X</conditionExpression>
        </sequenceFlow>
        <endEvent id="end"/>
    """)
    problem = problem_for(refused(data), "flow")
    assert "cobol" in problem["message"]


def test_an_invalid_expression_is_refused_with_the_element():
    data = bpmn("p", '<userTask id="t" camunda:assignee="${a +}"/>')
    problem = problem_for(refused(data), "t")
    assert "camunda:assignee" in problem["message"]
    assert problem["line"] == line_of(data, '<userTask id="t"')


def test_an_invalid_condition_is_refused_with_the_flow():
    data = bpmn("p", """
        <exclusiveGateway id="xor"/>
        <sequenceFlow id="flow" sourceRef="xor" targetRef="end">
          <conditionExpression>${a ==}</conditionExpression>
        </sequenceFlow>
        <endEvent id="end"/>
    """)
    problem_for(refused(data), "flow")


def test_a_flow_to_an_unknown_node_is_refused():
    data = bpmn("p", """
        <startEvent id="start"/>
        <sequenceFlow id="flow" sourceRef="start" targetRef="nowhere"/>
    """)
    problem = problem_for(refused(data), "flow")
    assert "flow" in problem["message"]
    assert problem["line"] == line_of(data, '<sequenceFlow id="flow"')


def test_a_node_without_id_is_refused():
    data = bpmn("p", "<task name='anonymous'/>")
    error = refused(data)
    assert any("no id" in p["message"] and p["line"] == line_of(data, "<task ")
               for p in error.problems)


def test_a_duplicate_node_id_is_refused():
    data = bpmn("p", "<task id='t'/>\n<userTask id='t'/>")
    problem = problem_for(refused(data), "t")
    assert problem["line"] == line_of(data, "<userTask")


def test_a_duplicate_sequence_flow_id_is_refused():
    data = bpmn("p", """
        <parallelGateway id="fork"/>
        <sequenceFlow id="f" sourceRef="fork" targetRef="join"/>
        <sequenceFlow id="f" sourceRef="fork" targetRef="join"/>
        <parallelGateway id="join"/>
    """)
    refused(data)


def test_a_default_flow_that_is_not_outgoing_is_refused():
    data = bpmn("p", """
        <startEvent id="start"/>
        <exclusiveGateway id="xor" default="elsewhere"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="xor"/>
        <sequenceFlow id="f2" sourceRef="xor" targetRef="end"/>
        <sequenceFlow id="elsewhere" sourceRef="start" targetRef="end"/>
        <endEvent id="end"/>
    """)
    problem = problem_for(refused(data), "xor")
    assert "elsewhere" in problem["message"]


def test_a_wrong_default_flow_is_reported_at_the_gateway_line():
    data = bpmn("p", """
        <startEvent id="start"/>
        <exclusiveGateway id="xor" default="missing"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="xor"/>
    """)
    assert problem_for(refused(data), "xor")["line"] == line_of(data, '<exclusiveGateway')


def test_two_none_start_events_are_refused():
    data = bpmn("p", '<startEvent id="s1"/><startEvent id="s2"/>')
    assert problem_for(refused(data), "p")


def test_every_problem_of_a_file_is_reported_at_once():
    data = bpmn("p", """
        <task id="a" camunda:bogus="1"/>
        <complexGateway id="b"/>
        <userTask id="c" camunda:assignee="${"/>
    """)
    error = refused(data)
    assert {p["mainElementId"] for p in error.problems} >= {"a", "b", "c"}
    for element_id in ("a", "b", "c"):
        assert f"line {problem_for(error, element_id)['line']}" in error.message


def test_problems_become_camunda_parse_exception_details():
    data = bpmn("p", '<complexGateway id="bad"/>')
    body = refused(data).body()
    assert body["type"] == "ParseException"
    errors = body["details"]["test.bpmn"]["errors"]
    assert errors[0]["mainElementId"] == "bad"
    assert errors[0]["line"] == line_of(data, "<complexGateway")
    assert body["details"]["test.bpmn"]["warnings"] == []


def test_a_root_element_other_than_definitions_is_refused():
    refused(b'<?xml version="1.0"?><process xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            b' id="p" isExecutable="true"/>')
    refused(b'<definitions xmlns="urn:not-bpmn"><process id="p" isExecutable="true"/>'
            b'</definitions>')


# -- XML safety -------------------------------------------------------------------------------
@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-CONTENT")
    return path


def _leaks(result_or_error: object, secret: Path) -> bool:
    return "TOP-SECRET" in repr(result_or_error)


def _process_named(name: str) -> str:
    return (f'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">'
            f'<process id="p" name="{name}" isExecutable="true"><documentation>{name}'
            f'</documentation><startEvent id="s"/></process></definitions>')


def test_a_dtd_is_refused():
    data = ('<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ELEMENT definitions ANY>]>\n'
            + _process_named("x")).encode()
    refused(data)


def test_an_external_entity_is_refused_and_no_file_is_read(secret):
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY xxe SYSTEM '
            f'"file://{secret}">]>\n' + _process_named("&xxe;")).encode()
    assert not _leaks(refused(data), secret)


def test_an_external_dtd_is_refused(secret):
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE definitions SYSTEM "file://{secret}">\n'
            + _process_named("x")).encode()
    assert not _leaks(refused(data), secret)


def test_a_parameter_entity_is_refused(secret):
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE definitions [<!ENTITY % p SYSTEM '
            f'"file://{secret}"> %p;]>\n' + _process_named("x")).encode()
    assert not _leaks(refused(data), secret)


_LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))


def test_billion_laughs_is_refused():
    data = (f'<?xml version="1.0"?>\n<!DOCTYPE definitions [{_LAUGHS}]>\n'
            + _process_named("&lol9;")).encode()
    refused(data)


_UTF16_CASES = {
    "internal entity": '<!DOCTYPE definitions [<!ENTITY e "expanded">]>',
    "small laughs": f"<!DOCTYPE definitions [{_LAUGHS}]>",
    "dtd": "<!DOCTYPE definitions [<!ELEMENT definitions ANY>]>",
}


@pytest.mark.parametrize("case", sorted(_UTF16_CASES))
def test_a_dtd_in_utf16_is_refused(case):
    names = {"internal entity": "&e;", "small laughs": "&lol4;", "dtd": "x"}
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n' + _UTF16_CASES[case] + "\n"
            + _process_named(names[case]))
    refused(text.encode("utf-16"))


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    '<!DOCTYPE definitions SYSTEM "file://{secret}">',
    '<!DOCTYPE definitions [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
])
def test_no_file_is_read_whatever_the_encoding(secret, declaration):
    text = ('<?xml version="1.0" encoding="UTF-16"?>\n' + declaration.format(secret=secret)
            + "\n" + _process_named("&xxe;" if "xxe" in declaration else "x"))
    try:
        outcome: object = parse_bpmn(text.encode("utf-16"), "test.bpmn")
    except ParseError as exc:
        outcome = exc
    assert not _leaks(outcome, secret)
    if not isinstance(outcome, ParseError):
        model = outcome.processes[0]  # type: ignore[attr-defined]
        assert "TOP-SECRET" not in f"{model.name} {model.documentation}"


def test_a_dtd_after_a_long_comment_is_refused(secret):
    data = ('<?xml version="1.0"?>\n<!--' + "x" * 5000 + "-->\n"
            f'<!DOCTYPE definitions SYSTEM "file://{secret}">\n' + _process_named("x")).encode()
    refused(data)


def test_oversized_input_is_refused_before_parsing():
    data = bpmn("p", SIMPLE) + b" " * (MAX_RESOURCE_BYTES + 1)
    error = refused(data)
    assert str(MAX_RESOURCE_BYTES) in error.message


@pytest.mark.parametrize(("data", "line"), [
    (b"", 1),
    (b"not xml at all", 1),
    (b'<?xml version="1.0"?>\n<definitions>\n  <process id="p">\n</definitions>', 4),
    (b'<?xml version="1.0"?>\n<definitions a="1" a="2"/>', 2),
    (b'\xff\xfe\x00garbage', 1),
])
def test_malformed_xml_is_a_parse_error_with_a_line(data, line):
    error = refused(data)
    assert error.problems[0]["line"] == line
    assert error.resource == "test.bpmn"


# -- property: random chains of supported elements ---------------------------------------------
_CHAIN_ELEMENTS = {
    "task": "<task id='{id}'/>",
    "manualTask": "<manualTask id='{id}' name='step {id}'/>",
    "userTask": "<userTask id='{id}' camunda:assignee='${{owner}}'/>",
    "serviceTask": "<serviceTask id='{id}' camunda:expression='${{1 + 1}}' "
                   "camunda:resultVariable='r'/>",
    "intermediateThrowEvent": "<intermediateThrowEvent id='{id}'/>",
    "exclusiveGateway": "<exclusiveGateway id='{id}'/>",
    "parallelGateway": "<parallelGateway id='{id}'/>",
}


@settings(max_examples=60, deadline=None, database=None)
@given(kinds=st.lists(st.sampled_from(sorted(_CHAIN_ELEMENTS)), max_size=12),
       with_ids=st.lists(st.booleans(), min_size=13, max_size=13))
def test_random_chains_of_supported_elements_parse(kinds, with_ids):
    ids = ["start"] + [f"n{i}" for i in range(len(kinds))] + ["end"]
    body = ["<startEvent id='start'/>"]
    body += [_CHAIN_ELEMENTS[kind].format(id=ids[i + 1]) for i, kind in enumerate(kinds)]
    body.append("<endEvent id='end'/>")
    for i, (source, target) in enumerate(zip(ids, ids[1:], strict=False)):
        flow_id = f" id='flow{i}'" if with_ids[i] else ""
        body.append(f"<sequenceFlow{flow_id} sourceRef='{source}' targetRef='{target}'/>")
    model = one(bpmn("chain", "\n".join(body)))
    assert len(model.nodes) == len(kinds) + 2
    flows = [f for n in model.nodes.values() for f in n.outgoing]
    assert len(flows) == len(kinds) + 1
    assert len({f.id for f in flows}) == len(flows)
    assert [model.nodes[i].kind for i in ids[1:-1]] == kinds
    node = model.initial
    walked = []
    while node is not None and node.outgoing:
        walked.append(node.id)
        node = node.outgoing[0].target
    assert walked + ["end"] == ids
