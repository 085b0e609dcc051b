"""The local API adapter: HTTP request → API Gateway REST proxy event → HTTP response."""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from newsdesk_cli.http_adapter import ApiServer, build_event, parse_response


def test_event_carries_path_query_and_headers_like_api_gateway() -> None:
    event = build_event(
        "GET",
        "/articles?tag=energy&tag=wind&limit=5&empty=&q=caf%C3%A9+au+lait",
        [
            ("Host", "127.0.0.1:3000"),
            ("Accept", "application/json"),
            ("X-Dup", "a"),
            ("x-dup", "b"),
        ],
        source_ip="10.0.0.7",
        request_id="req-1",
    )

    assert event["httpMethod"] == "GET"
    assert event["path"] == "/articles"
    assert event["resource"] == "/{proxy+}"
    assert event["pathParameters"] == {"proxy": "articles"}
    assert event["multiValueQueryStringParameters"] == {
        "tag": ["energy", "wind"],
        "limit": ["5"],
        "empty": [""],
        "q": ["café au lait"],
    }
    # The single-value map keeps the last value, as API Gateway does.
    assert event["queryStringParameters"] == {
        "tag": "wind",
        "limit": "5",
        "empty": "",
        "q": "café au lait",
    }
    assert event["headers"]["Accept"] == "application/json"
    assert event["multiValueHeaders"]["X-Dup"] == ["a", "b"]
    assert event["headers"]["X-Dup"] == "b"
    context = event["requestContext"]
    assert context["requestId"] == "req-1"
    assert context["stage"] == "local"
    assert context["path"] == "/articles"
    assert context["identity"]["sourceIp"] == "10.0.0.7"
    assert event["body"] is None
    assert event["isBase64Encoded"] is False


def test_root_and_encoded_paths() -> None:
    root = build_event("GET", "/", [])
    assert root["path"] == "/"
    assert root["resource"] == "/"
    assert root["pathParameters"] is None
    assert root["queryStringParameters"] is None
    assert root["multiValueQueryStringParameters"] is None

    nested = build_event("GET", "/authors/tom%C3%A1s-herrera", [])
    assert nested["path"] == "/authors/tomás-herrera"
    assert nested["pathParameters"] == {"proxy": "authors/tomás-herrera"}


def test_text_body_is_passed_as_is_and_binary_body_as_base64() -> None:
    text = build_event("POST", "/x", [], "héllo".encode())
    assert text["body"] == "héllo"
    assert text["isBase64Encoded"] is False

    raw = b"\x89PNG\r\n\x1a\n\xff\x00"
    binary = build_event("POST", "/x", [], raw)
    assert binary["isBase64Encoded"] is True
    assert base64.b64decode(binary["body"]) == raw


def test_response_merges_headers_and_multi_value_headers() -> None:
    response = parse_response(
        {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json", "Vary": "ignored"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"], "vary": ["Origin"]},
            "body": '{"ok": true}',
            "isBase64Encoded": False,
        }
    )

    assert response.status == 200
    assert response.body == b'{"ok": true}'
    assert ("Set-Cookie", "a=1") in response.headers
    assert ("Set-Cookie", "b=2") in response.headers
    # Where both maps name a header, the multi-value list wins.
    assert [value for name, value in response.headers if name.lower() == "vary"] == ["Origin"]
    assert response.header("content-type") == "application/json"


def test_base64_response_body_is_decoded() -> None:
    payload = bytes(range(256))
    response = parse_response(
        {"statusCode": 200, "body": base64.b64encode(payload).decode(), "isBase64Encoded": True}
    )
    assert response.body == payload


def test_a_result_that_is_not_a_proxy_response_is_a_502() -> None:
    assert parse_response(None).status == 502
    assert parse_response({"body": "no status"}).status == 502


@pytest.fixture
def echo_server() -> Iterator[tuple[ApiServer, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        if event["path"] == "/boom":
            raise RuntimeError("handler bug")
        if event["path"] == "/cached":
            return {"statusCode": 304, "headers": {"ETag": '"abc"'}, "body": ""}
        return {
            "statusCode": 201,
            "multiValueHeaders": {"Link": ["<a>; rel=next"], "X-Multi": ["1", "2"]},
            "body": base64.b64encode(b"\x00\x01binary").decode(),
            "isBase64Encoded": True,
        }

    server = ApiServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, seen
    server.shutdown()
    server.server_close()
    thread.join()


def _request(
    server: ApiServer, method: str, target: str, **kwargs: Any
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_address[1], timeout=5)
    connection.request(method, target, **kwargs)
    return connection.getresponse()


def test_server_round_trip(echo_server: tuple[ApiServer, list[dict[str, Any]]]) -> None:
    server, seen = echo_server

    # Given a request with a body and repeated query parameters
    response = _request(
        server, "POST", "/articles/abc?x=1&x=2", body=b"payload", headers={"X-Api-Key": "k"}
    )

    # Then the handler saw an API Gateway event, and the client got its decoded answer
    assert response.status == 201
    assert response.read() == b"\x00\x01binary"
    assert response.getheader("Link") == "<a>; rel=next"
    assert response.headers.get_all("X-Multi") == ["1", "2"]
    event = seen[-1]
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"proxy": "articles/abc"}
    assert event["multiValueQueryStringParameters"] == {"x": ["1", "2"]}
    assert event["body"] == "payload"
    assert event["headers"]["X-Api-Key"] == "k"
    assert event["headers"]["X-Forwarded-Proto"] == "http"
    assert event["requestContext"]["identity"]["apiKey"] == "k"


def test_server_answers_304_without_body_and_502_for_a_crash(
    echo_server: tuple[ApiServer, list[dict[str, Any]]],
) -> None:
    server, _ = echo_server

    cached = _request(server, "GET", "/cached")
    assert cached.status == 304
    assert cached.getheader("ETag") == '"abc"'
    assert cached.read() == b""

    crashed = _request(server, "GET", "/boom")
    assert crashed.status == 502
    assert crashed.read() == b'{"message": "Internal server error"}'
