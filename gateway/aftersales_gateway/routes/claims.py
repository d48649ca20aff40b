"""Claims' routes (the Claims issue adds them)."""

from __future__ import annotations

from ..base import GatewayBase


class ClaimsRoutes(GatewayBase):
    """Warranty and insurance claims."""
