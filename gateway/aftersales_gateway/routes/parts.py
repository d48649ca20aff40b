"""Parts' routes: catalog and prices, stock, requisitions, back orders, purchasing and
receiving, supplier claims, stocktake, counter sales, the group locator, transfers,
figures.  Every write accepts an Idempotency-Key; the parts service checks tenancy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import RAISE, Schema, fields, validate
from werkzeug.wrappers import Request

from aftersales_core.errors import ValidationFailed
from aftersales_parts.schemas import (
    BackOrderOut,
    BackOrderQuery,
    BinStockOut,
    CancelLineIn,
    CatalogQuery,
    ClaimDecisionIn,
    CounterSaleIn,
    CounterSaleOut,
    CountsIn,
    FiguresQuery,
    IssueIn,
    LedgerEntryOut,
    PartIn,
    PartOut,
    PartUpdateIn,
    PriceChangeIn,
    PriceChangeOut,
    ProposalQuery,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderQuery,
    QuoteIn,
    QuoteOut,
    ReceiptIn,
    ReceiptOut,
    RelocationIn,
    RequisitionOut,
    RequisitionQuery,
    ReturnIn,
    SaleCompleteIn,
    ScrapIn,
    ShipmentOut,
    ShipmentQuery,
    StockItemOut,
    StockLevelsIn,
    StockQuery,
    StocktakeDecisionIn,
    StocktakeIn,
    StocktakeOut,
    SupplierClaimIn,
    SupplierClaimOut,
    SupplierIn,
    SupplierOut,
    TransferIn,
    TransferOut,
    TransferReceiveIn,
    WarehouseIn,
    WarehouseOut,
)

from ..base import GatewayBase
from ..http import api, json_body, query_args
from .directory import SiteQuery

TAGS = ["parts"]
P = "/api/v1/parts"


class PartsReasonIn(Schema):
    class Meta:
        unknown = RAISE

    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class PartsLedgerQuery(Schema):
    site_id = fields.String(required=True)
    part_number = fields.String()
    limit = fields.Integer(validate=validate.Range(min=1, max=1000))


def _reason(request: Request) -> str | None:
    """The optional `{"reason": ...}` body of a cancel, close or reject."""
    if not request.get_data(cache=True):
        return None
    body = json_body(request)
    if not isinstance(body, dict) or set(body) - {"reason"}:
        raise ValidationFailed.on("_body", "only a reason may be given", "VALIDATION_ERROR")
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ValidationFailed.on("reason", "text, please", "VALIDATION_ERROR")
    return reason


class PartsRoutes(GatewayBase):
    def _write(self, request: Request, status: int, call: Callable[[], Any]) -> tuple[int, Any]:
        return self._idempotent(request, lambda: (status, call()))

    # -- catalog -------------------------------------------------------------------------
    @api(
        "GET", P, "The group's parts catalog (search by number/name, or vehicle model)",
        tags=TAGS, query=CatalogQuery, response=PartOut(many=True),
    )  # fmt: skip
    def parts_catalog(self, request: Request) -> Any:
        return self._call("parts", "list_parts", query_args(request))

    @api(
        "POST", P, "Add a part to the catalog", tags=TAGS, body=PartIn, response=PartOut,
        status=201, idempotent=True, errors=[409],
    )  # fmt: skip
    def parts_add(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "add_part", body))

    @api(
        "GET", P + "/catalog/<part_number>", "One catalog entry", tags=TAGS, response=PartOut,
        errors=[404],
    )  # fmt: skip
    def parts_get(self, request: Request, part_number: str) -> Any:
        return self._call("parts", "get_part", part_number)

    @api(
        "PATCH", P + "/catalog/<part_number>", "Change name, unit, models or supersession",
        tags=TAGS, body=PartUpdateIn, response=PartOut, idempotent=True, errors=[404],
    )  # fmt: skip
    def parts_update(self, request: Request, part_number: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 200, lambda: self._call("parts", "update_part", part_number, body)
        )

    @api(
        "POST", P + "/catalog/<part_number>/price-changes",
        "A new price and/or cost from now on (the old one is kept with its dates)",
        tags=TAGS, body=PriceChangeIn, response=PriceChangeOut, status=201, idempotent=True,
        errors=[404, 409],
    )  # fmt: skip
    def parts_price_change(self, request: Request, part_number: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 201, lambda: self._call("parts", "change_price", part_number, body)
        )

    @api(
        "GET", P + "/catalog/<part_number>/price-changes", "A part's price history",
        tags=TAGS, response=PriceChangeOut(many=True), errors=[404],
    )  # fmt: skip
    def parts_price_history(self, request: Request, part_number: str) -> Any:
        return self._call("parts", "price_history", part_number)

    @api(
        "POST", P + "/quote", "Price and availability of parts at a site (for RO part lines)",
        tags=TAGS, body=QuoteIn, response=QuoteOut(many=True),
    )  # fmt: skip
    def parts_quote(self, request: Request) -> Any:
        body = json_body(request)
        if not isinstance(body, dict):
            raise ValidationFailed.on("_body", "expected a JSON object")
        return self._call("parts", "quote", body.get("site_id"), body.get("part_numbers"))

    @api(
        "GET", P + "/locator/<part_number>",
        "Where in your group a part (or its replacement) is available", tags=TAGS, errors=[404],
    )  # fmt: skip
    def parts_locate(self, request: Request, part_number: str) -> Any:
        return self._call("parts", "locate_part", part_number)

    # -- suppliers and warehouses --------------------------------------------------------
    @api("GET", P + "/suppliers", "The group's suppliers", tags=TAGS,
         response=SupplierOut(many=True))  # fmt: skip
    def parts_suppliers(self, request: Request) -> Any:
        return self._call("parts", "list_suppliers")

    @api(
        "POST", P + "/suppliers", "Add or change a supplier (OEM or local)", tags=TAGS,
        body=SupplierIn, response=SupplierOut, idempotent=True, errors=[409],
    )  # fmt: skip
    def parts_save_supplier(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 200, lambda: self._call("parts", "save_supplier", body))

    @api("GET", P + "/warehouses", "Warehouses of your sites", tags=TAGS, query=SiteQuery,
         response=WarehouseOut(many=True))  # fmt: skip
    def parts_warehouses(self, request: Request) -> Any:
        return self._call("parts", "list_warehouses", request.args.get("site_id"))

    @api(
        "POST", P + "/warehouses", "Add a warehouse (main or defective) to a site", tags=TAGS,
        body=WarehouseIn, response=WarehouseOut, status=201, idempotent=True, errors=[409],
    )  # fmt: skip
    def parts_add_warehouse(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "add_warehouse", body))

    # -- stock ---------------------------------------------------------------------------
    @api(
        "GET", P + "/stock", "Stock per site and part: on hand, reserved, available, cost",
        tags=TAGS, query=StockQuery, response=StockItemOut(many=True),
    )  # fmt: skip
    def parts_stock(self, request: Request) -> Any:
        return self._call("parts", "list_stock", query_args(request))

    @api(
        "GET", P + "/bins", "Stock per site, warehouse and bin (with its oldest receipt)",
        tags=TAGS, query=StockQuery, response=BinStockOut(many=True),
    )  # fmt: skip
    def parts_bins(self, request: Request) -> Any:
        return self._call("parts", "bin_stock", query_args(request))

    @api(
        "GET", P + "/ledger", "The stock ledger of a site (newest first): every movement",
        tags=TAGS, query=PartsLedgerQuery, response=LedgerEntryOut(many=True),
    )  # fmt: skip
    def parts_ledger(self, request: Request) -> Any:
        limit = request.args.get("limit", "200")
        if not limit.isdigit():
            raise ValidationFailed.on("limit", "a whole number from 1 to 1000", "INVALID_LIMIT")
        site_id = request.args.get("site_id")
        if not site_id:
            raise ValidationFailed.on("site_id", "required", "VALIDATION_ERROR")
        return self._call("parts", "ledger", site_id, request.args.get("part_number"), int(limit))

    @api(
        "GET", P + "/reconciliation", "账、卡、物: ledger, lots and stock agree at a site",
        tags=TAGS, query=SiteQuery,
    )  # fmt: skip
    def parts_reconcile(self, request: Request) -> Any:
        site_id = request.args.get("site_id")
        if not site_id:
            raise ValidationFailed.on("site_id", "required", "VALIDATION_ERROR")
        return self._call("parts", "reconcile", site_id)

    @api(
        "POST", P + "/stock-levels", "Minimum and maximum stock of a part at a site",
        tags=TAGS, body=StockLevelsIn, response=StockItemOut, idempotent=True,
    )  # fmt: skip
    def parts_stock_levels(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 200, lambda: self._call("parts", "set_stock_levels", body))

    @api(
        "POST", P + "/relocations", "Move stock between bins (put-away)", tags=TAGS,
        body=RelocationIn, status=201, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_relocate(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "relocate_stock", body))

    @api(
        "POST", P + "/write-offs", "Scrap stock or return defective stock to the supplier "
        "(parts manager)", tags=TAGS, body=ScrapIn, status=201, idempotent=True, errors=[409],
    )  # fmt: skip
    def parts_scrap(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "scrap_stock", body))

    # -- requisitions and back orders ----------------------------------------------------
    @api(
        "GET", P + "/requisitions", "Requisitions of your sites (by RO, by status)",
        tags=TAGS, query=RequisitionQuery, response=RequisitionOut(many=True),
    )  # fmt: skip
    def parts_requisitions(self, request: Request) -> Any:
        return self._call("parts", "list_requisitions", query_args(request))

    @api(
        "GET", P + "/requisitions/<requisition_id>", "A requisition, its issues and history",
        tags=TAGS, response=RequisitionOut, errors=[404],
    )  # fmt: skip
    def parts_requisition(self, request: Request, requisition_id: str) -> Any:
        return self._call("parts", "get_requisition", requisition_id)

    @api(
        "POST", P + "/requisitions/<requisition_id>/issues",
        "Issue parts against the requisition (warehouse keeper; partial issue allowed)",
        tags=TAGS, body=IssueIn, status=201, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_issue(self, request: Request, requisition_id: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 201, lambda: self._call("parts", "issue_parts", requisition_id, body)
        )

    @api(
        "POST", P + "/requisitions/<requisition_id>/returns",
        "Return unused (or defective) parts of the requisition to stock", tags=TAGS,
        body=ReturnIn, status=201, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_return(self, request: Request, requisition_id: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 201, lambda: self._call("parts", "return_parts", requisition_id, body)
        )

    @api(
        "POST", P + "/requisitions/<requisition_id>/lines/<line_id>/cancel",
        "Cancel what is not issued of a line (back order first, then the reservation)",
        tags=TAGS, body=CancelLineIn, response=RequisitionOut, idempotent=True,
        errors=[404, 409],
    )  # fmt: skip
    def parts_cancel_line(self, request: Request, requisition_id: str, line_id: str) -> Any:
        body = json_body(request) if request.get_data(cache=True) else {}
        return self._write(
            request,
            200,
            lambda: self._call("parts", "cancel_requisition_line", requisition_id, line_id, body),
        )

    @api(
        "GET", P + "/backorders", "Back orders and special orders of your sites", tags=TAGS,
        query=BackOrderQuery, response=BackOrderOut(many=True),
    )  # fmt: skip
    def parts_backorders(self, request: Request) -> Any:
        return self._call("parts", "list_backorders", query_args(request))

    # -- purchasing and receiving --------------------------------------------------------
    @api(
        "GET", P + "/order-proposal", "The proposed regular order from min/max, on hand, "
        "reserved and open orders", tags=TAGS, query=ProposalQuery,
    )  # fmt: skip
    def parts_proposal(self, request: Request) -> Any:
        site_id = request.args.get("site_id")
        if not site_id:
            raise ValidationFailed.on("site_id", "required", "VALIDATION_ERROR")
        return self._call("parts", "order_proposal", site_id)

    @api(
        "GET", P + "/purchase-orders", "Purchase orders of your sites", tags=TAGS,
        query=PurchaseOrderQuery, response=PurchaseOrderOut(many=True),
    )  # fmt: skip
    def parts_purchase_orders(self, request: Request) -> Any:
        return self._call("parts", "list_purchase_orders", query_args(request))

    @api(
        "POST", P + "/purchase-orders", "A draft purchase order: lines, or the proposal's",
        tags=TAGS, body=PurchaseOrderIn, response=PurchaseOrderOut, status=201,
        idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_create_po(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "create_purchase_order", body))

    @api(
        "GET", P + "/purchase-orders/<po_id>", "A purchase order with its receipts, shipment "
        "notices and history", tags=TAGS, response=PurchaseOrderOut, errors=[404],
    )  # fmt: skip
    def parts_po(self, request: Request, po_id: str) -> Any:
        return self._call("parts", "get_purchase_order", po_id)

    @api(
        "POST", P + "/purchase-orders/<po_id>/send", "Send the order (an OEM's on the OEM "
        "exchange)", tags=TAGS, response=PurchaseOrderOut, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_send_po(self, request: Request, po_id: str) -> Any:
        return self._write(request, 200, lambda: self._call("parts", "send_purchase_order", po_id))

    @api(
        "POST", P + "/purchase-orders/<po_id>/cancel", "Cancel an order nothing was received "
        "on", tags=TAGS, body=PartsReasonIn, response=PurchaseOrderOut, idempotent=True,
        errors=[404, 409],
    )  # fmt: skip
    def parts_cancel_po(self, request: Request, po_id: str) -> Any:
        reason = _reason(request)
        return self._write(
            request, 200, lambda: self._call("parts", "cancel_purchase_order", po_id, reason)
        )

    @api(
        "POST", P + "/purchase-orders/<po_id>/close", "Short-close a partly received order",
        tags=TAGS, body=PartsReasonIn, response=PurchaseOrderOut, idempotent=True,
        errors=[404, 409],
    )  # fmt: skip
    def parts_close_po(self, request: Request, po_id: str) -> Any:
        reason = _reason(request)
        return self._write(
            request, 200, lambda: self._call("parts", "close_purchase_order", po_id, reason)
        )

    @api(
        "POST", P + "/purchase-orders/<po_id>/receipts", "Receive against the order: counted, "
        "accepted, rejected with reasons, put away to bins", tags=TAGS, body=ReceiptIn,
        response=ReceiptOut, status=201, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_receive(self, request: Request, po_id: str) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "receive_goods", po_id, body))

    @api("GET", P + "/receipts/<receipt_id>", "A goods receipt", tags=TAGS,
         response=ReceiptOut, errors=[404])  # fmt: skip
    def parts_receipt(self, request: Request, receipt_id: str) -> Any:
        return self._call("parts", "get_receipt", receipt_id)

    @api(
        "GET", P + "/shipments", "Shipment notices from the OEMs", tags=TAGS,
        query=ShipmentQuery, response=ShipmentOut(many=True),
    )  # fmt: skip
    def parts_shipments(self, request: Request) -> Any:
        return self._call("parts", "list_shipments", query_args(request))

    @api("GET", P + "/supplier-claims", "Claims to suppliers", tags=TAGS, query=SiteQuery,
         response=SupplierClaimOut(many=True))  # fmt: skip
    def parts_supplier_claims(self, request: Request) -> Any:
        return self._call("parts", "list_supplier_claims", request.args.get("site_id"))

    @api(
        "POST", P + "/supplier-claims", "Claim parts received damaged or wrong", tags=TAGS,
        body=SupplierClaimIn, response=SupplierClaimOut, status=201, idempotent=True,
        errors=[404, 409],
    )  # fmt: skip
    def parts_create_supplier_claim(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "create_supplier_claim", body))

    @api(
        "POST", P + "/supplier-claims/<claim_id>/decision", "The supplier's answer", tags=TAGS,
        body=ClaimDecisionIn, response=SupplierClaimOut, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_decide_supplier_claim(self, request: Request, claim_id: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 200, lambda: self._call("parts", "decide_supplier_claim", claim_id, body)
        )

    # -- stocktake -----------------------------------------------------------------------
    @api("GET", P + "/stocktakes", "Stocktakes of your sites", tags=TAGS, query=SiteQuery)
    def parts_stocktakes(self, request: Request) -> Any:
        return self._call("parts", "list_stocktakes", request.args.get("site_id"))

    @api(
        "POST", P + "/stocktakes", "Start a count of a warehouse: the count sheet (it is "
        "frozen until approval)", tags=TAGS, body=StocktakeIn, response=StocktakeOut,
        status=201, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_start_stocktake(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "start_stocktake", body))

    @api(
        "GET", P + "/stocktakes/<stocktake_id>", "The count sheet and its variance report",
        tags=TAGS, response=StocktakeOut, errors=[404],
    )  # fmt: skip
    def parts_stocktake(self, request: Request, stocktake_id: str) -> Any:
        return self._call("parts", "get_stocktake", stocktake_id)

    @api(
        "POST", P + "/stocktakes/<stocktake_id>/counts", "Record counted quantities",
        tags=TAGS, body=CountsIn, response=StocktakeOut, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_count(self, request: Request, stocktake_id: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 200, lambda: self._call("parts", "record_counts", stocktake_id, body)
        )

    @api(
        "POST", P + "/stocktakes/<stocktake_id>/submit", "Counting done: to the manager",
        tags=TAGS, response=StocktakeOut, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_submit_stocktake(self, request: Request, stocktake_id: str) -> Any:
        return self._write(
            request, 200, lambda: self._call("parts", "submit_stocktake", stocktake_id)
        )

    @api(
        "POST", P + "/stocktakes/<stocktake_id>/decision", "A manager approves (variances are "
        "posted) or sends it back for a recount", tags=TAGS, body=StocktakeDecisionIn,
        response=StocktakeOut, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_decide_stocktake(self, request: Request, stocktake_id: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 200, lambda: self._call("parts", "decide_stocktake", stocktake_id, body)
        )

    # -- counter sales -------------------------------------------------------------------
    @api("GET", P + "/counter-sales", "Counter sales of your sites", tags=TAGS,
         query=SiteQuery, response=CounterSaleOut(many=True))  # fmt: skip
    def parts_counter_sales(self, request: Request) -> Any:
        return self._call("parts", "list_counter_sales", request.args.get("site_id"))

    @api(
        "POST", P + "/counter-sales", "Sell over the counter; what is not in stock is "
        "special-ordered against a deposit", tags=TAGS, body=CounterSaleIn,
        response=CounterSaleOut, status=201, idempotent=True, errors=[409],
    )  # fmt: skip
    def parts_create_sale(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "create_counter_sale", body))

    @api("GET", P + "/counter-sales/<sale_id>", "A counter sale", tags=TAGS,
         response=CounterSaleOut, errors=[404])  # fmt: skip
    def parts_sale(self, request: Request, sale_id: str) -> Any:
        return self._call("parts", "get_counter_sale", sale_id)

    @api(
        "POST", P + "/counter-sales/<sale_id>/complete", "The customer pays the balance and "
        "takes the parts", tags=TAGS, body=SaleCompleteIn, response=CounterSaleOut,
        idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_complete_sale(self, request: Request, sale_id: str) -> Any:
        body = json_body(request)
        return self._write(
            request, 200, lambda: self._call("parts", "complete_counter_sale", sale_id, body)
        )

    @api(
        "POST", P + "/counter-sales/<sale_id>/cancel", "Cancel a sale (the deposit is "
        "refunded)", tags=TAGS, body=PartsReasonIn, response=CounterSaleOut, idempotent=True,
        errors=[404, 409],
    )  # fmt: skip
    def parts_cancel_sale(self, request: Request, sale_id: str) -> Any:
        reason = _reason(request)
        return self._write(
            request, 200, lambda: self._call("parts", "cancel_counter_sale", sale_id, reason)
        )

    # -- transfers -----------------------------------------------------------------------
    @api("GET", P + "/transfers", "Transfers to or from your sites", tags=TAGS,
         query=SiteQuery, response=TransferOut(many=True))  # fmt: skip
    def parts_transfers(self, request: Request) -> Any:
        return self._call("parts", "list_transfers", request.args.get("site_id"))

    @api(
        "POST", P + "/transfers", "Ask another site of your group for parts", tags=TAGS,
        body=TransferIn, response=TransferOut, status=201, idempotent=True, errors=[404],
    )  # fmt: skip
    def parts_request_transfer(self, request: Request) -> Any:
        body = json_body(request)
        return self._write(request, 201, lambda: self._call("parts", "request_transfer", body))

    @api("GET", P + "/transfers/<transfer_id>", "A transfer and its history", tags=TAGS,
         response=TransferOut, errors=[404])  # fmt: skip
    def parts_transfer(self, request: Request, transfer_id: str) -> Any:
        return self._call("parts", "get_transfer", transfer_id)

    @api(
        "POST", P + "/transfers/<transfer_id>/ship", "The sending site ships", tags=TAGS,
        response=TransferOut, idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_ship_transfer(self, request: Request, transfer_id: str) -> Any:
        return self._write(request, 200, lambda: self._call("parts", "ship_transfer", transfer_id))

    @api(
        "POST", P + "/transfers/<transfer_id>/receive", "The receiving site books it in",
        tags=TAGS, body=TransferReceiveIn, response=TransferOut, idempotent=True,
        errors=[404, 409],
    )  # fmt: skip
    def parts_receive_transfer(self, request: Request, transfer_id: str) -> Any:
        body = json_body(request) if request.get_data(cache=True) else {}
        return self._write(
            request, 200, lambda: self._call("parts", "receive_transfer", transfer_id, body)
        )

    @api(
        "POST", P + "/transfers/<transfer_id>/reject", "Refuse (sending site) or withdraw "
        "(requesting site) a transfer", tags=TAGS, body=PartsReasonIn, response=TransferOut,
        idempotent=True, errors=[404, 409],
    )  # fmt: skip
    def parts_reject_transfer(self, request: Request, transfer_id: str) -> Any:
        reason = _reason(request)
        return self._write(
            request, 200, lambda: self._call("parts", "reject_transfer", transfer_id, reason)
        )

    # -- figures -------------------------------------------------------------------------
    @api(
        "GET", P + "/figures", "Stock value, turnover, first-time fill rate, emergency-order "
        "share, slow-moving and obsolete stock per site (and the group's total for HQ)",
        tags=TAGS, query=FiguresQuery,
    )  # fmt: skip
    def parts_figures(self, request: Request) -> Any:
        return self._call("parts", "figures", query_args(request))
