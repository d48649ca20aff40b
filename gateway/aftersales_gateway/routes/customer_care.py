"""Customer care's routes."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from ..base import GatewayBase
from ..http import api


class CustomerCareRoutes(GatewayBase):
    @api(
        "GET",
        "/api/v1/customer-care/customers/<customer_id>",
        "A customer as customer care's archive knows it",
        tags=["customer-care"],
        errors=[404],
    )
    def archive_customer(self, request: Request, customer_id: str) -> Any:
        return self._call("customer-care", "get_customer", customer_id)
