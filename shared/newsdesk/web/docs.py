"""The API's documentation: the OpenAPI document as served, and an offline Swagger UI page."""

import json
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response

from newsdesk.errors import NotFoundError
from newsdesk.web.responses import get_public_cache

# Swagger UI's assets ship inside aws-lambda-powertools (in the layer already); /docs serves
# them from the API function, so the page works with no internet access.
_SWAGGER_ASSETS = {
    "swagger-ui-bundle.min.js": "application/javascript",
    "swagger-ui.min.css": "text/css",
}
_DOCS_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>newsdesk content API</title>
  <link rel="stylesheet" href="{base}/docs/swagger-ui.min.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="{base}/docs/swagger-ui-bundle.min.js"></script>
  <script>
    window.ui = SwaggerUIBundle({{
      url: "{base}/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      validatorUrl: null
    }});
  </script>
</body>
</html>
"""


def answer_docs_page(app: APIGatewayRestResolver) -> Response[Any]:
    """The Swagger UI page, loading its assets and the document from this API."""
    return Response(
        status_code=200,
        content_type="text/html; charset=utf-8",
        body=_DOCS_HTML.format(base=app._get_base_path()),
        headers={"Cache-Control": get_public_cache()},
    )


def answer_docs_asset(asset: str) -> Response[Any]:
    """One of Swagger UI's assets, read from the installed powertools package."""
    content_type = _SWAGGER_ASSETS.get(asset)
    if content_type is None:
        raise NotFoundError(f"no documentation asset {asset}")
    from importlib.resources import files

    text = files("aws_lambda_powertools.event_handler.openapi.swagger_ui").joinpath(asset)
    return Response(
        status_code=200,
        content_type=content_type,
        body=text.read_text(encoding="utf-8"),
        headers={"Cache-Control": "public, max-age=86400"},
    )


def build_openapi_document(app: APIGatewayRestResolver) -> dict[str, Any]:
    """The generated OpenAPI 3.1 document, adjusted to what the API really answers: parameter
    errors are 400 problems (not powertools' default 422 shape) and a 304 has no body."""
    from aws_lambda_powertools.event_handler.openapi.models import Server

    servers = [Server(url=app._get_base_path() or "/")]
    document: dict[str, Any] = json.loads(app.get_openapi_json_schema(servers=servers))
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            responses = operation.get("responses", {})
            responses.pop("422", None)
            if "304" in responses:
                responses["304"].pop("content", None)
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError", "ResponseValidationError"):
        schemas.pop(name, None)
    return document


__all__ = ["answer_docs_asset", "answer_docs_page", "build_openapi_document"]
