"""A real HTTP server on 127.0.0.1 for connector tests: JSON, echo, statuses, slow and big
answers, a SOAP endpoint and a forward proxy for one public host the sample models name."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HOLIDAYS = [{"datum": "2014-04-21", "name": "Ostermontag"},
            {"datum": "2014-12-25", "name": "1. Weihnachtstag"}]
SOAP_NS = "http://www.w3.org/2003/05/soap-envelope"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes | str, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> str:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length).decode() if length else ""

    def _route(self) -> None:
        body = self._body()
        path = self.path
        if path.startswith("http://feiertage.jarmedia.de/"):  # we are the proxy
            self._send(200, json.dumps(HOLIDAYS))
        elif path.startswith("/json"):
            self._send(200, json.dumps({"name": "bpmnflow", "items": [1, 2, 3],
                                        "accept": self.headers.get("Accept"),
                                        "custom": self.headers.get("X-Custom")}),
                       headers={"X-Answer": "42"})
        elif path.startswith("/echo"):
            self._send(201, json.dumps({"method": self.command, "body": body,
                                        "contentType": self.headers.get("Content-Type"),
                                        "custom": self.headers.get("X-Custom")}))
        elif path.startswith("/status/"):
            code = int(path.rsplit("/", 1)[1])
            self._send(code, f"failed with {code}", "text/plain")
        elif path.startswith("/slow"):
            time.sleep(2)
            self._send(200, "{}")
        elif path.startswith("/big"):
            self._send(200, "x" * 5000, "text/plain")
        elif path.startswith("/soap"):
            self._soap(body)
        else:
            self._send(404, "not found", "text/plain")

    def _soap(self, body: str) -> None:
        city = body.split("<w:City>")[1].split("</w:City>")[0] if "<w:City>" in body else "?"
        temperature = {"Berlin": 17, "Rome": 24}.get(city, 0)
        envelope = (f'<soap:Envelope xmlns:soap="{SOAP_NS}"><soap:Body>'
                    f'<GetWeatherResponse xmlns="urn:weather"><GetWeatherResult>'
                    f'<Temperature unit="C">{temperature}</Temperature><City>{city}</City>'
                    f'</GetWeatherResult></GetWeatherResponse></soap:Body></soap:Envelope>')
        action = self.headers.get("SOAPAction") or ""
        self._send(200, envelope, "application/soap+xml; charset=utf-8",
                   headers={"X-Soap-Action": action,
                            "X-Request-Type": self.headers.get("Content-Type") or ""})

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _route


class StubServer:
    def __init__(self) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve() -> Iterator[StubServer]:
    """Body of a ``stub`` fixture: test modules declare ``stub = pytest.fixture(...)(serve)``."""
    server = StubServer()
    yield server
    server.close()


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
