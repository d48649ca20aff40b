"""Operations: health of every service, the OpenAPI document, the docs page, the
vocabulary, and `/` leading to the console or the docs."""

from __future__ import annotations

from typing import Any

import eventlet
from marshmallow import Schema, fields, validate
from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from aftersales_contracts.vocabulary import VOCABULARY
from aftersales_contracts.vocabulary import as_json as vocabulary_json
from aftersales_core.db import ping

from ..base import DEALER_SERVICES, GatewayBase
from ..openapi import build_spec, docs_page, swagger_asset
from ..routing import row, table


class ProcessHealth(Schema):
    """One process: "up", or "down" with why (open: a process may report more)."""

    service = fields.String()
    status = fields.String(required=True, validate=validate.OneOf(("up", "down")))
    database = fields.Dict(metadata={"description": "ok, dialect, error"})
    broker = fields.Dict(metadata={"description": "ok"})
    outbox_pending = fields.Integer(metadata={"description": "events not yet relayed"})
    error = fields.String()


class HealthOut(Schema):
    status = fields.String(required=True, validate=validate.OneOf(("up", "degraded")))
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ProcessHealth), required=True)


class Label(Schema):
    code = fields.String(required=True)
    zh = fields.String(required=True)
    en = fields.String(required=True)


VocabularyOut = Schema.from_dict(
    {name: fields.List(fields.Nested(Label), required=True) for name in VOCABULARY},
    name="VocabularyOut",
)

ROUTES = table(
    None,
    ["ops"],
    row(
        "GET",
        "/",
        "Where to start: the console, else the API docs",
        "home",
        public=True,
        status=302,
    ),
    row(
        "GET",
        "/health",
        "Every service, its database and the broker",
        "health",
        public=True,
        response=HealthOut,
        errors={503: ("SERVICE_UNAVAILABLE",)},
        answers={503: HealthOut},
        description="200 when every process answers and reaches its database, else 503 "
        "with the same body saying which part is down.",
    ),
    row("GET", "/openapi.json", "This API as OpenAPI 3", "openapi", public=True),
    row("GET", "/docs", "This API, readable and with try-it (Swagger UI)", "docs", public=True),
    row(
        "GET",
        "/docs/assets/<name>",
        "A file of the docs page (bundled, no CDN)",
        "docs_asset",
        public=True,
        hidden=True,
        errors={404: ("NOT_FOUND",)},
    ),
    row(
        "GET",
        "/api/v1/vocabulary",
        "Every code the API uses for payers, order types, customer classes… "
        "with Chinese and English labels",
        "vocabulary",
        public=True,
        response=VocabularyOut,
    ),
)


class OpsRoutes(GatewayBase):
    def home(self, request: Request) -> Response:
        return redirect("/docs")

    def health(self, request: Request) -> tuple[int, dict[str, Any]]:
        timeout = float(self.config.get("HEALTH_TIMEOUT", 3))
        replies: dict[str, Any] = {}
        report: dict[str, Any] = {}
        for service in DEALER_SERVICES:
            try:
                replies[service] = self._proxy(service).health.call_async()
            except Exception as exc:  # noqa: BLE001 - e.g. UnknownService: nobody listening
                report[service] = {"status": "down", "error": type(exc).__name__}
        for service, reply in replies.items():
            try:
                with eventlet.Timeout(timeout):
                    report[service] = reply.result()
            except eventlet.Timeout:
                report[service] = {"status": "down", "error": f"no answer within {timeout:g} s"}
            except Exception as exc:  # noqa: BLE001 - a failing health check is "down"
                report[service] = {"status": "down", "error": type(exc).__name__}
        database = ping(self.db.engine)
        report["gateway"] = {
            "service": "gateway",
            "status": "up" if database["ok"] else "down",
            "database": database,
        }
        ordered = {name: report[name] for name in (*DEALER_SERVICES, "gateway")}
        healthy = all(entry.get("status") == "up" for entry in ordered.values())
        return (200 if healthy else 503), {
            "status": "up" if healthy else "degraded",
            "services": ordered,
        }

    def openapi(self, request: Request) -> dict[str, Any]:
        return build_spec()

    def docs(self, request: Request) -> Response:
        return Response(docs_page(), content_type="text/html; charset=utf-8")

    def docs_asset(self, request: Request, name: str) -> Response:
        return swagger_asset(name)

    def vocabulary(self, request: Request) -> dict[str, Any]:
        return vocabulary_json()
