"""Batches: asynchronous deletion, modification, migration and restart run by jobs in chunks,
surviving a server restart, every item handled exactly once."""

from __future__ import annotations

from bpmnflow.jobs.executor import run_job
from tests.conftest import bpmn, deploy

WAIT = bpmn("batchy", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="a"/>
    <userTask id="a"/>
    <sequenceFlow id="f2" sourceRef="a" targetRef="b"/>
    <userTask id="b"/>
    <sequenceFlow id="f3" sourceRef="b" targetRef="end"/>
    <endEvent id="end"/>
""")


def _jobs(server):
    with server.engine.db.transaction(write=False) as session:
        return [row[0] for row in session.query(
            "SELECT id FROM bf_job ORDER BY priority DESC, create_time, id")]


def _drain(server, restart_after: int | None = None):
    """Run every job (as the executor would), optionally restarting the server midway."""
    runs = 0
    while True:
        pending = _jobs(server)
        if not pending:
            return runs
        for job_id in pending:
            assert run_job(server.engine, job_id) is None
            runs += 1
            if restart_after is not None and runs == restart_after:
                server.restart()
                break


def _start_many(client, count):
    deploy(client, ("batchy.bpmn", WAIT))
    return [client.post("/process-definition/key/batchy/start", json={}).json()["id"]
            for _ in range(count)]


def _start_in_process(client, server, count):
    """Many instances, started through the services layer to keep the test quick."""
    from bpmnflow.services import process_definitions

    deploy(client, ("batchy.bpmn", WAIT))
    definition = client.get("/process-definition/key/batchy").json()["id"]
    return [server.engine.execute(process_definitions.start, definition, None, {}, False)[0].id
            for _ in range(count)]


def test_delete_async_of_thousands_survives_a_restart(client, server):
    ids = _start_in_process(client, server, 2000)
    response = client.post("/process-instance/delete", json={
        "processInstanceIds": ids, "deleteReason": "cleanup"})
    assert response.status_code == 200, response.text
    batch = response.json()
    assert batch["type"] == "instance-deletion" and batch["totalJobs"] == 2000
    assert client.get(f"/batch/{batch['id']}").status_code == 200
    stats = client.get("/batch/statistics").json()[0]
    assert stats["remainingJobs"] == 2000 and stats["completedJobs"] == 0
    _drain(server, restart_after=700)
    # Every item handled exactly once: one successful execution job per instance, none failed
    # or repeated across the restart.
    with server.engine.db.transaction(write=False) as session:
        states = dict(session.query(
            "SELECT job_state, COUNT(*) FROM bf_hi_job_log WHERE job_def_type = ? "
            "GROUP BY job_state", ("batch-execution",)))
    assert states == {0: 2000, 2: 2000}
    assert client.get("/process-instance/count").json() == {"count": 0}
    terminated = client.get("/history/process-instance/count",
                            params={"externallyTerminated": "true"}).json()
    assert terminated == {"count": 2000}
    log = client.get("/history/user-operation/count", params={"batchId": batch["id"]}).json()
    assert log["count"] >= 1  # the batch itself is in the operation log
    assert client.get(f"/batch/{batch['id']}").status_code == 404
    historic = client.get(f"/history/batch/{batch['id']}").json()
    assert historic["endTime"] is not None


def test_modification_and_migration_async(client, server):
    ids = _start_many(client, 3)
    definition = client.get("/process-definition/key/batchy").json()["id"]
    response = client.post("/modification/executeAsync", json={
        "processDefinitionId": definition, "processInstanceIds": ids,
        "instructions": [{"type": "startBeforeActivity", "activityId": "b"},
                         {"type": "cancel", "activityId": "a"}]})
    assert response.status_code == 200, response.text
    _drain(server)
    tasks = client.get("/task", params={"processDefinitionKey": "batchy"}).json()
    assert sorted(t["taskDefinitionKey"] for t in tasks) == ["b", "b", "b"]
    deploy(client, ("batchy.bpmn", WAIT.replace(b'id="a"/>', b'id="a" name="v2"/>')))
    target = client.get("/process-definition/key/batchy").json()["id"]
    plan = client.post("/migration/generate", json={"sourceProcessDefinitionId": definition,
                                                     "targetProcessDefinitionId": target}).json()
    response = client.post("/migration/executeAsync", json={"migrationPlan": plan,
                                                             "processInstanceIds": ids})
    assert response.status_code == 200, response.text
    _drain(server)
    assert client.get("/process-instance/count",
                      params={"processDefinitionId": target}).json() == {"count": 3}


def test_suspend_and_delete_a_batch(client, server):
    ids = _start_many(client, 2)
    batch = client.post("/process-instance/delete", json={"processInstanceIds": ids}).json()
    assert client.put(f"/batch/{batch['id']}/suspended",
                      json={"suspended": True}).status_code == 204
    assert client.get(f"/batch/{batch['id']}").json()["suspended"] is True
    assert client.delete(f"/batch/{batch['id']}", params={"cascade": "true"}).status_code == 204
    assert _jobs(server) == []
    assert client.get("/process-instance/count").json() == {"count": 2}
    assert client.get(f"/history/batch/{batch['id']}").status_code == 404


def test_empty_batch_is_refused(client):
    response = client.post("/process-instance/delete", json={"processInstanceIds": []})
    assert response.status_code == 400


def test_set_removal_time_of_historic_batches(client, server):
    ids = _start_many(client, 2)
    batch = client.post("/process-instance/delete", json={"processInstanceIds": ids}).json()
    _drain(server)
    response = client.post("/history/batch/set-removal-time", json={
        "historicBatchIds": [batch["id"]],
        "absoluteRemovalTime": "2030-01-01T00:00:00.000+0000"})
    assert response.status_code == 200, response.text
    assert response.json()["type"] == "batch-set-removal-time"
    _drain(server)
    historic = client.get(f"/history/batch/{batch['id']}").json()
    assert historic["removalTime"] == "2030-01-01T00:00:00.000+0000"
    assert client.post("/history/batch/set-removal-time", json={
        "historicBatchIds": [batch["id"]]}).status_code == 400
