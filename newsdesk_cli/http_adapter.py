"""Serves a Lambda handler over HTTP as API Gateway's REST API (v1 proxy) would, edge included.

`build_event` turns an HTTP request into a REST proxy event and `parse_response` turns the
handler's answer back into status, headers and body. `ApiGatewayApp` is the ASGI application
that does both around one handler and plays API Gateway's edge: what the gateway would refuse
(methods it does not know, headers over 10 KB, bodies over 10 MB or that never arrive) is a
problem+json 4xx before the function is invoked. `ApiServer` serves that application with
uvicorn's h11 protocol, so HTTP/1.1 framing (Content-Length, chunked bodies, malformed request
lines and headers) is parsed by a kept library; a request h11 refuses is answered with a problem
document and the connection closed. The server runs in a thread and stops within a second.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import socket
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from newsdesk_cli.lambda_context import LocalLambdaContext

Handler = Callable[[dict[str, Any], Any], Any]

logger = logging.getLogger(__name__)

# Headers API Gateway sets itself; the handler's values for them are not passed on.
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "date"}
_GATEWAY_ERROR = b'{"message": "Internal server error"}'
_GATEWAY_TIMEOUT = b'{"message": "Endpoint request timed out"}'

# API Gateway REST limits (Amazon API Gateway quotas): what the edge refuses before invoking.
METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")  # what ANY covers
MAX_BODY_BYTES = 10 * 1024 * 1024  # payload size
MAX_HEADER_BYTES = 10 * 1024  # request line and header values, combined
INTEGRATION_TIMEOUT_SECONDS = 29.0
# A request whose head h11 is still buffering past this is refused (431) and closed.
MAX_HEAD_BUFFER_BYTES = 16 * 1024
# A request head or a declared body that has not fully arrived after this long is refused (408).
HEAD_TIMEOUT_SECONDS = 10.0
BODY_TIMEOUT_SECONDS = 10.0


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


def problem_body(status: HTTPStatus, detail: str) -> bytes:
    """An RFC 9457 problem document for an answer of the edge itself."""
    document = {"type": "about:blank", "title": status.phrase, "status": status.value}
    document["detail"] = detail
    return json.dumps(document).encode()


def _problem(
    status: HTTPStatus, detail: str, *, close: bool = False, **headers: str
) -> HttpResponse:
    head = [("Content-Type", "application/problem+json"), ("Cache-Control", "no-store")]
    head.extend((name.replace("_", "-"), value) for name, value in headers.items())
    if close:
        head.append(("Connection", "close"))
    return HttpResponse(status.value, head, problem_body(status, detail))


RequestLog = Callable[[str, str, int, float], None]
Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class _BodyRefused(Exception):
    def __init__(self, response: HttpResponse | None) -> None:
        self.response = response  # None: the client went away, nothing to answer


class ApiGatewayApp:
    """ASGI application: API Gateway's edge and proxy integration in front of one handler.

    Invocations run one at a time in a thread of their own (one warm container), so a slow
    function never blocks the event loop: other connections are accepted and refused or queued.
    """

    def __init__(
        self,
        handler: Handler,
        *,
        function_name: str = "ApiFunction",
        on_request: RequestLog | None = None,
        body_timeout: float = BODY_TIMEOUT_SECONDS,
        integration_timeout: float = INTEGRATION_TIMEOUT_SECONDS,
    ) -> None:
        self.handler = handler
        self.function_name = function_name
        self.on_request = on_request
        self.body_timeout = body_timeout
        self.integration_timeout = integration_timeout
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="api-invoke")

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan and websockets are switched off in the server's config
        started = time.perf_counter()
        method: str = scope["method"]
        target = _target(scope)
        response = await self._answer(scope, receive, method, target)
        if response is None:
            return
        await _send_response(send, method, response)
        if self.on_request:
            elapsed_ms = (time.perf_counter() - started) * 1000
            self.on_request(method, target, response.status, elapsed_ms)

    async def _answer(
        self, scope: Scope, receive: Receive, method: str, target: str
    ) -> HttpResponse | None:
        if method not in METHODS:
            return _problem(
                HTTPStatus.METHOD_NOT_ALLOWED,
                f"the method {method[:32]!r} is not supported",
                Allow=", ".join(METHODS),
            )
        if scope.get("http_version") not in ("1.0", "1.1"):
            version = str(scope.get("http_version"))[:8]
            return _problem(HTTPStatus.BAD_REQUEST, f"HTTP/{version} is not served", close=True)
        if not target.startswith("/"):
            return _problem(HTTPStatus.BAD_REQUEST, "the request target must be an absolute path")
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        names = {name for name, _ in raw_headers}
        if b"transfer-encoding" in names and b"content-length" in names:
            # Framing two ways is how requests are smuggled past proxies (RFC 9112 6.1).
            return _problem(
                HTTPStatus.BAD_REQUEST,
                "Content-Length and Transfer-Encoding are mutually exclusive",
                close=True,
            )
        head_size = len(target) + sum(len(name) + len(value) for name, value in raw_headers)
        if head_size > MAX_HEADER_BYTES:
            return _problem(
                HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                f"the request line and headers exceed {MAX_HEADER_BYTES} bytes",
                close=True,
            )
        try:
            body = await self._read_body(raw_headers, receive)
        except _BodyRefused as refused:
            return refused.response
        client = scope.get("client") or ("127.0.0.1", 0)
        server = scope.get("server") or ("127.0.0.1", 0)
        headers = _forwarded(
            [(_spelled(name), value.decode("latin-1")) for name, value in raw_headers],
            client=client[0],
            port=server[1],
        )
        event = build_event(method, target, headers, body, source_ip=client[0])
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self._executor, self._invoke, event)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.integration_timeout)
        except TimeoutError:
            return HttpResponse(504, [("Content-Type", "application/json")], _GATEWAY_TIMEOUT)

    async def _read_body(self, raw_headers: list[tuple[bytes, bytes]], receive: Receive) -> bytes:
        declared = next((value for name, value in raw_headers if name == b"content-length"), None)
        # h11 has checked the value is one run of digits; its size is the edge's to bound.
        if declared is not None and int(declared) > MAX_BODY_BYTES:
            raise _BodyRefused(_too_large())
        body = bytearray()
        oversized = False
        deadline = time.monotonic() + self.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                if oversized:
                    raise _BodyRefused(_too_large()) from None
                raise _BodyRefused(
                    _problem(
                        HTTPStatus.REQUEST_TIMEOUT,
                        f"the request body did not arrive within {self.body_timeout:.0f} s",
                        close=True,
                    )
                ) from None
            if message["type"] == "http.disconnect":
                raise _BodyRefused(None)
            if not oversized:
                body += message.get("body", b"")
                if len(body) > MAX_BODY_BYTES:
                    # Read on and discard until the body ends (or the deadline), so the client,
                    # still sending, reads the 413 instead of a reset connection.
                    oversized = True
                    body = bytearray()
            if not message.get("more_body"):
                if oversized:
                    raise _BodyRefused(_too_large())
                return bytes(body)

    def _invoke(self, event: dict[str, Any]) -> HttpResponse:
        context = LocalLambdaContext(function_name=self.function_name)
        try:
            result = self.handler(event, context)
        except Exception:  # noqa: BLE001 - API Gateway answers 502 for a crashed function
            logger.error("%s raised:\n%s", self.function_name, traceback.format_exc())
            return HttpResponse(502, [("Content-Type", "application/json")], _GATEWAY_ERROR)
        return parse_response(result)


def _spelled(name: bytes) -> str:
    """A header name as clients spell it ("x-api-key" -> "X-Api-Key"): the server hands them
    over lower-cased, API Gateway passes the client's spelling, and handlers may look either up."""
    return "-".join(part.capitalize() for part in name.decode("latin-1").split("-"))


