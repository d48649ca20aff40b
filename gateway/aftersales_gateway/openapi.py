"""OpenAPI 3 from the route table and the API schemas, and the docs page (Swagger UI,
bundled from a package: no CDN at run time)."""

from __future__ import annotations

import mimetypes
import re
from functools import cache
from importlib.resources import files
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from .routing import Route

_PATH_PARAM = re.compile(r"<(?:([^:<>]+):)?([^<>]+)>")
_PARAM_TYPES = {"int": {"type": "integer"}, None: {"type": "string"}}

STATUS_TEXT = {
    400: "Bad input: `fields` names each field at fault",
    401: "No valid token",
    403: "Not for your roles or sites",
    404: "Not found, or not yours to see",
    409: "Valid, but not now (state, duplicate, Idempotency-Key in use)",
    412: "`If-Match` names an older version: nothing changed",
    413: "The body is over 1 MiB",
    415: "The body is not `application/json`",
    429: "Too many attempts: wait and try again",
    503: "A service, the broker or a database did not answer in time: safe to retry "
    "with the same Idempotency-Key",
}
ALWAYS = {400: ("VALIDATION_ERROR",)}
SIGNED_IN = {401: ("TOKEN_MISSING", "TOKEN_INVALID", "TOKEN_EXPIRED")}
SERVICE = {
    503: (
        "SERVICE_TIMEOUT",
        "SERVICE_UNAVAILABLE",
        "DATABASE_UNAVAILABLE",
        "BROKER_UNAVAILABLE",
        "DOWNSTREAM_FAILED",
    )
}
BODY = {
    400: ("INVALID_JSON",),
    413: ("BODY_TOO_LARGE",),
    415: ("UNSUPPORTED_MEDIA_TYPE",),
}

DESCRIPTION = """After-sales service for car dealer groups: sites, headquarters and OEMs.

* **Auth**: `Authorization: Bearer <token>` except where marked public.
* **Errors** always have the shape `{"error": {"code", "message", "fields"}}`.
* **Decimals** (money, hours, quantities, rates) are strings: an optional minus, digits,
  a point and the field's places (`"180.00"`, `"1.5"`), never JSON numbers.
* **Timestamps** are RFC 3339 with a time zone; dates are `YYYY-MM-DD`.
* **Lists** are pages: `limit` (1–200, default 50) and `cursor`; the answer is
  `{"items": [...], "next_cursor": ...}`, `next_cursor` null on the last page.
* **Writes** take an `Idempotency-Key`: a retry with the same key and body returns the
  first result and never acts twice.
* **Documents people edit** carry an `ETag`; send it back as `If-Match` and a write
  based on an older version is refused with 412.
"""


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"example": "VALIDATION_ERROR"})
    message = fields.String(required=True)
    fields_ = fields.Dict(
        data_key="fields", required=True, metadata={"description": "field -> messages"}
    )


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


def all_routes() -> list[Route]:
    from .routes import TABLE

    return TABLE


def _role_text(route: Route) -> str:
    if route.public:
        return "Public: no token needed."
    if route.roles is None:
        return "Roles: any signed-in user (what they see is scoped to their sites)."
    return "Roles: " + ", ".join(f"`{role}`" for role in route.roles) + "."


def _errors(route: Route) -> dict[int, tuple[str, ...]]:
    codes: dict[int, set[str]] = {}
    extra: list[dict[int, Any]] = [ALWAYS, dict(route.errors)]
    if not route.public:
        # Any signed-in call may meet a role or site it is not for (an OEM user asking
        # for site records, staff naming another site), whatever the row's roles.
        extra.append(SIGNED_IN)
        extra.append({403: ("ROLE_FORBIDDEN", "SITE_FORBIDDEN")})
    if route.service is not None:
        extra.append(SERVICE)
    if route.takes_idempotency_key:
        extra.append({409: ("IDEMPOTENCY_KEY_REUSED", "IDEMPOTENCY_IN_PROGRESS")})
    if route.checks_if_match:
        extra.append({412: ("PRECONDITION_FAILED",)})
    if route.body is not None:
        extra.append(BODY)
    if route.names_a_site and not route.public:
        extra.append({404: ("SITE_NOT_FOUND",)})
    for mapping in extra:
        for status, names in mapping.items():
            codes.setdefault(status, set()).update(names)
    return {status: tuple(sorted(names)) for status, names in sorted(codes.items())}


def operation(route: Route) -> dict[str, Any]:
    """The OpenAPI operation of one row."""
    errors = _errors(route)
    lines = [route.description, _role_text(route)] if route.description else [_role_text(route)]
    lines.append(
        "Errors: "
        + "; ".join(
            f"{status}: " + ", ".join(f"`{c}`" for c in codes) for status, codes in errors.items()
        )
        + "."
    )
    op: dict[str, Any] = {
        "operationId": route.handler_name,
        "summary": route.summary,
        "description": "\n\n".join(lines),
        "tags": list(route.tags),
        "parameters": [],
        "responses": {},
    }
    for converter, name in _PATH_PARAM.findall(route.path):
        op["parameters"].append(
            {
                "in": "path",
                "name": name,
                "required": True,
                "schema": dict(_PARAM_TYPES.get(converter or None, {"type": "string"})),
            }
        )
    if route.query is not None:
        op["parameters"].append({"in": "query", "schema": route.query})
    if route.takes_idempotency_key:
        op["parameters"].append(
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Retrying with the same key and body returns the first result.",
            }
        )
    if route.checks_if_match:
        op["parameters"].append(
            {
                "in": "header",
                "name": "If-Match",
                "required": False,
                "schema": {"type": "string"},
                "description": "The `ETag` you read; a newer version answers 412.",
            }
        )
    if route.body is not None:
        op["requestBody"] = {
            "required": "body?" not in route.args,
            "content": {"application/json": {"schema": route.body}},
        }
    ok: dict[str, Any] = {"description": "OK" if route.status < 300 else "Redirect"}
    if route.response is not None:
        ok["content"] = {"application/json": {"schema": route.response}}
    if route.etag:
        ok["headers"] = {
            "ETag": {"description": "the document's version", "schema": {"type": "string"}}
        }
    op["responses"][str(route.status)] = ok
    for status, codes in errors.items():
        if status in route.answers:
            op["responses"][str(status)] = {
                "description": STATUS_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": route.answers[status]}},
            }
            continue
        op["responses"][str(status)] = {
            "description": STATUS_TEXT.get(status, "Error") + ": " + ", ".join(codes),
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    if not route.public:
        op["security"] = [{"bearer": []}]
    return op


@cache
def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="aftersales API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.schema("Error", schema=Error)
    paths: dict[str, dict[str, Any]] = {}
    for route in all_routes():
        if route.hidden:
            continue
        path = _PATH_PARAM.sub(r"{\2}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = operation(route)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


SWAGGER = "swagger-ui-4.15.5"
_ASSETS = ("swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png")


def docs_page() -> str:
    """Swagger UI on /openapi.json, its files served by the gateway itself."""
    return """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aftersales API</title>
<link rel="icon" href="/docs/assets/favicon-32x32.png">
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui",
deepLinking: true, persistAuthorization: true, tryItOutEnabled: true});</script>
</body></html>"""


def swagger_asset(name: str) -> Response:
    if name not in _ASSETS:
        raise NotFound(f"no docs asset {name}")
    data = files("swagger_ui_bundle").joinpath("vendor", SWAGGER, name).read_bytes()
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(data, content_type=kind, headers={"Cache-Control": "max-age=86400"})
