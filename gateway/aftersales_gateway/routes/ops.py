"""Operations: health of every service, the OpenAPI document and the docs page."""

from __future__ import annotations

from typing import Any

import eventlet
from werkzeug.wrappers import Request, Response

from aftersales_core.db import ping

from ..base import DEALER_SERVICES, GatewayBase
from ..http import api
from ..openapi import build_spec, docs_page


class OpsRoutes(GatewayBase):
    @api(
        "GET",
        "/health",
        "Every service, its database and the broker",
        tags=["ops"],
        public=True,
        errors=[503],
    )
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

    @api("GET", "/openapi.json", "This API as OpenAPI 3", tags=["ops"], public=True)
    def openapi(self, request: Request) -> dict[str, Any]:
        return build_spec()

    @api("GET", "/docs", "A readable page of this API", tags=["ops"], public=True)
    def docs(self, request: Request) -> Response:
        return Response(docs_page(build_spec()), content_type="text/html; charset=utf-8")