def _too_large() -> HttpResponse:
    return _problem(
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        f"the request body exceeds {MAX_BODY_BYTES} bytes",
        close=True,
    )


_ABSOLUTE_FORM = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _target(scope: Scope) -> str:
    """The request target as sent (path still percent-encoded, query string appended)."""
    raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
    path = raw_path.decode("latin-1")
    if _ABSOLUTE_FORM.match(path):
        path = urlsplit(path).path or "/"  # absolute-form (RFC 9112 3.2.2): only its path counts
    query: bytes = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


def _forwarded(headers: list[tuple[str, str]], *, client: str, port: int) -> list[tuple[str, str]]:
    """The headers API Gateway passes on: X-Forwarded-* are its own, whatever the client sent."""
    kept = [
        (n, v) for n, v in headers if n.lower() not in ("x-forwarded-proto", "x-forwarded-port")
    ]
    earlier = [v for n, v in kept if n.lower() == "x-forwarded-for"]
    kept = [(n, v) for n, v in kept if n.lower() != "x-forwarded-for"]
    chain = ", ".join([*earlier, client])
    return [
        *kept,
        ("X-Forwarded-For", chain),
        ("X-Forwarded-Port", str(port)),
        ("X-Forwarded-Proto", "http"),
    ]


async def _send_response(send: Send, method: str, response: HttpResponse) -> None:
    has_body = method != "HEAD" and response.status not in (204, 304) and response.status >= 200
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in response.headers
    ]
    if has_body:
        headers.append((b"content-length", str(len(response.body)).encode()))
    elif response.status in (204, 304):
        pass  # no framing header: neither status has content
    elif response.body:
        # HEAD: the length GET would have sent (RFC 9110 9.3.2); nothing follows.
        headers.append((b"content-length", str(len(response.body)).encode()))
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": response.body if has_body else b""})


