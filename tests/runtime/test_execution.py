"""Executing processes through the services layer, with state reloaded from the database.

Every command runs on an engine that has never seen the previous one: after each step the test
opens a new engine on the same database and reads what is stored, so nothing can live only in
memory.  Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bpmnflow.clock import MovableClock
from bpmnflow.errors import EngineError, OptimisticLockingError
from bpmnflow.services import repository, runtime_service, task_service
from bpmnflow.services.context import CommandContext
from bpmnflow.services.engine import Engine
from bpmnflow.store.entities import (
    Execution,
    HistoricActivityInstance,
    HistoricDetail,
    HistoricProcessInstance,
    HistoricTaskInstance,
    HistoricVariableInstance,
    IdentityLink,
    Task,
    Variable,
)
from bpmnflow.variables import TypedValue, from_columns, infer
from tests.conftest import bpmn, make_engine

RUNTIME_TABLES = ("bf_execution", "bf_variable", "bf_task", "bf_identity_link")
HISTORY_TABLES = ("bf_hi_procinst", "bf_hi_actinst", "bf_hi_taskinst", "bf_hi_varinst",
                  "bf_hi_detail")
START_MS = 1_700_000_000_000


class Harness:
    """Runs each command on an engine, then replaces the engine by a fresh one."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.clock = MovableClock(START_MS)
        self.engine = make_engine(url, self.clock)

    def reload(self) -> Engine:
        self.engine.close()
        self.engine = make_engine(self.url, self.clock)
        return self.engine

    def run(self, command: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """One command, then a new engine: what the next step sees comes from the database."""
        try:
            return self.engine.execute(command, *args, **kwargs)
        finally:
            self.reload()

    def read(self, command: Callable[..., Any], *args: Any) -> Any:
        return self.engine.query(command, *args)

    def deploy(self, *resources: tuple[str, bytes]) -> None:
        self.run(repository.deploy, "test", dict(resources))

    def start(self, key: str, business_key: str | None = None, **variables: Any) -> str:
        typed = {name: v if isinstance(v, TypedValue) else infer(v)
                 for name, v in variables.items()}

        def command(ctx: CommandContext) -> str:
            definition = runtime_service.definition_for_start(ctx, key=key)
            instance, _ = runtime_service.start_process_instance(ctx, definition, business_key,
                                                                 typed)
            return instance.id

        return self.run(command)

    def complete(self, task_id: str, **variables: Any) -> None:
        self.run(task_service.complete, task_id, {n: infer(v) for n, v in variables.items()})

    def state(self, pid: str) -> State:
        return self.read(_state, pid)

    def count(self, table: str) -> int:
        return self.read(lambda ctx: ctx.session.scalar(f"SELECT COUNT(*) FROM {table}"))

    def counts(self) -> dict[str, int]:
        return {table: self.count(table) for table in RUNTIME_TABLES + HISTORY_TABLES}

    def close(self) -> None:
        self.engine.close()


@dataclass
class State:
    """What the database holds about one process instance."""

    executions: list[Execution]
    variables: dict[str, Any]
    tasks: list[Task]
    links: list[IdentityLink]
    hi_process: HistoricProcessInstance | None
    hi_activities: list[HistoricActivityInstance]
    hi_tasks: list[HistoricTaskInstance]
    hi_variables: list[HistoricVariableInstance]
    hi_details: list[HistoricDetail]

    @property
    def activities(self) -> list[tuple[str | None, str]]:
        """(activity id, state) of every non-root execution, sorted."""
        return sorted((e.activity_id, e.state) for e in self.executions if e.parent_id)

    def task(self, key: str) -> Task:
        return next(t for t in self.tasks if t.task_def_key == key)

    def history(self, ended: bool | None = None) -> list[str]:
        """Activity ids of the activity history in order of occurrence."""
        return [a.act_id for a in self.hi_activities
                if ended is None or (a.end_time is not None) == ended]


def _state(ctx: CommandContext, pid: str) -> State:
    uow = ctx.uow
    variables = {}
    for var in uow.select(Variable, "proc_inst_id = ?", (pid,)):
        typed = from_columns(var.var_type, var.text_value, var.long_value, var.double_value,
                             var.bytes_value, var.value_info)
        variables[var.name] = typed.value
    return State(
        executions=uow.select(Execution, "proc_inst_id = ? ORDER BY seq", (pid,)),
        variables=variables,
        tasks=uow.select(Task, "proc_inst_id = ? ORDER BY task_def_key", (pid,)),
        links=uow.select(IdentityLink, "proc_inst_id = ? ORDER BY id", (pid,)),
        hi_process=uow.get(HistoricProcessInstance, pid),
        hi_activities=uow.select(HistoricActivityInstance, "proc_inst_id = ? ORDER BY seq",
                                 (pid,)),
        hi_tasks=uow.select(HistoricTaskInstance, "proc_inst_id = ? ORDER BY task_def_key",
                            (pid,)),
        hi_variables=uow.select(HistoricVariableInstance, "proc_inst_id = ? ORDER BY name",
                                (pid,)),
        hi_details=uow.select(HistoricDetail, "proc_inst_id = ? ORDER BY seq", (pid,)),
    )


@pytest.fixture
def harness(database_url: str) -> Iterator[Harness]:
    h = Harness(database_url)
    yield h
    h.close()


def assert_finished(state: State, end_activity: str) -> None:
    """No runtime row left, and a complete history."""
    assert state.executions == [] and state.tasks == [] and state.links == []
    assert state.variables == {}
    hi = state.hi_process
    assert hi is not None and hi.state == "COMPLETED"
    assert hi.end_act_id == end_activity and hi.end_time is not None
    assert hi.duration == hi.end_time - hi.start_time
    assert all(a.end_time is not None and not a.canceled for a in state.hi_activities)
    assert all(t.end_time is not None for t in state.hi_tasks)


# -- models -----------------------------------------------------------------------------------
APPROVAL = bpmn("approval", """
    <startEvent id="start" name="Order received"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <exclusiveGateway id="check" name="Large?" default="small"/>
    <sequenceFlow id="large" sourceRef="check" targetRef="approve">
      <conditionExpression xsi:type="tFormalExpression">${amount &gt; 1000}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="medium" sourceRef="check" targetRef="approve">
      <conditionExpression xsi:type="tFormalExpression">${amount &gt; 100}</conditionExpression>
    </sequenceFlow>
    <sequenceFlow id="small" sourceRef="check" targetRef="auto"/>
    <userTask id="approve" name="Approve order" camunda:assignee="${clerk}"
              camunda:candidateUsers="anna, ${deputy}" camunda:candidateGroups="sales"
              camunda:priority="${amount &gt; 1000 ? 80 : 60}" camunda:dueDate="P1D"
              camunda:formKey="embedded:app:approve.html">
      <documentation>Look at ${amount}</documentation>
    </userTask>
    <sequenceFlow id="f2" sourceRef="approve" targetRef="decided"/>
    <serviceTask id="auto" name="Approve automatically" camunda:expression="${'auto'}"
                 camunda:resultVariable="decision"/>
    <sequenceFlow id="f3" sourceRef="auto" targetRef="decided"/>
    <exclusiveGateway id="decided"/>
    <sequenceFlow id="f4" sourceRef="decided" targetRef="end"/>
    <endEvent id="end" name="Done"/>
""", 'camunda:historyTimeToLive="P5D"')

FORK_JOIN = bpmn("forkJoin", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="toA" sourceRef="fork" targetRef="a"/>
    <sequenceFlow id="toB" sourceRef="fork" targetRef="b"/>
    <userTask id="a" name="A"/>
    <userTask id="b" name="B"/>
    <sequenceFlow id="fromA" sourceRef="a" targetRef="join"/>
    <sequenceFlow id="fromB" sourceRef="b" targetRef="join"/>
    <parallelGateway id="join"/>
    <sequenceFlow id="f2" sourceRef="join" targetRef="end"/>
    <endEvent id="end"/>
""")

# fork1 -> [A (user) | fork2 -> [B (service) | C (user)] -> join2] -> join1 -> end
NESTED = bpmn("nested", """
    <startEvent id="start"/>
    <sequenceFlow id="f0" sourceRef="start" targetRef="fork1"/>
    <parallelGateway id="fork1"/>
    <sequenceFlow id="f1" sourceRef="fork1" targetRef="a"/>
    <sequenceFlow id="f2" sourceRef="fork1" targetRef="fork2"/>
    <userTask id="a"/>
    <parallelGateway id="fork2"/>
    <sequenceFlow id="f3" sourceRef="fork2" targetRef="b"/>
    <sequenceFlow id="f4" sourceRef="fork2" targetRef="c"/>
    <serviceTask id="b" camunda:expression="${x * 2}" camunda:resultVariable="y"/>
    <userTask id="c"/>
    <sequenceFlow id="f5" sourceRef="b" targetRef="join2"/>
    <sequenceFlow id="f6" sourceRef="c" targetRef="join2"/>
    <parallelGateway id="join2"/>
    <sequenceFlow id="f7" sourceRef="join2" targetRef="join1"/>
    <sequenceFlow id="f8" sourceRef="a" targetRef="join1"/>
    <parallelGateway id="join1"/>
    <sequenceFlow id="f9" sourceRef="join1" targetRef="end"/>
    <endEvent id="end"/>
""")

STRAIGHT = bpmn("straight", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="fork"/>
    <parallelGateway id="fork"/>
    <sequenceFlow id="f2" sourceRef="fork" targetRef="sum"/>
    <sequenceFlow id="f3" sourceRef="fork" targetRef="product"/>
    <serviceTask id="sum" camunda:expression="${a + b}" camunda:resultVariable="sum"/>
    <serviceTask id="product" camunda:expression="${a * b}" camunda:resultVariable="product"/>
    <sequenceFlow id="f4" sourceRef="sum" targetRef="join"/>
    <sequenceFlow id="f5" sourceRef="product" targetRef="join"/>
    <parallelGateway id="join"/>
    <sequenceFlow id="f6" sourceRef="join" targetRef="throw"/>
    <intermediateThrowEvent id="throw"/>
    <sequenceFlow id="f7" sourceRef="throw" targetRef="end"/>
    <endEvent id="end"/>
""")

NO_WAY_OUT = bpmn("noWayOut", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="note"/>
    <serviceTask id="note" camunda:expression="${'noted'}" camunda:resultVariable="note"/>
    <sequenceFlow id="f2" sourceRef="note" targetRef="xor"/>
    <exclusiveGateway id="xor"/>
    <sequenceFlow id="yes" sourceRef="xor" targetRef="end">
      <conditionExpression xsi:type="tFormalExpression">${go}</conditionExpression>
    </sequenceFlow>
    <endEvent id="end"/>
""")

TASK_THEN_CHOICE = bpmn("taskThenChoice", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <userTask id="work" camunda:candidateGroups="staff"/>
    <sequenceFlow id="f2" sourceRef="work" targetRef="xor"/>
    <exclusiveGateway id="xor"/>
    <sequenceFlow id="yes" sourceRef="xor" targetRef="end">
      <conditionExpression xsi:type="tFormalExpression">${go}</conditionExpression>
    </sequenceFlow>
    <endEvent id="end"/>
""")


# -- exclusive gateways, service tasks, user tasks --------------------------------------------
def test_default_flow_runs_straight_through(harness):
    harness.deploy(("approval.bpmn", APPROVAL))
    pid = harness.start("approval", "order-1", amount=50)
    state = harness.state(pid)
    assert_finished(state, "end")
    assert state.history() == ["start", "check", "auto", "decided", "end"]
    hi = state.hi_process
    assert (hi.business_key, hi.proc_def_key, hi.start_act_id) == ("order-1", "approval",
                                                                    "start")
    assert hi.removal_time == hi.end_time + 5 * 86_400_000
    assert {v.name: v.state for v in state.hi_variables} == {"amount": "CREATED",
                                                             "decision": "CREATED"}
    decision = next(v for v in state.hi_variables if v.name == "decision")
    assert (decision.var_type, decision.text_value) == ("String", "auto")
    assert [(d.var_name, d.initial) for d in state.hi_details] == [("amount", True),
                                                                   ("decision", False)]
    types = {a.act_id: a.act_type for a in state.hi_activities}
    assert types == {"start": "startEvent", "check": "exclusiveGateway", "auto": "serviceTask",
                     "decided": "exclusiveGateway", "end": "noneEndEvent"}


def test_the_first_matching_condition_wins_and_the_user_task_waits(harness):
    harness.deploy(("approval.bpmn", APPROVAL))
    pid = harness.start("approval", amount=5000, clerk="carl", deputy="dora")
    state = harness.state(pid)
    root = next(e for e in state.executions if e.parent_id is None)
    assert root.id == pid and root.activity_id is None and root.proc_def_key == "approval"
    assert state.activities == [("approve", "active")]
    approve_ex = next(e for e in state.executions if e.activity_id == "approve")
    assert approve_ex.parent_id == pid and approve_ex.incoming_flow == "large"
    assert state.variables == {"amount": 5000, "clerk": "carl", "deputy": "dora"}
    task = state.task("approve")
    assert task.execution_id == approve_ex.id
    assert (task.name, task.assignee, task.priority) == ("Approve order", "carl", 80)
    assert task.description == "Look at 5000"  # documentation is an expression, as in Camunda
    assert task.form_key == "embedded:app:approve.html"
    assert task.due_date == START_MS + 86_400_000
    assert sorted((link.type, link.user_id or "", link.group_id or "") for link in state.links
                  ) == [("candidate", "", "sales"), ("candidate", "anna", ""),
                        ("candidate", "dora", "")]
    assert state.history(ended=True) == ["start", "check"]
    assert state.history(ended=False) == ["approve"]
    hi_approve = next(a for a in state.hi_activities if a.act_id == "approve")
    assert (hi_approve.task_id, hi_approve.assignee) == (task.id, "carl")
    assert [t.id for t in state.hi_tasks] == [task.id]
    assert state.hi_tasks[0].end_time is None
    assert state.hi_process.state == "ACTIVE" and state.hi_process.end_time is None

    harness.clock.advance(60_000)
    harness.complete(task.id, approved=True)
    state = harness.state(pid)
    assert_finished(state, "end")
    assert state.history() == ["start", "check", "approve", "decided", "end"]
    hi_task = state.hi_tasks[0]
    assert (hi_task.delete_reason, hi_task.duration) == ("completed", 60_000)
    assert hi_task.task_state == "Completed"
    assert {v.name for v in state.hi_variables} == {"amount", "clerk", "deputy", "approved"}
    assert state.hi_process.duration == 60_000


def test_a_condition_later_in_document_order_is_taken_when_the_first_fails(harness):
    harness.deploy(("approval.bpmn", APPROVAL))
    pid = harness.start("approval", amount=500, clerk="carl", deputy="dora")
    state = harness.state(pid)
    ex = next(e for e in state.executions if e.activity_id == "approve")
    assert ex.incoming_flow == "medium"
    assert state.task("approve").priority == 60


def test_variables_of_every_simple_type_survive_the_database(harness):
    harness.deploy(("fork.bpmn", FORK_JOIN))
    pid = harness.start("forkJoin", text="héllo", number=42, big=2**40, real=0.1, flag=False,
                        nothing=None, raw=b"\x00\x01")
    assert harness.state(pid).variables == {"text": "héllo", "number": 42, "big": 2**40,
                                            "real": 0.1, "flag": False, "nothing": None,
                                            "raw": b"\x00\x01"}
    values = harness.read(runtime_service.get_variables, pid)
    assert values["big"] == TypedValue("Long", 2**40)
    assert values["number"] == TypedValue("Integer", 42)


# -- parallel gateways ------------------------------------------------------------------------
def test_fork_and_join_over_three_commands(harness):
    harness.deploy(("fork.bpmn", FORK_JOIN))
    pid = harness.start("forkJoin")
    state = harness.state(pid)
    assert state.activities == [("a", "active"), ("b", "active")]
    assert [t.task_def_key for t in state.tasks] == ["a", "b"]
    assert state.history(ended=False) == ["a", "b"]

    harness.complete(state.task("a").id)
    state = harness.state(pid)
    assert state.activities == [("b", "active"), ("join", "join")]
    waiting = next(e for e in state.executions if e.activity_id == "join")
    assert waiting.incoming_flow == "fromA"
    assert state.history(ended=False) == ["b"]  # the arrival at the join has ended
    assert [t.task_def_key for t in state.tasks] == ["b"]

    harness.complete(state.task("b").id)
    state = harness.state(pid)
    assert_finished(state, "end")
    assert sorted(state.history()) == sorted(["start", "fork", "a", "b", "join", "join", "end"])
    assert state.history()[-1] == "end"


def test_a_join_over_flows_without_ids_survives_reloads(harness):
    # The waiting token stores the generated id of the flow it came by; a re-parse in a new
    # engine must generate the same id or the join never fires.
    model = FORK_JOIN.replace(b'id="toA" ', b"").replace(b'id="fromA" ', b"")
    model = model.replace(b'id="toB" ', b"").replace(b'id="fromB" ', b"")
    assert b"fromA" not in model
    harness.deploy(("fork.bpmn", model))
    pid = harness.start("forkJoin")
    harness.complete(harness.state(pid).task("a").id)
    state = harness.state(pid)
    assert state.activities == [("b", "active"), ("join", "join")]
    harness.complete(state.task("b").id)
    assert_finished(harness.state(pid), "end")


def test_the_join_fires_whichever_branch_finishes_first(harness):
    harness.deploy(("fork.bpmn", FORK_JOIN))
    pid = harness.start("forkJoin")
    harness.complete(harness.state(pid).task("b").id)
    state = harness.state(pid)
    assert state.activities == [("a", "active"), ("join", "join")]
    harness.complete(state.task("a").id)
    assert_finished(harness.state(pid), "end")


def test_nested_forks_and_joins(harness):
    harness.deploy(("nested.bpmn", NESTED))
    pid = harness.start("nested", x=21)
    state = harness.state(pid)
    assert state.activities == [("a", "active"), ("c", "active"), ("join2", "join")]
    assert state.variables == {"x": 21, "y": 42}

    harness.complete(state.task("c").id)
    state = harness.state(pid)
    assert state.activities == [("a", "active"), ("join1", "join")]
    assert next(e for e in state.executions if e.activity_id == "join1").incoming_flow == "f7"

    harness.complete(state.task("a").id, done=True)
    state = harness.state(pid)
    assert_finished(state, "end")
    assert state.history().count("join2") == 2 and state.history().count("join1") == 2
    assert {v.name for v in state.hi_variables} == {"x", "y", "done"}


def test_two_instances_do_not_join_each_others_tokens(harness):
    harness.deploy(("fork.bpmn", FORK_JOIN))
    first, second = harness.start("forkJoin"), harness.start("forkJoin")
    harness.complete(harness.state(first).task("a").id)
    harness.complete(harness.state(second).task("b").id)
    assert harness.state(first).activities == [("b", "active"), ("join", "join")]
    assert harness.state(second).activities == [("a", "active"), ("join", "join")]


def test_a_straight_through_instance_writes_only_history(harness):
    harness.deploy(("straight.bpmn", STRAIGHT))
    before = harness.counts()
    pid = harness.start("straight", a=6, b=7)
    after = harness.counts()
    assert {t: after[t] - before[t] for t in RUNTIME_TABLES} == dict.fromkeys(RUNTIME_TABLES, 0)
    state = harness.state(pid)
    assert_finished(state, "end")
    assert {v.name: (v.long_value, v.state) for v in state.hi_variables} == {
        "a": (6, "CREATED"), "b": (7, "CREATED"), "product": (42, "CREATED"),
        "sum": (13, "CREATED")}
    assert len(state.hi_activities) == 8  # start, fork, 2 tasks, 2 join arrivals, throw, end


def test_a_variable_updated_by_a_service_task(harness):
    model = bpmn("counter", """
        <startEvent id="start"/>
        <sequenceFlow id="f1" sourceRef="start" targetRef="inc"/>
        <serviceTask id="inc" camunda:expression="${n + 1}" camunda:resultVariable="n"/>
        <sequenceFlow id="f2" sourceRef="inc" targetRef="wait"/>
        <userTask id="wait"/>
        <sequenceFlow id="f3" sourceRef="wait" targetRef="end"/>
        <endEvent id="end"/>
    """)
    harness.deploy(("counter.bpmn", model))
    pid = harness.start("counter", n=1)
    state = harness.state(pid)
    assert state.variables == {"n": 2}
    assert [v.long_value for v in state.hi_variables] == [2]
    assert [(d.long_value, d.revision) for d in state.hi_details] == [(1, 0), (2, 1)]
    var = harness.read(lambda ctx: ctx.uow.select(Variable, "proc_inst_id = ?", (pid,)))[0]
    assert var.execution_id == pid and var.task_id is None


# -- failing commands write nothing -----------------------------------------------------------
def test_a_start_that_finds_no_way_out_writes_nothing(harness):
    harness.deploy(("noWayOut.bpmn", NO_WAY_OUT))
    before = harness.counts()
    with pytest.raises(EngineError, match="ENGINE-02004.*'xor'"):
        harness.start("noWayOut", go=False)
    assert harness.counts() == before
    harness.start("noWayOut", go=True)  # the engine is not left in a broken state


def test_a_condition_that_cannot_be_evaluated_writes_nothing(harness):
    harness.deploy(("noWayOut.bpmn", NO_WAY_OUT))
    before = harness.counts()
    with pytest.raises(EngineError, match="go"):
        harness.start("noWayOut")  # 'go' is not defined
    with pytest.raises(EngineError, match="non-Boolean"):
        harness.start("noWayOut", go="yes")
    assert harness.counts() == before


def test_a_failing_completion_leaves_the_task_and_its_instance_as_they_were(harness):
    harness.deploy(("task.bpmn", TASK_THEN_CHOICE))
    pid = harness.start("taskThenChoice", go=False)
    before_state = harness.state(pid)
    before = harness.counts()
    task = before_state.task("work")
    with pytest.raises(EngineError, match="ENGINE-02004"):
        harness.complete(task.id, note="lost")
    assert harness.counts() == before
    state = harness.state(pid)
    assert state.activities == [("work", "active")]
    assert [(t.id, t.rev) for t in state.tasks] == [(task.id, task.rev)]
    assert [(link.group_id, link.task_id) for link in state.links] == [("staff", task.id)]
    assert state.variables == {"go": False}
    assert state.hi_tasks[0].end_time is None
    assert state.history(ended=False) == ["work"]

    harness.complete(task.id, go=True)
    assert_finished(harness.state(pid), "end")


def test_completing_a_task_twice_fails(harness):
    harness.deploy(("fork.bpmn", FORK_JOIN))
    pid = harness.start("forkJoin")
    task_id = harness.state(pid).task("a").id
    harness.complete(task_id)
    before = harness.counts()
    with pytest.raises(EngineError, match="Cannot find task"):
        harness.complete(task_id)
    assert harness.counts() == before


def test_starting_an_unknown_key_fails(harness):
    with pytest.raises(EngineError, match="no processes deployed with key 'nope'"):
        harness.start("nope")


# -- history levels and transient values ------------------------------------------------------
def test_history_level_none_writes_no_history(database_url):
    engine = make_engine(database_url, history_level="none")
    try:
        engine.execute(repository.deploy, "test", {"fork.bpmn": FORK_JOIN})

        def start(ctx: CommandContext) -> str:
            definition = runtime_service.definition_for_start(ctx, key="forkJoin")
            return runtime_service.start_process_instance(ctx, definition, None, {})[0].id

        engine.execute(start)
        for table in HISTORY_TABLES:
            assert engine.query(lambda ctx, t=table: ctx.session.scalar(
                f"SELECT COUNT(*) FROM {t}")) == 0
    finally:
        engine.close()


@pytest.mark.xfail(reason="BUG runtime/runtime.Runtime._create_variable: a transient value "
                          "(valueInfo transient=true) is stored in bf_variable and history; "
                          "Camunda never persists transient variables", strict=True)
def test_a_transient_variable_is_never_stored(harness):
    harness.deploy(("fork.bpmn", FORK_JOIN))
    pid = harness.start("forkJoin", kept="yes",
                        secret=TypedValue("String", "s3cr3t", {"transient": True}))
    state = harness.state(pid)
    assert state.variables == {"kept": "yes"}
    assert [v.name for v in state.hi_variables] == ["kept"]


# -- deletion ---------------------------------------------------------------------------------
def test_deleting_an_instance_removes_its_runtime_rows_and_closes_its_history(harness):
    harness.deploy(("nested.bpmn", NESTED))
    pid = harness.start("nested", x=1)
    harness.clock.advance(1_000)
    harness.run(runtime_service.delete_process_instance, pid, "no longer needed")
    state = harness.state(pid)
    assert state.executions == [] and state.tasks == [] and state.variables == {}
    assert state.links == []
    hi = state.hi_process
    assert (hi.state, hi.delete_reason, hi.end_act_id) == ("EXTERNALLY_TERMINATED",
                                                           "no longer needed", None)
    assert hi.duration == 1_000
    assert all(a.end_time is not None for a in state.hi_activities)
    assert sorted(a.act_id for a in state.hi_activities if a.canceled) == ["a", "c"]
    assert sorted((t.task_def_key, t.delete_reason, t.task_state) for t in state.hi_tasks) == [
        ("a", "no longer needed", "Deleted"), ("c", "no longer needed", "Deleted")]
    with pytest.raises(EngineError, match="No process instance found"):
        harness.run(runtime_service.delete_process_instance, pid, None)


def test_deleted_tasks_carry_the_deletion_reason(harness):
    harness.deploy(("fork.bpmn", FORK_JOIN))
    pid = harness.start("forkJoin")
    harness.run(runtime_service.delete_process_instance, pid, "customer withdrew")
    assert {t.delete_reason for t in harness.state(pid).hi_tasks} == {"customer withdrew"}


# -- concurrency ------------------------------------------------------------------------------
def test_two_branches_arriving_at_a_join_concurrently(harness, request):
    """Two nodes complete the two branches of a join at the same time: one must lose."""
    if not harness.url.startswith("postgres"):
        pytest.skip("SQLite runs one writing command at a time; no two arrivals overlap")
    harness.deploy(("fork.bpmn", FORK_JOIN))
    pid = harness.start("forkJoin")
    state = harness.state(pid)
    other_node = make_engine(harness.url, harness.clock)

    def slow_completion(ctx: CommandContext) -> None:
        task_service.complete(ctx, state.task("a").id, {})
        other_node.execute(task_service.complete, state.task("b").id, {})  # meanwhile

    try:
        with pytest.raises(OptimisticLockingError):
            harness.run(slow_completion)
    finally:
        other_node.close()
    assert harness.state(pid).activities == [("a", "active"), ("join", "join")]
    harness.complete(state.task("a").id)  # the loser's retry
    assert_finished(harness.state(pid), "end")
