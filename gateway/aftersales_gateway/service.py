"""The gateway service: HTTP routes that authenticate, validate and call the services."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import eventlet
from marshmallow import RAISE, Schema, fields
from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Request, Response

from aftersales_core.db import Database, ping
from aftersales_core.envelope import utcnow
from aftersales_core.errors import AppError, Conflict, ServiceUnavailable, ValidationFailed
from aftersales_core.service import CallerProvider, command
from aftersales_core.validation import load
from aftersales_reception.schemas import CustomerIn, CustomerOut, VehicleIn, VehicleOut

from .http import api, json_body, json_response, text_problem
from .models import Group, IdempotencyKey, Site, Staff
from .openapi import build_spec, docs_page

DEALER_SERVICES = ("reception", "workshop", "parts", "claims", "customer-care")


class SiteOut(Schema):
    site_id = fields.String()
    group_id = fields.String()
    name = fields.String()
    kind = fields.String()
    brand = fields.String(allow_none=True)
    city = fields.String(allow_none=True)


class SiteQuery(Schema):
    site_id = fields.String()


class DirectoryIn(Schema):
    class Meta:
        unknown = RAISE

    group = fields.Dict(required=True)
    sites = fields.List(fields.Dict(), required=True)
    staff = fields.List(fields.Dict(), required=True)


class GatewayService:
    name = "gateway"

    db = Database(relay=False)
    caller = CallerProvider()
    config = Config()
    reception = RpcProxy("reception")
    workshop = RpcProxy("workshop")
    parts = RpcProxy("parts")
    claims = RpcProxy("claims")
    customer_care = RpcProxy("customer-care")

    # -- plumbing -------------------------------------------------------------------
    def _proxy(self, service: str) -> Any:
        return getattr(self, service.replace("-", "_"))

    def _call(self, service: str, method: str, *args: Any, **kwargs: Any) -> Any:
        """An RPC with a deadline: a silent service is a 503, not a hung request."""
        timeout = float(self.config.get("RPC_TIMEOUT", 10))
        reply = getattr(self._proxy(service), method).call_async(*args, **kwargs)
        try:
            with eventlet.Timeout(timeout):
                return reply.result()
        except eventlet.Timeout:
            raise ServiceUnavailable(
                f"{service} did not answer within {timeout:g} s", "SERVICE_TIMEOUT"
            ) from None

    def _idempotent(self, request: Request, produce: Callable[[], tuple[int, Any]]) -> Any:
        """Replay the first result of a write sent again with the same Idempotency-Key."""
        key = request.headers.get("Idempotency-Key")
        if not key:
            return produce()
        if len(key) > 200:
            raise ValidationFailed.on(
                "Idempotency-Key", "at most 200 characters", "HEADER_TOO_LONG"
            )
        if problem := text_problem(key):
            raise ValidationFailed.on("Idempotency-Key", problem, "INVALID_HEADER")
        user = self.caller.tenant.user_id
        digest = hashlib.sha256(
            f"{request.method} {request.path}\n".encode() + request.get_data(cache=True)
        ).hexdigest()
        session = self.db.session
        row = session.get(IdempotencyKey, (user, key))
        if row is None:
            row = IdempotencyKey(user_id=user, key=key, request_hash=digest, created_at=utcnow())
            session.add(row)
            try:
                self.db.commit()
            except IntegrityError:
                self.db.rollback()
                row = session.get(IdempotencyKey, (user, key))
            else:
                return self._first_result(row, produce)
        if row is None or row.request_hash != digest:
            raise Conflict(
                "this Idempotency-Key was used for another request", "IDEMPOTENCY_KEY_REUSED"
            )
        if row.status is None:
            raise Conflict("a request with this key is in progress", "IDEMPOTENCY_IN_PROGRESS")
        return row.status, json.loads(row.response or "null")

    def _first_result(self, row: IdempotencyKey, produce: Callable[[], tuple[int, Any]]) -> Any:
        try:
            status, body = produce()
        except AppError as exc:
            if exc.status < 500:  # a refusal is a result too; a retry gets the same answer
                row.status, row.response = exc.status, json.dumps(exc.to_dict())
            else:
                self.db.session.delete(row)
            self.db.commit()
            raise
        except BaseException:
            self.db.session.delete(row)
            self.db.commit()
            raise
        row.status, row.response = status, json.dumps(body, ensure_ascii=False)
        self.db.commit()
        return status, body

    # -- public -----------------------------------------------------------------------
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

    # -- directory --------------------------------------------------------------------
    @api("GET", "/api/v1/me", "Who the token says you are, and your sites", tags=["directory"])
    def me(self, request: Request) -> dict[str, Any]:
        tenant = self.caller.tenant
        staff = self.db.session.get(Staff, tenant.user_id)
        return {
            "user_id": tenant.user_id,
            "name": staff.name if staff else None,
            "group_id": tenant.group_id,
            "site_ids": list(tenant.site_ids),
            "roles": list(tenant.roles),
            "headquarters": tenant.is_hq,
            "sites": self._sites(),
        }

    @api(
        "GET",
        "/api/v1/sites",
        "The sites you may see (all of the group for HQ)",
        tags=["directory"],
        response=SiteOut(many=True),
    )
    def sites(self, request: Request) -> list[dict[str, Any]]:
        return self._sites()

    def _sites(self) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        rows = self.db.session.scalars(
            select(Site).where(Site.group_id == tenant.group_id).order_by(Site.site_id)
        ).all()
        return SiteOut(many=True).dump([s for s in rows if tenant.can_see_site(s.site_id)])

    @command
    def import_directory(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group, its sites and staff (idempotent; used by `aftersales seed`)."""
        fields_ = load(DirectoryIn(), data)
        group = fields_["group"]
        self.caller.tenant.require_group_loader(group["group_id"])
        session = self.db.session
        counts = {"groups": 0, "sites": 0, "staff": 0}
        if session.get(Group, group["group_id"]) is None:
            session.add(Group(group_id=group["group_id"], name=group["name"]))
            counts["groups"] += 1
            session.flush()
        for site in fields_["sites"]:
            if session.get(Site, site["site_id"]) is None:
                session.add(
                    Site(
                        **{
                            k: site.get(k)
                            for k in (
                                "site_id",
                                "group_id",
                                "name",
                                "kind",
                                "brand",
                                "city",
                                "daily_technician_hours",
                            )
                        }
                    )
                )
                counts["sites"] += 1
        for person in fields_["staff"]:
            if session.get(Staff, person["user_id"]) is None:
                session.add(
                    Staff(
                        user_id=person["user_id"],
                        group_id=person["group_id"],
                        name=person["name"],
                        site_ids=person.get("site_ids", []),
                        roles=person.get("roles", []),
                        oem_id=person.get("oem_id"),
                    )
                )
                counts["staff"] += 1
        return counts

    # -- customers (reception) ----------------------------------------------------------
    @api(
        "POST",
        "/api/v1/customers",
        "Register a customer with vehicles",
        tags=["reception"],
        body=CustomerIn,
        response=CustomerOut,
        status=201,
        idempotent=True,
        errors=[409],
    )
    def register_customer(self, request: Request) -> tuple[int, Any]:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (201, self._call("reception", "register_customer", body))
        )

    @api(
        "GET",
        "/api/v1/customers",
        "Customers of your sites",
        tags=["reception"],
        query=SiteQuery,
        response=CustomerOut(many=True),
    )
    def list_customers(self, request: Request) -> Any:
        return self._call("reception", "list_customers", request.args.get("site_id"))

    @api(
        "GET",
        "/api/v1/customers/<customer_id>",
        "One customer with vehicles",
        tags=["reception"],
        response=CustomerOut,
        errors=[404],
    )
    def get_customer(self, request: Request, customer_id: str) -> Any:
        return self._call("reception", "get_customer", customer_id)

    @api(
        "POST",
        "/api/v1/customers/<customer_id>/vehicles",
        "Add a vehicle to a customer",
        tags=["reception"],
        body=VehicleIn,
        response=VehicleOut,
        status=201,
        idempotent=True,
        errors=[404, 409],
    )
    def add_vehicle(self, request: Request, customer_id: str) -> tuple[int, Any]:
        body = json_body(request)
        return self._idempotent(
            request, lambda: (201, self._call("reception", "add_vehicle", customer_id, body))
        )

    @api("GET", "/api/v1/labor-operations", "The group's labor-time catalog", tags=["reception"])
    def labor_operations(self, request: Request) -> Any:
        return self._call("reception", "list_labor_operations")

    # -- other services ------------------------------------------------------------------
    @api(
        "GET",
        "/api/v1/sites/<site_id>/technicians",
        "Technicians of a site",
        tags=["workshop"],
        errors=[403],
    )
    def technicians(self, request: Request, site_id: str) -> Any:
        return self._call("workshop", "list_technicians", site_id)

    @api("GET", "/api/v1/parts", "The group's parts catalog", tags=["parts"])
    def parts_catalog(self, request: Request) -> Any:
        return self._call("parts", "list_parts")

    @api(
        "GET",
        "/api/v1/customer-care/customers/<customer_id>",
        "A customer as customer care's archive knows it",
        tags=["customer-care"],
        errors=[404],
    )
    def archive_customer(self, request: Request, customer_id: str) -> Any:
        return self._call("customer-care", "get_customer", customer_id)


__all__ = ["GatewayService", "json_response"]
