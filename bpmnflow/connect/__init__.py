"""Camunda Connect: the connectors a ``camunda:connector`` may name, and calling them.

    invoke("http-connector", {"url": ..., "method": "GET"}) -> {"statusCode", "response",
                                                              "headers"}
    configure(HttpSettings(proxy=..., ca_bundle=...))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bpmnflow.connect.settings import HttpSettings

HTTP_CONNECTOR = "http-connector"
SOAP_CONNECTOR = "soap-http-connector"
CONNECTOR_IDS = frozenset({HTTP_CONNECTOR, SOAP_CONNECTOR})


def invoke(connector_id: str, params: Mapping[str, Any]) -> dict[str, Any]:
    from bpmnflow.connect import http

    calls: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
        HTTP_CONNECTOR: http.http_request, SOAP_CONNECTOR: http.soap_request}
    return calls[connector_id](params)


def configure(settings: HttpSettings) -> None:
    from bpmnflow.connect import client

    client.configure(settings)


__all__ = ["CONNECTOR_IDS", "HTTP_CONNECTOR", "SOAP_CONNECTOR", "HttpSettings", "configure",
           "invoke"]
