"""Camunda's own Node.js worker client, unchanged, against a live bpmnflow server.

``.ci/run`` installs the client with ``npm ci --prefix tests/clients``; the test skips, saying
so, only where Node.js or that install is missing.
"""

from __future__ import annotations

import os
import shutil

import pytest

from tests.clients import scenario

PACKAGE = scenario.HERE / "node_modules" / "camunda-external-task-client-js" / "package.json"


@pytest.fixture
def node() -> str:
    found = shutil.which("node")
    if found is None:
        pytest.skip("Node.js is not installed: the npm worker client cannot run")
    if not PACKAGE.exists():
        pytest.skip("camunda-external-task-client-js is not installed: run "
                    "`npm ci --prefix tests/clients` (.ci/run does)")
    return found


def test_node_worker_completes_fails_and_throws(node, client, server, tmp_path):
    started = scenario.start_all(client)
    log = tmp_path / "node-worker.log"
    env = {**os.environ, "BPMNFLOW_URL": server.url}
    worker = scenario.run_worker([node, str(scenario.HERE / "node_worker.mjs")], log, env)
    try:
        scenario.check_outcome(client, started, worker, log, {
            **scenario.COMMON, "meta": ("Json", '{"by":"node"}'), "nothing": ("Null", None)},
            who="node", worker_id="node-worker")
    finally:
        scenario.stop_worker(worker)
