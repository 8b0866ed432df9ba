"""``bpmnflow serve`` in a child process, exactly as a user starts it, on a free port.

A separate process gives the server its own interpreter lock, so the load generator in the
benchmark's process does not slow it down except by sharing the CPU cores, as any real client
on the same machine would.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

import httpx

from bench.models import RESOURCES

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/engine-rest"


def wait_ready(process: subprocess.Popen[bytes], port: int, timeout: float = 30) -> None:
    """Poll ``GET /version`` until the server answers; fail early if its process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(f"{base_url(port)}/version", timeout=1) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.05)
    raise RuntimeError(f"server did not answer within {timeout:.0f} s")


def deploy_models(port: int, resources: Mapping[str, bytes] = RESOURCES) -> None:
    """Deploy the benchmark's processes as a user would: a multipart ``/deployment/create``."""
    files = [
        ("data", (name, content, "application/octet-stream")) for name, content in resources.items()
    ]
    response = httpx.post(
        f"{base_url(port)}/deployment/create",
        files=files,
        data={"deployment-name": "bench"},
        timeout=30,
    )
    response.raise_for_status()


class ServerProcess:
    """One server on 127.0.0.1 with its data in ``data_dir`` (or on ``database_url``)."""

    def __init__(self, data_dir: Path, database_url: str | None = None) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = free_port()
        self.log_path = data_dir / "server.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return base_url(self.port)

    def start(self, timeout: float = 30) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable,
            "-m",
            "bpmnflow.cli.main",
            "serve",
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--history-level",
            "full",
        ]
        if self.database_url:
            command += ["--database-url", self.database_url]
        # The user's own BPMNFLOW_* settings (a database URL, a config file) must not leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("BPMNFLOW_")}
        # Open, as in the issue-2 figures: the benchmark measures the engine, not the login.
        env["BPMNFLOW_AUTHENTICATION"] = "false"
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        try:
            wait_ready(self._process, self.port, timeout)
        except RuntimeError as exc:
            self.stop()
            raise RuntimeError(
                f"{exc}\n{self.log_path.read_text(errors='replace')[-2000:]}"
            ) from None
        return self

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server so far (Linux only), to show where time goes."""
        if self._process is None:
            return None
        try:
            fields = Path(f"/proc/{self._process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / _TICKS

    def stop(self) -> None:
        """SIGTERM, as an operator would; the server finishes what is in flight and exits."""
        if self._process is None:
            return
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
