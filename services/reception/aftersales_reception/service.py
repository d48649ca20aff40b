"""Reception's nameko service: thin RPCs and event handlers that load, apply the rules
(`domain`), save, and record the events they cause in the outbox.

The entrypoints are grouped by the part of the advisor's day they serve, one mixin per
module (as the gateway's routes are); this class only joins them.
"""

from __future__ import annotations

from aftersales_contracts.api.reception import CASHIER_ROLES, RECEPTION_ROLES

from .base import ReceptionBase
from .customers import CustomerEntrypoints
from .handlers import EventHandlers
from .orders import OrderEntrypoints
from .settlement import SettlementEntrypoints
from .visits import VisitEntrypoints


class ReceptionService(
    CustomerEntrypoints,
    VisitEntrypoints,
    OrderEntrypoints,
    SettlementEntrypoints,
    EventHandlers,
    ReceptionBase,
):
    """Reception: customers, appointments, check-in, repair orders, settlement, delivery."""

    name = "reception"


__all__ = ["CASHIER_ROLES", "RECEPTION_ROLES", "ReceptionService"]
