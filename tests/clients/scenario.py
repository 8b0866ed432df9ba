"""What both Camunda worker clients are asked to do, and how the outcome is checked.

Three processes: ``clientOrder`` is completed with variables of several types, ``clientFlaky``
fails until its retries run out (an incident), and the shared image example throws a BPMN
error that its boundary event catches. A worker subscribes to :data:`TOPICS` and handles each
task as its comment in the worker scripts says; the test then reads the outcome through REST.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.api.helpers import DATE, start, task_keys, typed
from tests.conftest import bpmn, deploy, model

HERE = Path(__file__).resolve().parent
TOPICS = ["charge", "flaky", "VALIDATE_IMAGE", "REJECT_IMAGE"]
ORDER = bpmn("clientOrder", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="charge"/>
    <serviceTask id="charge" camunda:type="external" camunda:topic="charge"/>
    <sequenceFlow id="f2" sourceRef="charge" targetRef="done"/>
    <userTask id="done"/>
""")
FLAKY = bpmn("clientFlaky", """
    <startEvent id="start"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="flaky"/>
    <serviceTask id="flaky" camunda:type="external" camunda:topic="flaky"/>
    <sequenceFlow id="f2" sourceRef="flaky" targetRef="end"/>
    <endEvent id="end"/>
""")
IMAGES = "external/py-bpmn_error_example.bpmn"
# what every client sends back for the order, whatever its own way of typing values
COMMON = {"status": ("String", "paid"), "count": ("Integer", 3), "ratio": ("Double", 0.5),
          "ok": ("Boolean", True), "total": ("Integer", 42), "big": ("Long", 2**40),
          "when": ("Date", DATE)}


@dataclass
class Started:
    order: str
    flaky: str
    image: str


def start_all(client: httpx.Client) -> Started:
    deploy(client, ("order.bpmn", ORDER), ("flaky.bpmn", FLAKY),
           ("images.bpmn", model(IMAGES)))
    return Started(
        order=start(client, "clientOrder", {"amount": typed(21, "Integer")})["id"],
        flaky=start(client, "clientFlaky")["id"],
        image=start(client, "BPMN_ERROR_EXAMPLE", businessKey="img-1")["id"])


def wait_until(check: Callable[[], Any], worker: subprocess.Popen[bytes], log: Path,
               what: str, timeout: float = 20.0) -> Any:
    """Poll until ``check`` returns something truthy; fail with the worker's log if not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        if worker.poll() is not None:
            raise AssertionError(f"the worker exited ({worker.returncode}) before {what}:\n"
                                 + _tail(log))
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n" + _tail(log))


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-40:]) if log.exists() else ""


def variables(client: httpx.Client, pid: str) -> dict[str, tuple[str, Any]]:
    response = client.get(f"/process-instance/{pid}/variables")
    assert response.status_code == 200, response.text
    return {name: (v["type"], v["value"]) for name, v in response.json().items()}


def historic_variables(client: httpx.Client, pid: str) -> dict[str, Any]:
    response = client.get("/history/variable-instance", params={"processInstanceId": pid})
    assert response.status_code == 200, response.text
    return {v["name"]: v["value"] for v in response.json()}


def external_tasks(client: httpx.Client, pid: str) -> list[dict[str, Any]]:
    response = client.get("/external-task", params={"processInstanceId": pid})
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def incident_types(client: httpx.Client, pid: str) -> list[str]:
    response = client.get("/incident", params={"processInstanceId": pid})
    assert response.status_code == 200, response.text
    return [incident["incidentType"] for incident in response.json()]


def check_outcome(client: httpx.Client, started: Started,
                  worker: subprocess.Popen[bytes], log: Path,
                  order_variables: dict[str, tuple[str, Any]], who: str, worker_id: str) -> None:
    """The state every client must leave behind, read back through REST."""
    wait_until(lambda: task_keys(client, started.order) == ["done"], worker, log,
               "the order's external task to be completed")
    assert variables(client, started.order) == {"amount": ("Integer", 21), **order_variables}

    def failed_out() -> dict[str, Any] | None:
        tasks = external_tasks(client, started.flaky)
        return tasks[0] if tasks and tasks[0]["retries"] == 0 else None

    flaky = wait_until(failed_out, worker, log, "the flaky task to run out of retries")
    assert flaky["errorMessage"] == "boom" and flaky["activityId"] == "flaky"
    assert flaky["workerId"] == worker_id
    details = client.get(f"/external-task/{flaky['id']}/errorDetails")
    assert details.status_code == 200 and details.text == "stack"
    assert incident_types(client, started.flaky) == ["failedExternalTask"]

    def image_done() -> bool:
        found = client.get(f"/history/process-instance/{started.image}")
        return found.status_code == 200 and found.json()["state"] == "COMPLETED"

    wait_until(image_done, worker, log, "the image process to end through its error path")
    path = client.get("/history/activity-instance", params={
        "processInstanceId": started.image, "sortBy": "occurrence", "sortOrder": "asc"})
    assert [a["activityId"] for a in path.json()] == [
        "IMAGE_UPLOADED", "VALIDATE_IMAGE", "INVALID_IMAGE", "REJECT_IMAGE", "IMAGE_REJECTED"]
    assert historic_variables(client, started.image) == {
        "rejection_code": "INVALID_IMAGE", "rejection_reason": "blurry", "checked_by": who}


def run_worker(command: list[str], log: Path, env: dict[str, str] | None = None
               ) -> subprocess.Popen[bytes]:
    """Start a worker process, its output going to ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=HERE)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """End the worker this test started (only that process, by its handle)."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(5)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
