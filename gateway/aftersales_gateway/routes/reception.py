"""Reception's routes: customers, vehicles, the labor catalog."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from aftersales_reception.schemas import CustomerIn, CustomerOut, VehicleIn, VehicleOut

from ..base import GatewayBase
from ..http import api, json_body
from .directory import SiteQuery


class ReceptionRoutes(GatewayBase):
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
