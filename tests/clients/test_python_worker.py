"""Camunda's own Python worker client, unchanged, against a live bpmnflow server."""

from __future__ import annotations

import sys

import pytest

from tests.clients import scenario

pytest.importorskip(
    "camunda.external_task.external_task_worker",
    reason="camunda-external-task-client-python3 is not installed: pip install -e '.[test]'")


def test_python_worker_completes_fails_and_throws(client, server, tmp_path):
    started = scenario.start_all(client)
    log = tmp_path / "python-worker.log"
    worker = scenario.run_worker(
        [sys.executable, "-u", str(scenario.HERE / "python_worker.py"), server.url], log)
    try:
        scenario.check_outcome(client, started, worker, log, {
            **scenario.COMMON, "meta": ("Json", '{"by": "python"}')}, who="python",
            worker_id="4711")  # sent as a JSON number, locked and compared as a string
    finally:
        scenario.stop_worker(worker)