def _edge_protocol(head_timeout: float) -> type[Any]:
    """uvicorn's h11 protocol, answering what h11 cannot parse with a problem document, and a
    request head that is not complete `head_timeout` seconds into a connection (or after the
    previous answer on it) with a 408."""
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class EdgeProtocol(H11Protocol):  # type: ignore[misc]
        head_timer: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:
            super().connection_made(transport)
            self._arm_head_timer()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm_head_timer()

        def _arm_head_timer(self) -> None:
            if self.head_timer is not None:
                self.head_timer.cancel()
            self.head_timer = self.loop.call_later(head_timeout, self._head_timed_out)

        def _head_timed_out(self) -> None:
            # Only while no request of this cycle has been read (h11 is still IDLE on it).
            if self.conn.their_state is not h11.IDLE or self.transport.is_closing():
                return
            if self.conn.trailing_data[0]:
                self._refuse(HTTPStatus.REQUEST_TIMEOUT, "the request head did not arrive in time")
            else:
                self.transport.close()

        def send_400_response(self, msg: str) -> None:
            pending, _ = self.conn.trailing_data
            if len(pending) >= MAX_HEAD_BUFFER_BYTES:
                self._refuse(
                    HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    f"the request line and headers exceed {MAX_HEADER_BYTES} bytes",
                )
            else:
                self._refuse(
                    HTTPStatus.BAD_REQUEST,
                    "the request is not valid HTTP/1.1 (request line, headers or framing)",
                )

        def _refuse(self, status: HTTPStatus, detail: str) -> None:
            # Written as bytes: h11 has no request to answer in these states.
            body = problem_body(status, detail)
            head = (
                f"HTTP/1.1 {status.value} {status.phrase}\r\n"
                "content-type: application/problem+json\r\n"
                f"content-length: {len(body)}\r\n"
                "connection: close\r\n\r\n"
            )
            self.transport.write(head.encode() + body)
            self.transport.close()

    return EdgeProtocol


class ApiServer:
    """`app` on host:port, served by uvicorn (h11) in a thread; `start()` returns once it listens.

    The socket is bound in the constructor, so a port in use fails at once (OSError) and port 0
    picks a free one (see `port`).
    """

    def __init__(
        self,
        app: ApiGatewayApp,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        head_timeout: float = HEAD_TIMEOUT_SECONDS,
    ) -> None:
        import uvicorn

        self.app = app
        self.socket = socket.create_server((host, port))
        self.host = host
        self.port: int = self.socket.getsockname()[1]
        config = uvicorn.Config(
            app,
            http=_edge_protocol(head_timeout),
            ws="none",
            lifespan="off",
            log_config=None,
            access_log=False,
            server_header=False,
            proxy_headers=False,  # X-Forwarded-* from a client say nothing about it
            timeout_keep_alive=5,
            timeout_graceful_shutdown=1,
            h11_max_incomplete_event_size=MAX_HEAD_BUFFER_BYTES,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self.socket]}, name="api-server"
        )
        self._thread.daemon = True
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the API server did not start on {self.url}")
            time.sleep(0.02)

    def stop(self, timeout: float = 1.5) -> None:
        """Stop accepting, finish or drop open connections, within `timeout` seconds."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout * 2 / 3)
            if self._thread.is_alive():
                self._server.force_exit = True
                self._thread.join(timeout / 3)
        self.app.close()
        self.socket.close()
