"""Parts' routes."""

from __future__ import annotations

from typing import Any

from werkzeug.wrappers import Request

from ..base import GatewayBase
from ..http import api


class PartsRoutes(GatewayBase):
    @api("GET", "/api/v1/parts", "The group's parts catalog", tags=["parts"])
    def parts_catalog(self, request: Request) -> Any:
        return self._call("parts", "list_parts")
