"""The content API's resolver: powertools' REST resolver and what this API adds at its edges.

- The OpenAPI document says what the API answers: parameter errors are 400 problems (never
  powertools' 422 shape), a 304 has no content, every operation documents its 431, 500, 503.
  /openapi.json and the Swagger UI of /docs (powertools' own) both serve this document.
- HEAD is answered as GET, without a body.
- The routes it serves are known by rule and method (for a 405 and its Allow header).
- The base path of a request (the stage, when called through the execute-api URL).

Only public resolver methods are overridden; the resolver's private attributes are not read.
"""

import re
from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.models import OpenAPI
from aws_lambda_powertools.utilities.typing import LambdaContext

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_POWERTOOLS_ERROR_SCHEMAS = ("HTTPValidationError", "ValidationError", "ResponseValidationError")
# Statuses any operation can answer, whatever its parameters.
_ALWAYS_POSSIBLE = {
    "431": "Request line and headers over 10 KB: refused at the edge, before the API runs",
    "500": "Internal Server Error (a bug: quote the request_id)",
    "503": "Service Unavailable (storage busy: retry after Retry-After)",
}
_DYNAMIC_SEGMENT = re.compile(r"<(\w+)>")


def compile_rule(rule: str) -> re.Pattern[str]:
    """A route rule ("/articles/<article_id>") as a pattern over request paths."""
    pattern = _DYNAMIC_SEGMENT.sub(lambda match: f"(?P<{match.group(1)}>[^/]+)", re.escape(rule))
    return re.compile(f"^{pattern.rstrip('/') or '/'}/?$")


class ContentResolver(APIGatewayRestResolver):
    """APIGatewayRestResolver with the documented answers, HEAD as GET, and a route table."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.route_table: list[tuple[re.Pattern[str], frozenset[str]]] = []

    def route(self, rule: str, method: Any, *args: Any, **kwargs: Any) -> Any:
        methods = [method] if isinstance(method, str) else list(method)
        self.route_table.append((compile_rule(rule), frozenset(m.upper() for m in methods)))
        return super().route(rule, method, *args, **kwargs)

    def allowed_methods(self, path: str) -> list[str]:
        """The methods a path is served with (HEAD with GET, OPTIONS with any); [] if none."""
        methods: set[str] = set()
        for pattern, route_methods in self.route_table:
            if pattern.match(path):
                methods |= route_methods
        if "GET" in methods:
            methods.add("HEAD")
        if methods:
            methods.add("OPTIONS")
        return sorted(methods)

    def base_path(self) -> str:
        """The stage prefix of this request's URL: "/dev" through the execute-api URL, "" through
        a custom domain or the local stack (whose URLs carry no stage)."""
        context = self.current_event.request_context
        stage = context.stage
        full_path = context.path or ""
        if stage and stage != "$default" and full_path.startswith(f"/{stage}/"):
            return f"/{stage}"
        if stage and full_path == f"/{stage}":
            return f"/{stage}"
        return ""

    def resolve(self, event: Mapping[str, Any], context: LambdaContext) -> dict[str, Any]:
        """Answer the event; HEAD as GET with the body left out."""
        if event.get("httpMethod") != "HEAD":
            result: dict[str, Any] = super().resolve(event, context)
            return result
        as_get = {**event, "httpMethod": "GET"}
        request_context = event.get("requestContext")
        if isinstance(request_context, dict):
            as_get["requestContext"] = {**request_context, "httpMethod": "GET"}
        answer: dict[str, Any] = super().resolve(as_get, context)
        answer["body"] = ""
        answer["isBase64Encoded"] = False
        return answer

    def get_openapi_schema(self, **options: Any) -> OpenAPI:
        """The generated document, adjusted to what the API really answers."""
        document = super().get_openapi_schema(**options)
        data = document.model_dump(by_alias=True, exclude_none=True, mode="json")
        describe_real_answers(data)
        return OpenAPI.model_validate(data)


def describe_real_answers(document: dict[str, Any]) -> None:
    """Parameter errors are 400 problems (drop powertools' 422), a 304 has no content, and
    every operation may answer 431 (at the edge), 500 and 503 problems."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.pop("422", None)
            if "304" in responses:
                responses["304"].pop("content", None)
            for status, description in _ALWAYS_POSSIBLE.items():
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/problem+json": {"schema": _PROBLEM_REF}},
                    },
                )
    schemas = document.get("components", {}).get("schemas", {})
    for name in _POWERTOOLS_ERROR_SCHEMAS:
        schemas.pop(name, None)


__all__ = ["ContentResolver", "compile_rule", "describe_real_answers"]
