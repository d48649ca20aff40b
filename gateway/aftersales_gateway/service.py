"""The gateway service: every route group, one nameko service."""

from __future__ import annotations

from .base import DEALER_SERVICES, GatewayBase
from .http import json_response
from .routes.claims import ClaimsRoutes
from .routes.customer_care import CustomerCareRoutes
from .routes.directory import DirectoryRoutes
from .routes.ops import OpsRoutes
from .routes.parts import PartsRoutes
from .routes.reception import ReceptionRoutes
from .routes.workshop import WorkshopRoutes


class GatewayService(
    OpsRoutes,
    DirectoryRoutes,
    ReceptionRoutes,
    WorkshopRoutes,
    PartsRoutes,
    ClaimsRoutes,
    CustomerCareRoutes,
    GatewayBase,
):
    """Each route group lives in `routes/<service>.py`; this class only joins them."""

    name = "gateway"


__all__ = ["DEALER_SERVICES", "GatewayService", "json_response"]
