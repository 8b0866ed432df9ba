"""``http-connector`` and ``soap-http-connector``: Camunda Connect's two connectors over httpx.

Inputs are the connector's input parameters (``url``, ``method``, ``headers``, ``payload``,
``request-config``); the answer is the response parameters output parameters read:
``statusCode``, ``response`` (the body as text) and ``headers``.  A 4xx/5xx answer is a normal
response unless ``request-config`` says ``throw-http-error``; a connection failure or timeout
is an error, which fails the activity (and so the job, when the activity is asynchronous).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from bpmnflow.connect import client
from bpmnflow.errors import EngineError

METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE")
_NO_BODY = ("GET", "HEAD", "OPTIONS", "TRACE")
SOAP_CONTENT_TYPE = "application/soap+xml; charset=utf-8"


class ConnectorError(EngineError):
    """A connector request that could not be made or answered (Camunda's
    ConnectorRequestException / ConnectorResponseException)."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "type") and hasattr(value, "value") and isinstance(value.value, str):
        return str(value.value)  # a typed value or Spin node: its text
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return str(value)


def _flag(value: Any) -> bool:
    return str(value).strip().lower() == "true"


def http_request(params: Mapping[str, Any]) -> dict[str, Any]:
    url = _text(params.get("url"))
    if not url or not url.strip():
        raise ConnectorError("HTCL-02005 Request url required.")
    method = (_text(params.get("method")) or "").strip().upper()
    if method not in METHODS:
        raise ConnectorError(f"HTCL-02006 Unknown or unsupported HTTP method '{method}'")
    headers = {str(k): _text(v) or "" for k, v in (params.get("headers") or {}).items()}
    payload = _text(params.get("payload"))
    config = dict(params.get("request-config") or {})
    return _send(method, url.strip(), headers, None if method in _NO_BODY else payload, config)


def soap_request(params: Mapping[str, Any]) -> dict[str, Any]:
    method = (_text(params.get("method")) or "POST").strip().upper()
    if method != "POST":
        raise ConnectorError(f"SOAPCL-01001 Invalid request method: only POST is allowed for "
                             f"SOAP requests, not '{method}'")
    payload = _text(params.get("payload"))
    if payload is None:
        raise ConnectorError("SOAPCL-01002 Payload is required for SOAP requests")
    headers = dict(params.get("headers") or {})
    if not any(k.lower() == "content-type" for k in headers):
        headers["Content-Type"] = SOAP_CONTENT_TYPE
    return http_request({**params, "method": "POST", "headers": headers, "payload": payload})


def _send(method: str, url: str, headers: dict[str, str], payload: str | None,
          config: dict[str, Any]) -> dict[str, Any]:
    settings = client.settings()
    try:
        timeout = client.timeout(settings, config)
    except (TypeError, ValueError) as exc:
        raise ConnectorError(f"HTCL-02009 Invalid value for request configuration option: "
                             f"{exc}") from None
    redirects = config.get("redirects-enabled", config.get("follow-redirects"))
    try:
        with client.shared().stream(
                method, url, headers=headers,
                content=payload.encode("utf-8") if payload is not None else None,
                timeout=timeout,
                follow_redirects=True if redirects is None else _flag(redirects)) as response:
            body = _read_limited(response, settings.max_response_bytes)
    except httpx.TimeoutException as exc:
        raise ConnectorError(f"HTCL-02007 Unable to execute HTTP request: timed out "
                             f"({type(exc).__name__}) calling {method} {url}") from None
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise ConnectorError(f"HTCL-02007 Unable to execute HTTP request: {reason} calling "
                             f"{method} {url}") from None
    text = body.decode(response.charset_encoding or "utf-8", errors="replace") if body else None
    status = response.status_code
    if _flag(config.get("throw-http-error", False)) and 400 <= status <= 599:
        raise ConnectorError(f"HTCL-02010 HTTP request failed with Status Code: {status} , "
                             f"Response: {text or ''}"[:4000])
    return {"statusCode": status, "response": text, "headers": _headers(response)}


def _read_limited(response: httpx.Response, limit: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise ConnectorError(f"HTCL-02004 Unable to read connectorResponse: the response is "
                                 f"larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _headers(response: httpx.Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for raw_name, raw_value in response.headers.raw:
        name, value = raw_name.decode("latin-1"), raw_value.decode("latin-1")
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out
