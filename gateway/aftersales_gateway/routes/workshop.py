"""Workshop's routes."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from ..base import GatewayBase
from ..http import api


class WorkshopRoutes(GatewayBase):
    @api(
        "GET",
        "/api/v1/sites/<site_id>/technicians",
        "Technicians of a site",
        tags=["workshop"],
        errors=[403],
    )
    def technicians(self, request: Request, site_id: str) -> Any:
        return self._call("workshop", "list_technicians", site_id)
