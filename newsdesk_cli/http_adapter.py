"""Serves a Lambda handler over plain HTTP as API Gateway's REST API (v1 proxy) would.

`build_event` turns an HTTP request into a REST proxy event, `parse_response` turns the
handler's answer back into status, headers and body, and `ApiServer` is the stdlib
ThreadingHTTPServer that glues them to a handler for `newsdesk dev`.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from newsdesk_cli.lambda_context import LocalLambdaContext

Handler = Callable[[dict[str, Any], Any], Any]

# Headers API Gateway sets itself; the handler's values for them are not passed on.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date"}
_GATEWAY_ERROR = b'{"message": "Internal server error"}'


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The first value of a header, by case-insensitive name."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def build_event(
    method: str,
    target: str,
    headers: Iterable[tuple[str, str]],
    body: bytes = b"",
    *,
    source_ip: str = "127.0.0.1",
    stage: str = "local",
    request_id: str | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """An API Gateway REST (v1) proxy event for one HTTP request, as the `/{proxy+}` route sees it.

    `target` is the request line's target (path and query string). Like `sam local start-api`,
    the stage is not part of the local URL, so `requestContext.path` equals `path`.
    """
    split = urlsplit(target)
    path = unquote(split.path) or "/"

    multi_headers: dict[str, list[str]] = {}
    for name, value in headers:
        # API Gateway keeps the client's spelling; duplicates keep their order.
        existing = next((key for key in multi_headers if key.lower() == name.lower()), name)
        multi_headers.setdefault(existing, []).append(value)
    single_headers = {name: values[-1] for name, values in multi_headers.items()}

    multi_query: dict[str, list[str]] = {}
    for name, value in parse_qsl(split.query, keep_blank_values=True):
        multi_query.setdefault(name, []).append(value)
    single_query = {name: values[-1] for name, values in multi_query.items()}

    event_body: str | None
    is_base64 = False
    if not body:
        event_body = None
    else:
        try:
            event_body = body.decode("utf-8")
        except UnicodeDecodeError:
            event_body = base64.b64encode(body).decode("ascii")
            is_base64 = True

    when = now or datetime.now(UTC)
    request_id = request_id or str(uuid.uuid4())
    proxy = path.lstrip("/")
    resource = "/{proxy+}" if proxy else "/"
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method.upper(),
        "headers": single_headers or None,
        "multiValueHeaders": multi_headers or None,
        "queryStringParameters": single_query or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": proxy} if proxy else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "local",
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": method.upper(),
            "path": path,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "requestId": request_id,
            "extendedRequestId": request_id,
            "requestTime": when.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "requestTimeEpoch": int(when.timestamp() * 1000),
            "domainName": single_headers.get("Host") or single_headers.get("host") or "localhost",
            "identity": {
                "sourceIp": source_ip,
                "userAgent": _header(multi_headers, "user-agent"),
                "apiKey": _header(multi_headers, "x-api-key"),
            },
        },
        "body": event_body,
        "isBase64Encoded": is_base64,
    }


def _header(headers: Mapping[str, list[str]], name: str) -> str | None:
    for key, values in headers.items():
        if key.lower() == name:
            return values[-1]
    return None


def parse_response(response: Any) -> HttpResponse:
    """The HTTP response API Gateway sends for a proxy integration's result.

    `headers` and `multiValueHeaders` are merged; where both name a header, the multi-value
    list wins, as in API Gateway. A result that is not a valid proxy response is a 502.
    """
    if not isinstance(response, dict) or not isinstance(response.get("statusCode"), int):
        return HttpResponse(502, [("Content-Type", "application/json")], _GATEWAY_ERROR)

    headers: list[tuple[str, str]] = []
    multi = response.get("multiValueHeaders") or {}
    multi_names = {name.lower() for name in multi}
    for name, values in multi.items():
        headers.extend((name, str(value)) for value in values)
    for name, value in (response.get("headers") or {}).items():
        if name.lower() not in multi_names:
            headers.append((name, str(value)))
    headers = [(name, value) for name, value in headers if name.lower() not in _HOP_BY_HOP]

    raw = response.get("body")
    if raw is None:
        body = b""
    elif response.get("isBase64Encoded"):
        body = base64.b64decode(raw)
    else:
        body = str(raw).encode("utf-8")
    return HttpResponse(int(response["statusCode"]), headers, body)


RequestLog = Callable[[str, str, int, float], None]


class ApiServer(ThreadingHTTPServer):
    """HTTP in front of one Lambda handler. Invocations are serialized by `invoke_lock`,
    as one warm Lambda container handles one request at a time."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: Handler,
        *,
        function_name: str = "ApiFunction",
        invoke_lock: threading.Lock | None = None,
        on_request: RequestLog | None = None,
    ) -> None:
        super().__init__(address, _RequestHandler)
        self.lambda_handler = handler
        self.function_name = function_name
        self.invoke_lock = invoke_lock or threading.Lock()
        self.on_request = on_request

    def invoke(self, event: dict[str, Any]) -> HttpResponse:
        context = LocalLambdaContext(function_name=self.function_name)
        try:
            with self.invoke_lock:
                result = self.lambda_handler(event, context)
        except Exception:  # noqa: BLE001 - API Gateway answers 502 for a crashed function
            logging.getLogger(__name__).error(
                "%s raised:\n%s", self.function_name, traceback.format_exc()
            )
            return HttpResponse(502, [("Content-Type", "application/json")], _GATEWAY_ERROR)
        return parse_response(result)


class _RequestHandler(BaseHTTPRequestHandler):
    server: ApiServer
    protocol_version = "HTTP/1.1"
    server_version = "newsdesk-dev"

    def _handle(self) -> None:
        started = time.perf_counter()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        event = build_event(
            self.command,
            self.path,
            self._headers_with_forwarding(),
            body,
            source_ip=self.client_address[0],
        )
        response = self.server.invoke(event)
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        send_body = self.command != "HEAD" and response.status not in (204, 304)
        self.send_header("Content-Length", str(len(response.body) if send_body else 0))
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)
        if self.server.on_request:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.server.on_request(self.command, self.path, response.status, elapsed_ms)

    def _headers_with_forwarding(self) -> list[tuple[str, str]]:
        headers = list(self.headers.items())
        names = {name.lower() for name, _ in headers}
        # API Gateway adds these; handlers build absolute links (Link: rel="next") from them.
        extra = {
            "X-Forwarded-For": self.client_address[0],
            "X-Forwarded-Port": str(self.server.server_address[1]),
            "X-Forwarded-Proto": "http",
        }
        headers.extend((name, value) for name, value in extra.items() if name.lower() not in names)
        return headers

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle

    def log_message(self, format: str, *args: Any) -> None:
        # Requests are logged once, by on_request; the stdlib's stderr lines would duplicate them.
        return
