"""Camunda's Python external task client (``camunda-external-task-client-python3``), used as
its documentation shows, working the topics of ``scenario.py`` until it is stopped.

Usage: ``python python_worker.py BASE_URL`` (``http://127.0.0.1:PORT/engine-rest``).
The worker id is a number on purpose: the client sends it as a JSON number on complete,
failure and bpmnError, and the server must compare it as the string it locked the task for.
"""

from __future__ import annotations

import json
import logging
import sys

from camunda.external_task.external_task import ExternalTask, TaskResult
from camunda.external_task.external_task_worker import ExternalTaskWorker

TOPICS = ["charge", "flaky", "VALIDATE_IMAGE", "REJECT_IMAGE"]
CONFIG = {
    "maxTasks": 5,
    "lockDuration": 10_000,
    "asyncResponseTimeout": 5_000,  # long polling: woken by the server when tasks appear
    "retries": 3,
    "retryTimeout": 200,
    "sleepSeconds": 0.2,  # after an error; the client's default is five minutes
    "httpTimeoutMillis": 10_000,
}


def handle(task: ExternalTask) -> TaskResult:
    topic = task.get_topic_name()
    if topic == "charge":  # complete with values of several types, and one local variable
        return task.complete(
            {"status": "paid", "count": 3, "ratio": 0.5, "ok": True,
             "total": task.get_variable("amount") * 2,
             "meta": {"value": json.dumps({"by": "python"}), "type": "Json"},
             "big": {"value": 2**40, "type": "Long"},
             "when": {"value": "2026-01-31T12:00:00.000+0000", "type": "Date"}},
            {"scratch": "local to the activity"})
    if topic == "flaky":  # fail until the retries the client counts down are gone
        return task.failure("boom", "stack", max_retries=2, retry_timeout=200)
    if topic == "VALIDATE_IMAGE":  # caught by the INVALID_IMAGE boundary event
        return task.bpmn_error("INVALID_IMAGE", "blurry", {"checked_by": "python"})
    return task.complete({})


def main(base_url: str) -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stdout)
    ExternalTaskWorker(worker_id=4711, base_url=base_url, config=CONFIG).subscribe(TOPICS, handle)


if __name__ == "__main__":
    main(sys.argv[1])
