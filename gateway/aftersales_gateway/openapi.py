"""OpenAPI 3 from the route declarations and marshmallow schemas, and a docs page."""

from __future__ import annotations

import html
import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from .http import ROUTES

_PATH_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"example": "VALIDATION_ERROR"})
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields", metadata={"description": "field -> messages"})


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


def build_spec() -> dict[str, Any]:
    spec = APISpec(
        title="aftersales API",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "After-sales service for car dealer groups: sites, HQ and OEMs."},
    )
    spec.components.security_scheme(
        "bearer", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    )
    spec.components.schema("Error", schema=Error)
    error_ref = {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    }
    paths: dict[str, dict[str, Any]] = {}
    for route in ROUTES:
        path = _PATH_PARAM.sub(r"{\1}", route.path)
        operation: dict[str, Any] = {
            "summary": route.summary,
            "tags": route.tags,
            "parameters": [],
            "responses": {},
        }
        for name in _PATH_PARAM.findall(route.path):
            operation["parameters"].append(
                {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}
            )
        if route.query is not None:
            operation["parameters"].append({"in": "query", "schema": route.query})
        if route.idempotent:
            operation["parameters"].append(
                {
                    "in": "header",
                    "name": "Idempotency-Key",
                    "required": False,
                    "schema": {"type": "string", "maxLength": 200},
                    "description": "Retrying with the same key returns the first result.",
                }
            )
        if route.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": route.body}},
            }
        ok: dict[str, Any] = {"description": "OK"}
        if route.response is not None:
            ok["content"] = {"application/json": {"schema": route.response}}
        operation["responses"][str(route.status)] = ok
        codes = set(route.errors) | {400, 500}
        if not route.public:
            codes |= {401, 403}
            operation["security"] = [{"bearer": []}]
        for code in sorted(codes):
            operation["responses"][str(code)] = {"description": "Error", **error_ref}
        paths.setdefault(path, {})[route.method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def docs_page(spec: dict[str, Any]) -> str:
    """A readable, self-contained page (no CDN) listing every operation and schema."""
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(spec['info']['title'])}</title>",
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;"
        "padding:0 1rem}code,pre{background:#f4f4f4;padding:.1rem .3rem}"
        ".op{border-left:4px solid #3a7;padding:.3rem .8rem;margin:.8rem 0}"
        ".m{font-weight:bold;text-transform:uppercase}</style></head><body>",
        f"<h1>{html.escape(spec['info']['title'])} {html.escape(spec['info']['version'])}</h1>",
        f"<p>{html.escape(spec['info'].get('description', ''))}</p>",
        "<p>Machine-readable: <a href='/openapi.json'>/openapi.json</a>. Errors always have "
        'the shape <code>{"error": {"code", "message", "fields"}}</code>. Send '
        "<code>Authorization: Bearer &lt;JWT&gt;</code> except where marked public.</p>",
    ]
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            public = "" if op.get("security") else " <em>(public)</em>"
            out.append(
                f"<div class='op'><span class='m'>{method}</span> <code>{html.escape(path)}"
                f"</code>{public}<br>{html.escape(op.get('summary', ''))}<br>"
                f"Responses: {', '.join(op['responses'])}</div>"
            )
    out.append("<h2>Schemas</h2>")
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        props = ", ".join(f"<code>{html.escape(p)}</code>" for p in schema.get("properties", {}))
        out.append(f"<p><b>{html.escape(name)}</b>: {props}</p>")
    out.append("</body></html>")
    return "\n".join(out)
