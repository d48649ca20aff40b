"""Claims' nameko service: so far its database, outbox, inbox and health."""

from __future__ import annotations

from aftersales_core.service import ServiceBase


class ClaimsService(ServiceBase):
    name = "claims"
