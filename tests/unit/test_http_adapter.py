"""The local API adapter: HTTP request → API Gateway REST proxy event → HTTP response, and the
edge in front of it, tried over raw sockets as a hostile client would."""

from __future__ import annotations

import base64
import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from newsdesk_cli.http_adapter import (
    MAX_BODY_BYTES,
    MAX_HEADER_BYTES,
    ApiGatewayApp,
    ApiServer,
    build_event,
    parse_response,
)


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
    """The edge in front of a handler that records each event and echoes it back."""
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append(event)
        if event["path"] == "/boom":
            raise RuntimeError("handler bug")
        if event["path"] == "/cached":
            return {"statusCode": 304, "headers": {"ETag": '"abc"'}, "body": ""}
        if event["path"] == "/binary":
            return {
                "statusCode": 201,
                "multiValueHeaders": {"Link": ["<a>; rel=next"], "X-Multi": ["1", "2"]},
                "body": base64.b64encode(b"\x00\x01binary").decode(),
                "isBase64Encoded": True,
            }
        echo = {"method": event["httpMethod"], "path": event["path"], "body": event["body"]}
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(echo),
        }

    server = ApiServer(ApiGatewayApp(handler, body_timeout=1.0), head_timeout=1.0)
    server.start()
    yield server, seen
    server.stop()


