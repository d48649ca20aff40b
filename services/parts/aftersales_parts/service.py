"""Parts' nameko service: each group of RPCs and handlers lives in its own module."""

from __future__ import annotations

from .catalog import CatalogRpc
from .figures import FiguresRpc
from .purchasing import PurchasingRpc
from .requisitions import RequisitionRpc
from .sales import SalesRpc
from .warehouse import WarehouseRpc


class PartsService(CatalogRpc, RequisitionRpc, PurchasingRpc, WarehouseRpc, SalesRpc, FiguresRpc):
    """Catalog, stock ledger, requisitions, purchasing, stocktake, counter and group."""

    name = "parts"
