"""Parts' nameko service: each RPC and handler builds the use case of its area from
the worker's `db` and `caller` and calls it, nothing more.

Where things are: `catalog.py` (catalog, prices, suppliers, warehouses, reference
data), `warehouse.py` (stock, ledger, relocation, scrap, stocktake), `requisitions.py`
(what reception asks for; issue, return, back orders), `purchasing.py` (min/max,
purchase orders, shipment notices, receiving, supplier claims), `sales.py` (counter
sales, the group locator, transfers), `figures.py`; `stock.py` is the stock book every
movement goes through. Every rule is in `domain/`, every API shape in
`aftersales_contracts.api.parts`.
"""

from __future__ import annotations

from typing import Any

from aftersales_core.envelope import Envelope
from aftersales_core.service import ServiceBase, command, on_event, on_oem_message, query

from .catalog import Catalog
from .figures import Figures
from .purchasing import Purchasing
from .requisitions import Requisitions
from .sales import Sales
from .warehouse import Stockkeeping


class PartsService(ServiceBase):
    """Catalog, stock ledger, requisitions, purchasing, stocktake, counter and group."""

    name = "parts"

    # ================ catalog, prices, suppliers, warehouses

    @command
    def import_reference_data(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group's catalog, suppliers and opening stock (used by `aftersales seed`)."""
        return self._catalog.import_reference_data(data)

    @query
    def list_parts(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._catalog.list_parts(filters)

    @query
    def get_part(self, part_number: str) -> dict[str, Any]:
        return self._catalog.get_part(part_number)

    @command
    def add_part(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._catalog.add_part(data)

    @command
    def update_part(self, part_number: str, data: dict[str, Any]) -> dict[str, Any]:
        """Name, unit, models and supersession (the new part that replaces this one)."""
        return self._catalog.update_part(part_number, data)

    @command
    def change_price(self, part_number: str, data: dict[str, Any]) -> dict[str, Any]:
        """A new price and/or cost from today; the old one is kept with its dates."""
        return self._catalog.change_price(part_number, data)

    @query
    def price_history(
        self, part_number: str, filters: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """A part's prices and costs, oldest first."""
        return self._catalog.price_history(part_number, filters)

    @query
    def quote(self, site_id: str, part_numbers: list[str]) -> list[dict[str, Any]]:
        """Price and availability (on hand less reserved) at a site, for pricing RO lines."""
        return self._catalog.quote(site_id, part_numbers)

    @query
    def quote_parts(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        """`quote` with its arguments as one body (the HTTP API's)."""
        return self._catalog.quote_parts(data)

    @query
    def list_suppliers(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._catalog.list_suppliers(filters)

    @query
    def get_supplier(self, supplier_id: str) -> dict[str, Any]:
        return self._catalog.get_supplier(supplier_id)

    @command
    def save_supplier(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a supplier, or change one (its id stays)."""
        return self._catalog.save_supplier(data)

    @command
    def update_supplier(self, supplier_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Change a supplier (name, kind, OEM, default sites, lead times): the whole of it."""
        return self._catalog.update_supplier(supplier_id, data)

    @query
    def list_warehouses(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._catalog.list_warehouses(filters)

    @command
    def add_warehouse(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._catalog.add_warehouse(data)

    # ================ stock, ledger, relocation, scrap, stocktake

    @query
    def list_stock(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Stock items of the caller's sites: on hand, reserved, available, cost, min/max."""
        return self._stockkeeping.list_stock(filters)

    @query
    def bin_stock(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """What lies where: quantity per site, warehouse, bin and part, with its oldest lot."""
        return self._stockkeeping.bin_stock(filters)

    @query
    def ledger(self, filters: dict[str, Any]) -> dict[str, Any]:
        """The stock card of a site: every movement, newest first, with the balance after."""
        return self._stockkeeping.ledger(filters)

    @query
    def reconcile(self, filters: dict[str, Any]) -> dict[str, Any]:
        return self._stockkeeping.reconcile(filters)

    @command
    def relocate_stock(self, data: dict[str, Any]) -> dict[str, Any]:
        """Move stock between bins (or main warehouses) of a site, keeping each lot's age."""
        return self._stockkeeping.relocate_stock(data)

    @command
    def scrap_stock(self, data: dict[str, Any]) -> dict[str, Any]:
        """Write stock off (or send defective stock back to the supplier): a manager's act."""
        return self._stockkeeping.scrap_stock(data)

    @command
    def start_stocktake(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._stockkeeping.start_stocktake(data)

    @command
    def record_counts(self, stocktake_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._stockkeeping.record_counts(stocktake_id, data)

    @command
    def submit_stocktake(self, stocktake_id: str) -> dict[str, Any]:
        """Every line counted: the variance report goes to the manager."""
        return self._stockkeeping.submit_stocktake(stocktake_id)

    @command
    def decide_stocktake(self, stocktake_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._stockkeeping.decide_stocktake(stocktake_id, data)

    @query
    def get_stocktake(self, stocktake_id: str) -> dict[str, Any]:
        return self._stockkeeping.get_stocktake(stocktake_id)

    @query
    def list_stocktakes(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Stocktakes of the caller's sites, newest first, each with its variance report."""
        return self._stockkeeping.list_stocktakes(filters)

    # ================ requisitions and back orders

    @on_event("reception", "part_requested")
    def on_part_requested(self, event: Envelope) -> None:
        """Reserve what is on hand (FIFO lots stay put until issue) and back-order the rest."""
        self._requisitions.on_part_requested(event)

    @on_event("reception", "vehicle_delivered")
    def on_vehicle_delivered(self, event: Envelope) -> None:
        self._requisitions.on_vehicle_delivered(event)

    @on_event("reception", "order_cancelled")
    def on_order_cancelled(self, event: Envelope) -> None:
        self._requisitions.on_order_cancelled(event)

    @query
    def list_requisitions(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Requisitions of the caller's sites, newest first (by RO, by status)."""
        return self._requisitions.list_requisitions(filters)

    @query
    def get_requisition(self, requisition_id: str) -> dict[str, Any]:
        """A requisition, its issues (with what became of the old parts) and history."""
        return self._requisitions.get_requisition(requisition_id)

    @query
    def list_backorders(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Back orders and special orders of the caller's sites, newest first."""
        return self._requisitions.list_backorders(filters)

    @command
    def issue_parts(self, requisition_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._requisitions.issue_parts(requisition_id, data)

    @command
    def return_parts(self, requisition_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._requisitions.return_parts(requisition_id, data)

    @command
    def cancel_requisition_line(
        self, requisition_id: str, line_id: str, data: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return self._requisitions.cancel_requisition_line(requisition_id, line_id, data)

    # ================ replenishment, purchasing, receiving, supplier claims

    @command
    def set_stock_levels(self, data: dict[str, Any]) -> dict[str, Any]:
        """Minimum and maximum stock of a part at a site (最高最低库存)."""
        return self._purchasing.set_stock_levels(data)

    @query
    def order_proposal(self, filters: dict[str, Any]) -> dict[str, Any]:
        return self._purchasing.order_proposal(filters)

    @command
    def create_purchase_order(self, data: dict[str, Any]) -> dict[str, Any]:
        """A draft order: given lines, or the proposal's (`from_proposal`)."""
        return self._purchasing.create_purchase_order(data)

    @query
    def get_purchase_order(self, po_id: str) -> dict[str, Any]:
        return self._purchasing.get_purchase_order(po_id)

    @query
    def list_purchase_orders(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Purchase orders of the caller's sites, newest first."""
        return self._purchasing.list_purchase_orders(filters)

    @command
    def send_purchase_order(self, po_id: str) -> dict[str, Any]:
        return self._purchasing.send_purchase_order(po_id)

    @command
    def cancel_purchase_order(self, po_id: str, data: dict[str, Any] | None = None) -> dict:
        """Only before anything was received; back orders placed on it wait for another."""
        return self._purchasing.cancel_purchase_order(po_id, data)

    @command
    def close_purchase_order(self, po_id: str, data: dict[str, Any] | None = None) -> dict:
        """Short-close a partly received order: the rest will not come."""
        return self._purchasing.close_purchase_order(po_id, data)

    @on_oem_message("shipment_notice")
    def on_shipment_notice(self, message: Envelope) -> None:
        self._purchasing.on_shipment_notice(message)

    @query
    def list_shipments(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        return self._purchasing.list_shipments(filters)

    @command
    def receive_goods(self, po_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self._purchasing.receive_goods(po_id, data)

    @query
    def get_receipt(self, receipt_id: str) -> dict[str, Any]:
        return self._purchasing.get_receipt(receipt_id)

    @command
    def create_supplier_claim(self, data: dict[str, Any]) -> dict[str, Any]:
        """Claim parts received damaged or wrong from the supplier (配件索赔)."""
        return self._purchasing.create_supplier_claim(data)

    @command
    def decide_supplier_claim(self, claim_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The supplier's answer: accepted with the amount credited, or rejected."""
        return self._purchasing.decide_supplier_claim(claim_id, data)

    @query
    def list_supplier_claims(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Claims to suppliers of the caller's sites, newest first."""
        return self._purchasing.list_supplier_claims(filters)

    # ================ counter sales, the locator, transfers

    @command
    def create_counter_sale(self, data: dict[str, Any]) -> dict[str, Any]:
        return self._sales.create_counter_sale(data)

    @query
    def get_counter_sale(self, sale_id: str) -> dict[str, Any]:
        return self._sales.get_counter_sale(sale_id)

    @query
    def list_counter_sales(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Counter sales of the caller's sites, newest first."""
        return self._sales.list_counter_sales(filters)

    @command
    def complete_counter_sale(self, sale_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """The customer pays the balance and takes the parts: they leave the warehouse."""
        return self._sales.complete_counter_sale(sale_id, data)

    @command
    def cancel_counter_sale(self, sale_id: str, data: dict[str, Any] | None = None) -> dict:
        return self._sales.cancel_counter_sale(sale_id, data)

    @query
    def locate_part(self, part_number: str) -> dict[str, Any]:
        return self._sales.locate_part(part_number)

    @command
    def request_transfer(self, data: dict[str, Any]) -> dict[str, Any]:
        """A site asks another site of its group for parts (调拨申请)."""
        return self._sales.request_transfer(data)

    @query
    def get_transfer(self, transfer_id: str) -> dict[str, Any]:
        return self._sales.get_transfer(transfer_id)

    @query
    def list_transfers(self, filters: dict[str, Any] | None = None) -> dict[str, Any]:
        """Transfers to or from the caller's sites, newest first."""
        return self._sales.list_transfers(filters)

    @command
    def ship_transfer(self, transfer_id: str) -> dict[str, Any]:
        """The sending site ships what was asked from its free stock (not what is reserved)."""
        return self._sales.ship_transfer(transfer_id)

    @command
    def receive_transfer(self, transfer_id: str, data: dict[str, Any] | None = None) -> dict:
        return self._sales.receive_transfer(transfer_id, data)

    @command
    def reject_transfer(self, transfer_id: str, data: dict[str, Any] | None = None) -> dict:
        """The sending site says no (or the requesting site withdraws)."""
        return self._sales.reject_transfer(transfer_id, data)

    # ================ figures

    @query
    def figures(self, filters: dict[str, Any]) -> dict[str, Any]:
        return self._figures.figures(filters)

    # ================ the use cases

    @property
    def _catalog(self) -> Catalog:
        return Catalog(self.db, self.caller)

    @property
    def _stockkeeping(self) -> Stockkeeping:
        return Stockkeeping(self.db, self.caller)

    @property
    def _requisitions(self) -> Requisitions:
        return Requisitions(self.db, self.caller)

    @property
    def _purchasing(self) -> Purchasing:
        return Purchasing(self.db, self.caller)

    @property
    def _sales(self) -> Sales:
        return Sales(self.db, self.caller)

    @property
    def _figures(self) -> Figures:
        return Figures(self.db, self.caller)