def _request(
    server: ApiServer, method: str, target: str, **kwargs: Any
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    connection.request(method, target, **kwargs)
    return connection.getresponse()


def test_server_round_trip(echo_server: tuple[ApiServer, list[dict[str, Any]]]) -> None:
    server, seen = echo_server

    # Given a request with a body and repeated query parameters
    response = _request(
        server, "POST", "/binary?x=1&x=2", body=b"payload", headers={"X-Api-Key": "k"}
    )

    # Then the handler saw an API Gateway event, and the client got its decoded answer
    assert response.status == 201
    assert response.read() == b"\x00\x01binary"
    assert response.getheader("Link") == "<a>; rel=next"
    assert response.headers.get_all("X-Multi") == ["1", "2"]
    event = seen[-1]
    assert event["httpMethod"] == "POST"
    assert event["pathParameters"] == {"proxy": "binary"}
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


# ---------------------------------------------------------------- raw sockets


def exchange(server: ApiServer, data: bytes, *, wait: float = 5.0) -> tuple[bytes, bool]:
    """Send raw bytes; (everything the server sent, whether it closed the connection)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as connection:
        connection.sendall(data)
        received = b""
        try:
            while chunk := connection.recv(65536):
                received += chunk
        except TimeoutError:
            return received, False
        return received, True


def responses(raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Split what the server sent into (status, headers, body) per response."""
    answers = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        answers.append((status, headers, rest[:length]))
        raw = rest[length:]
    return answers


def problem_of(answer: tuple[int, dict[str, str], bytes]) -> dict[str, Any]:
    status, headers, body = answer
    assert headers["content-type"] == "application/problem+json", answer
    problem: dict[str, Any] = json.loads(body)
    assert problem["status"] == status
    assert problem["title"] and problem["detail"]
    return problem


HOSTILE_REQUESTS = {
    "odd method": (b"BREW /articles HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    "lower-case method": (b"get /articles HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    "Content-Length: abc": (
        b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nabc",
        400,
    ),
    "Content-Length: -5": (
        b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nabc",
        400,
    ),
    "two Content-Lengths": (
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde",
        400,
    ),
    "huge Content-Length": (
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\nab",
        413,
    ),
    "body over 10 MB, chunked": (
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + (b"100000\r\n" + b"a" * 0x100000 + b"\r\n") * (MAX_BODY_BYTES // 0x100000 + 1),
        413,
    ),
    "Content-Length longer than the body": (
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
        408,
    ),
    "head never finished": (b"GET /articles HTTP/1.1\r\nHost: x\r\n", 408),
    "Content-Length and chunked": (
        b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n",
        400,
    ),
    "unsupported transfer coding": (
        b"POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        400,
    ),
    "headers over 10 KB": (
        b"GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (MAX_HEADER_BYTES + 100) + b"\r\n\r\n",
        431,
    ),
    "headers past what is buffered": (
        b"GET /a HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 64_000 + b"\r\n\r\n",
        431,
    ),
    "no Host": (b"GET /a HTTP/1.1\r\n\r\n", 400),
    "HTTP/9.9": (b"GET /a HTTP/9.9\r\nHost: x\r\n\r\n", 400),
    "asterisk target": (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    "TLS handshake bytes": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", 400),
    "header without colon": (b"GET /a HTTP/1.1\r\nHost: x\r\nnonsense\r\n\r\n", 400),
    "control character in a header": (b"GET /a HTTP/1.1\r\nHost: x\r\nX-A: 1\x002\r\n\r\n", 400),
}


@pytest.mark.parametrize(("raw", "status"), HOSTILE_REQUESTS.values(), ids=HOSTILE_REQUESTS.keys())
def test_a_malformed_or_refused_request_is_a_problem_and_never_reaches_the_function(
    echo_server: tuple[ApiServer, list[dict[str, Any]]],
    caplog: pytest.LogCaptureFixture,
    raw: bytes,
    status: int,
) -> None:
    server, seen = echo_server

    # When a client sends it
    with caplog.at_level(logging.DEBUG):
        received, closed = exchange(server, raw)

    # Then one problem document answers it, nothing reaches the function, and the server
    # logged no traceback
    answers = responses(received)
    assert [answer[0] for answer in answers] == [status], received[:300]
    problem_of(answers[0])
    assert seen == []
    assert "Traceback" not in caplog.text
    # A refused framing leaves the stream unusable: the connection is closed, except for an
    # unknown method on a well-framed request, after which the client may go on
    assert closed or status == 405


def test_a_chunked_body_is_a_body_and_never_a_second_request(
    echo_server: tuple[ApiServer, list[dict[str, Any]]],
) -> None:
    server, seen = echo_server
    hidden = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"

    # When a chunked body holds the bytes of another request
    received, _ = exchange(
        server,
        b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n" + f"{len(hidden):x}\r\n".encode() + hidden + b"\r\n0\r\n\r\n",
    )

    # Then the function got one POST whose body is those bytes; no GET /smuggled was served
    assert [answer[0] for answer in responses(received)] == [200]
    assert [(event["httpMethod"], event["path"], event["body"]) for event in seen] == [
        ("POST", "/upload", hidden.decode())
    ]


def test_pipelined_requests_are_answered_in_order_on_one_connection(
    echo_server: tuple[ApiServer, list[dict[str, Any]]],
) -> None:
    server, seen = echo_server

    received, closed = exchange(
        server,
        b"GET /one HTTP/1.1\r\nHost: x\r\n\r\n"
        b"POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        b"GET /three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )

    assert [json.loads(body)["path"] for _, _, body in responses(received)] == [
        "/one",
        "/two",
        "/three",
    ]
    assert seen[1]["body"] == "abc"
    assert closed


def test_head_answers_headers_only_and_the_connection_goes_on(
    echo_server: tuple[ApiServer, list[dict[str, Any]]],
) -> None:
    server, _ = echo_server

    received, _ = exchange(
        server,
        b"HEAD /articles HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /articles HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )

    head, _, rest = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    # Its length announced, no body bytes: what follows is the GET's answer
    head_body = json.dumps({"method": "HEAD", "path": "/articles", "body": None})
    assert b"content-length: %d" % len(head_body) in head.lower()
    get_status, _, get_body = responses(rest)[0]
    assert get_status == 200
    assert json.loads(get_body)["method"] == "GET"


def test_client_forwarding_headers_are_replaced_by_the_edge(
    echo_server: tuple[ApiServer, list[dict[str, Any]]],
) -> None:
    server, seen = echo_server

    _request(
        server,
        "GET",
        "/articles",
        headers={
            "X-Forwarded-Proto": "javascript",
            "X-Forwarded-Port": "1",
            "X-Forwarded-For": "203.0.113.9",
        },
    ).read()

    headers = seen[-1]["headers"]
    assert headers["X-Forwarded-Proto"] == "http"
    assert headers["X-Forwarded-Port"] == str(server.port)
    assert headers["X-Forwarded-For"] == "203.0.113.9, 127.0.0.1"


def test_a_slow_function_does_not_stop_the_edge_from_refusing_bad_requests() -> None:
    finished = threading.Event()

    def slow(event: dict[str, Any], context: Any) -> dict[str, Any]:
        time.sleep(1.5)
        finished.set()
        return {"statusCode": 200, "body": "done"}

    server = ApiServer(ApiGatewayApp(slow))
    server.start()
    try:
        # Given a request that keeps the function busy
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/slow")

        # When a malformed request comes meanwhile, it is answered before the slow one
        received, _ = exchange(server, b"GET /a HTTP/1.1\r\nContent-Length: x\r\n\r\n")
        assert responses(received)[0][0] == 400
        assert not finished.is_set()
        slow_answer = connection.getresponse()
        assert slow_answer.status == 200 and slow_answer.read() == b"done"
    finally:
        server.stop()
