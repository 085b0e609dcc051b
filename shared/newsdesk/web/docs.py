"""The API's documentation: the OpenAPI document as served at /openapi.json.

Swagger UI at /docs is powertools' own (`enable_swagger`), over the same document: the
resolver (newsdesk.web.resolver) adjusts it to what the API really answers.
"""

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response

from newsdesk.web.resolver import ContentResolver
from newsdesk.web.responses import answer_json


def answer_openapi(app: ContentResolver) -> Response[Any]:
    """The OpenAPI 3.1 document, its server being this request's base path."""
    from aws_lambda_powertools.event_handler.openapi.models import Server

    servers = [Server(url=app.base_path() or "/")]
    return answer_json(json.loads(app.get_openapi_json_schema(servers=servers)))


__all__ = ["answer_openapi"]
