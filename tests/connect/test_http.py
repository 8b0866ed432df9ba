"""The HTTP and SOAP connectors against a real local server, without the engine."""

from __future__ import annotations

import json

import pytest

from bpmnflow import connect
from bpmnflow.connect import client
from bpmnflow.connect.http import ConnectorError
from bpmnflow.connect.settings import HttpSettings
from tests.connect.stub import closed_port, serve

stub = pytest.fixture(scope="module")(serve)

pytestmark = pytest.mark.usefixtures("stub")


@pytest.fixture
def settings():
    previous = client.settings()
    yield
    connect.configure(previous)


def test_get_with_headers(stub):
    answer = connect.invoke("http-connector", {
        "url": f"{stub.url}/json", "method": "get",
        "headers": {"Accept": "application/json", "X-Custom": "yes"}})
    assert answer["statusCode"] == 200
    body = json.loads(answer["response"])
    assert body["accept"] == "application/json" and body["custom"] == "yes"
    assert answer["headers"]["X-Answer"] == "42"


def test_post_sends_the_payload(stub):
    answer = connect.invoke("http-connector", {
        "url": f"{stub.url}/echo", "method": "POST", "payload": '{"a": 1}',
        "headers": {"Content-Type": "application/json"}})
    body = json.loads(answer["response"])
    assert answer["statusCode"] == 201
    assert body == {"method": "POST", "body": '{"a": 1}', "contentType": "application/json",
                    "custom": None}


def test_a_get_ignores_the_payload(stub):
    answer = connect.invoke("http-connector", {"url": f"{stub.url}/echo", "method": "GET",
                                               "payload": "ignored"})
    assert json.loads(answer["response"])["body"] == ""


def test_head_has_no_body(stub):
    answer = connect.invoke("http-connector", {"url": f"{stub.url}/json", "method": "HEAD"})
    assert answer["statusCode"] == 200 and answer["response"] is None


def test_an_error_status_is_an_answer_unless_asked_to_throw(stub):
    answer = connect.invoke("http-connector", {"url": f"{stub.url}/status/503", "method": "GET"})
    assert answer["statusCode"] == 503 and answer["response"] == "failed with 503"
    with pytest.raises(ConnectorError, match="Status Code: 404"):
        connect.invoke("http-connector", {"url": f"{stub.url}/status/404", "method": "GET",
                                          "request-config": {"throw-http-error": "TRUE"}})


@pytest.mark.parametrize("params, message", [
    ({"method": "GET"}, "Request url required"),
    ({"url": "http://127.0.0.1:1/", "method": "FETCH"}, "Unknown or unsupported HTTP method"),
])
def test_bad_requests(params, message):
    with pytest.raises(ConnectorError, match=message):
        connect.invoke("http-connector", params)


def test_a_refused_connection_fails():
    with pytest.raises(ConnectorError, match="Unable to execute HTTP request"):
        connect.invoke("http-connector", {"url": f"http://127.0.0.1:{closed_port()}/",
                                          "method": "GET"})


def test_a_timeout_fails(stub):
    with pytest.raises(ConnectorError, match="timed out"):
        connect.invoke("http-connector", {"url": f"{stub.url}/slow", "method": "GET",
                                          "request-config": {"socket-timeout": 200}})


def test_a_response_over_the_limit_fails(stub, settings):
    connect.configure(HttpSettings(max_response_bytes=1000))
    with pytest.raises(ConnectorError, match="larger than the limit of 1000 bytes"):
        connect.invoke("http-connector", {"url": f"{stub.url}/big", "method": "GET"})


def test_the_proxy_setting_routes_requests(stub, settings):
    connect.configure(HttpSettings(proxy=stub.url))
    answer = connect.invoke("http-connector", {
        "url": "http://feiertage.jarmedia.de/api/?jahr=2014", "method": "GET"})
    assert json.loads(answer["response"])[0]["datum"] == "2014-04-21"


def test_invalid_settings_are_refused():
    with pytest.raises(ValueError):
        connect.configure(HttpSettings(read_timeout_ms=0))


def test_soap_posts_the_envelope_with_its_action(stub):
    envelope = "<e><w:City>Rome</w:City></e>"
    answer = connect.invoke("soap-http-connector", {
        "url": f"{stub.url}/soap", "payload": envelope, "headers": {"SOAPAction": "GetWeather"}})
    assert answer["statusCode"] == 200
    assert "<Temperature unit=\"C\">24</Temperature>" in answer["response"]
    assert answer["headers"]["X-Soap-Action"] == "GetWeather"
    assert answer["headers"]["X-Request-Type"] == "application/soap+xml; charset=utf-8"


def test_soap_needs_a_payload_and_post(stub):
    with pytest.raises(ConnectorError, match="Payload is required"):
        connect.invoke("soap-http-connector", {"url": f"{stub.url}/soap"})
    with pytest.raises(ConnectorError, match="only POST"):
        connect.invoke("soap-http-connector", {"url": f"{stub.url}/soap", "method": "GET",
                                               "payload": "<e/>"})
