"""Parts' routes: catalog and prices, suppliers, warehouses and stock, the ledger,
requisitions and back orders, purchasing and receiving, supplier claims, stocktake,
counter sales, the group locator, transfers, figures.

The parts service checks tenancy (a site you cannot see is 403 `SITE_FORBIDDEN`, a
document of another site is 404) and input on every call; the rows' roles are the
service's own role sets (`STAFF`: everyone but an OEM, which sees no site records).
"""

from __future__ import annotations

from aftersales_contracts.api.pages import PageQuery, page_of
from aftersales_contracts.api.parts import (
    CATALOG_ROLES,
    COUNTER_ROLES,
    KEEPER_ROLES,
    LINE_CANCEL_ROLES,
    MANAGER_ROLES,
    PLANNER_ROLES,
    STAFF,
    TRANSFER_ROLES,
    BackOrderOut,
    BackOrderQuery,
    BinStockOut,
    CatalogQuery,
    CounterSaleCompleteIn,
    CounterSaleDetailOut,
    CounterSaleIn,
    CounterSaleOut,
    CounterSaleQuery,
    LedgerEntryOut,
    LedgerQuery,
    LocatorOut,
    PartIn,
    PartOut,
    PartsFiguresOut,
    PartsFiguresQuery,
    PartsIssueIn,
    PartsIssueOut,
    PartsQuoteIn,
    PartsQuoteOut,
    PartsReasonIn,
    PartsReturnIn,
    PartsReturnOut,
    PartsSiteListQuery,
    PartsSiteQuery,
    PartUpdateIn,
    PriceChangeIn,
    PriceChangeOut,
    ProposalOut,
    PurchaseOrderDetailOut,
    PurchaseOrderIn,
    PurchaseOrderOut,
    PurchaseOrderQuery,
    ReceiptIn,
    ReceiptOut,
    ReceivedOut,
    ReconciliationOut,
    RelocationIn,
    RelocationOut,
    RequisitionDetailOut,
    RequisitionLineCancelIn,
    RequisitionOut,
    RequisitionQuery,
    ScrapIn,
    ShipmentOut,
    ShipmentQuery,
    StockItemOut,
    StockLevelsIn,
    StockQuery,
    StocktakeCountsIn,
    StocktakeDecisionIn,
    StocktakeIn,
    StocktakeOut,
    StocktakeQuery,
    StocktakeSummaryOut,
    SupplierClaimDecisionIn,
    SupplierClaimIn,
    SupplierClaimOut,
    SupplierClaimQuery,
    SupplierFields,
    SupplierIn,
    SupplierOut,
    TransferDetailOut,
    TransferIn,
    TransferOut,
    TransferQuery,
    TransferReceiveIn,
    WarehouseIn,
    WarehouseOut,
    WriteOffOut,
)

from ..routing import BODY, OPTIONAL_BODY, QUERY, row, table

P = "/api/v1/parts"
REQ = f"{P}/requisitions/<requisition_id>"
PO = f"{P}/purchase-orders/<po_id>"
ST = f"{P}/stocktakes/<stocktake_id>"
SALE = f"{P}/counter-sales/<sale_id>"
TR = f"{P}/transfers/<transfer_id>"

V = "VALIDATION_ERROR"
NOT_STAFF = {403: ("ROLE_FORBIDDEN",)}
SITE_403 = {403: ("ROLE_FORBIDDEN", "SITE_FORBIDDEN")}
LIST_ERRORS = {400: (V, "INVALID_CURSOR"), **SITE_403}
PART_404 = {404: ("PART_NOT_FOUND",)}
# What any movement of stock may refuse (`domain.stock`): a frozen warehouse, stock of
# the wrong class, not enough on hand, more value than a shelf holds.
MOVE_409 = ("STOCKTAKE_IN_PROGRESS", "WRONG_WAREHOUSE", "INSUFFICIENT_STOCK")
MOVE_400 = ("VALUE_TOO_LARGE", "INVALID_COST")
ILLEGAL = "ILLEGAL_TRANSITION"
ETAG = "Send the `ETag` of your last read as `If-Match`: a stale one is 412, nothing changed."

ROUTES = table(
    "parts",
    ["parts"],
    # ---------------------------------------------------------------- catalog
    row(
        "GET", P, "The group's parts catalog (search by number or name, or vehicle model)",
        "list_parts", args=(QUERY,), query=CatalogQuery, response=page_of(PartOut),
        errors={400: (V, "INVALID_CURSOR")},
        description="A page of the catalog by part number. `q` matches number or name; "
        "`model` keeps the parts fitting that model (a part listing none fits all).",
    ),  # fmt: skip
    row(
        "POST", P, "Add a part to the catalog", "add_part", args=(BODY,), body=PartIn,
        response=PartOut, status=201, roles=CATALOG_ROLES,
        errors={400: (V, "UNKNOWN_PART"), 409: ("PART_EXISTS",)},
        description="The price is never below cost; a replacement (`superseded_by`) must "
        "be in the catalog. The price history starts with this entry.",
    ),  # fmt: skip
    row(
        "GET", f"{P}/catalog/<part_number>", "One catalog entry", "get_part",
        args=("part_number",), response=PartOut, errors=PART_404, etag=True,
    ),  # fmt: skip
    row(
        "PATCH", f"{P}/catalog/<part_number>", "Change name, unit, models or supersession",
        "update_part", args=("part_number", BODY), body=PartUpdateIn, response=PartOut,
        roles=CATALOG_ROLES, etag=True,
        errors={400: (V, "UNKNOWN_PART", "SUPERSESSION_LOOP"), **PART_404},
        description="A part is replaced by another catalog part, never by itself or in a "
        "circle. " + ETAG,
    ),  # fmt: skip
    row(
        "POST", f"{P}/catalog/<part_number>/price-changes",
        "A new price and/or cost from now on (the old one is kept with its dates)",
        "change_price", args=("part_number", BODY), body=PriceChangeIn, response=PriceChangeOut,
        status=201, roles=CATALOG_ROLES,
        errors={400: (V, "PRICE_BELOW_COST"), **PART_404, 409: ("NO_CHANGE",)},
    ),  # fmt: skip
    row(
        "GET", f"{P}/catalog/<part_number>/price-changes", "A part's price history, oldest first",
        "price_history", args=("part_number", QUERY), query=PageQuery,
        response=page_of(PriceChangeOut), errors={400: (V, "INVALID_CURSOR"), **PART_404},
    ),  # fmt: skip
    row(
        "POST", f"{P}/quote", "Price and availability of parts at a site (for RO part lines)",
        "quote_parts", args=(BODY,), body=PartsQuoteIn, response=PartsQuoteOut(many=True),
        roles=STAFF, errors={400: (V, "UNKNOWN_PART"), **SITE_403},
        description="One entry per part number asked, in that order: price, and what is "
        "available (on hand less reserved). Changes nothing.",
    ),  # fmt: skip
    row(
        "GET", f"{P}/locator/<part_number>",
        "Where in your group a part (or its replacement) is available", "locate_part",
        args=("part_number",), response=LocatorOut, roles=STAFF,
        errors={400: (V,), **NOT_STAFF, **PART_404},
        description="Every site of your group holding it (quantities and bins; `yours` "
        "marks your own sites), the part itself first, most available first.",
    ),  # fmt: skip
    # ---------------------------------------------------------------- suppliers, warehouses
    row(
        "GET", f"{P}/suppliers", "The group's suppliers, by name", "list_suppliers",
        args=(QUERY,), query=PageQuery, response=page_of(SupplierOut), roles=STAFF,
        errors={400: (V, "INVALID_CURSOR"), **NOT_STAFF},
    ),  # fmt: skip
    row(
        "POST", f"{P}/suppliers", "Add or change a supplier (OEM or local)", "save_supplier",
        args=(BODY,), body=SupplierIn, response=SupplierOut, roles=CATALOG_ROLES,
        errors={400: (V,), 409: ("SUPPLIER_TAKEN",)},
    ),  # fmt: skip
    row(
        "GET", f"{P}/suppliers/<supplier_id>", "One supplier", "get_supplier",
        args=("supplier_id",), response=SupplierOut, roles=STAFF, etag=True,
        errors={**NOT_STAFF, 404: ("SUPPLIER_NOT_FOUND",)},
    ),  # fmt: skip
    row(
        "PUT", f"{P}/suppliers/<supplier_id>", "Change a supplier (the whole of it)",
        "update_supplier", args=("supplier_id", BODY), body=SupplierFields,
        response=SupplierOut, roles=CATALOG_ROLES, etag=True,
        errors={400: (V,), 404: ("SUPPLIER_NOT_FOUND",)}, description=ETAG,
    ),  # fmt: skip
    row(
        "GET", f"{P}/warehouses", "Warehouses of your sites", "list_warehouses",
        args=(QUERY,), query=PartsSiteListQuery, response=page_of(WarehouseOut), roles=STAFF,
        errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "POST", f"{P}/warehouses", "Add a warehouse (main or defective) to a site",
        "add_warehouse", args=(BODY,), body=WarehouseIn, response=WarehouseOut, status=201,
        roles=KEEPER_ROLES, errors={400: (V,), **SITE_403, 409: ("WAREHOUSE_EXISTS",)},
    ),  # fmt: skip
    # ---------------------------------------------------------------- stock
    row(
        "GET", f"{P}/stock", "Stock per site and part: on hand, reserved, available, cost",
        "list_stock", args=(QUERY,), query=StockQuery, response=page_of(StockItemOut),
        roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "GET", f"{P}/bins", "Stock per site, warehouse and bin (with its oldest receipt)",
        "bin_stock", args=(QUERY,), query=StockQuery, response=page_of(BinStockOut),
        roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "GET", f"{P}/ledger", "The stock ledger of a site, newest first: every movement",
        "ledger", args=(QUERY,), query=LedgerQuery, response=page_of(LedgerEntryOut),
        roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "GET", f"{P}/reconciliation", "账、卡、物: ledger, lots and stock agree at a site",
        "reconcile", args=(QUERY,), query=PartsSiteQuery, response=ReconciliationOut, roles=STAFF,
        errors={400: (V,), **SITE_403},
        description="For every stock item of the site: the ledger's quantity and value and "
        "the lots' quantity equal the item's, and nothing is reserved beyond on hand. "
        "`mismatches` lists the items that do not.",
    ),  # fmt: skip
    row(
        "POST", f"{P}/stock-levels", "Minimum and maximum stock of a part at a site",
        "set_stock_levels", args=(BODY,), body=StockLevelsIn, response=StockItemOut,
        roles=PLANNER_ROLES, errors={400: (V, "UNKNOWN_PART", "INVALID_MIN_MAX"), **SITE_403},
    ),  # fmt: skip
    row(
        "POST", f"{P}/relocations", "Move stock between bins (put-away)", "relocate_stock",
        args=(BODY,), body=RelocationIn, response=RelocationOut, status=201,
        roles=KEEPER_ROLES, errors={
            400: (V, "UNKNOWN_PART", "SAME_BIN", *MOVE_400), **SITE_403,
            404: ("WAREHOUSE_NOT_FOUND", "SITE_NOT_FOUND"), 409: MOVE_409,
        },
        description="Each lot keeps its age (FIFO) and its value.",
    ),  # fmt: skip
    row(
        "POST", f"{P}/write-offs",
        "Scrap stock or return defective stock to the supplier (a manager's act)",
        "scrap_stock", args=(BODY,), body=ScrapIn, response=WriteOffOut, status=201,
        roles=MANAGER_ROLES, errors={
            400: (V, "UNKNOWN_PART", "INVALID_MOVEMENT"), **SITE_403,
            404: ("SITE_NOT_FOUND",), 409: MOVE_409,
        },
        description="Reservations that no longer fit become back orders, ordered at once.",
    ),  # fmt: skip
    # ---------------------------------------------------------------- requisitions
    row(
        "GET", f"{P}/requisitions", "Requisitions of your sites, newest first",
        "list_requisitions", args=(QUERY,), query=RequisitionQuery,
        response=page_of(RequisitionOut), roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "GET", REQ, "A requisition, its issues and history", "get_requisition",
        args=("requisition_id",), response=RequisitionDetailOut, roles=STAFF,
        errors={**NOT_STAFF, 404: ("REQUISITION_NOT_FOUND",)},
    ),  # fmt: skip
    row(
        "POST", f"{REQ}/issues",
        "Issue parts against the requisition (warehouse keeper; partial issue allowed)",
        "issue_parts", args=("requisition_id", BODY), body=PartsIssueIn, response=PartsIssueOut,
        status=201, roles=KEEPER_ROLES, errors={
            400: (V, "UNKNOWN_LINE", "DUPLICATE_LINE", "INVALID_OLD_PART", "OLD_PART_REQUIRED"),
            **SITE_403, 404: ("REQUISITION_NOT_FOUND",),
            409: ("REQUISITION_CLOSED", "NOT_RESERVED", *MOVE_409),
        },
        description="At most what each line holds reserved, oldest lots first, at "
        "moving-average cost. A warranty part goes out only against the old part kept for "
        "the OEM (`old_part`: `keep_for_warranty`).",
    ),  # fmt: skip
    row(
        "POST", f"{REQ}/returns", "Return unused (or defective) parts of the requisition",
        "return_parts", args=("requisition_id", BODY), body=PartsReturnIn,
        response=PartsReturnOut, status=201, roles=KEEPER_ROLES, errors={
            400: (V, "UNKNOWN_LINE", "DUPLICATE_LINE", *MOVE_400), **SITE_403,
            404: ("REQUISITION_NOT_FOUND", "WAREHOUSE_NOT_FOUND"),
            409: ("NOT_ISSUED", *MOVE_409),
        },
        description="Good parts go back to their bin at the cost they went out at; "
        "defective ones to the site's defective stock.",
    ),  # fmt: skip
    row(
        "POST", f"{REQ}/lines/<line_id>/cancel",
        "Cancel what is not issued of a line (back order first, then the reservation)",
        "cancel_requisition_line", args=("requisition_id", "line_id", OPTIONAL_BODY),
        body=RequisitionLineCancelIn, response=RequisitionOut, roles=LINE_CANCEL_ROLES,
        errors={
            400: (V, "UNKNOWN_LINE"), **SITE_403, 404: ("REQUISITION_NOT_FOUND",),
            409: ("REQUISITION_CLOSED", "NOTHING_TO_CANCEL"),
        },
    ),  # fmt: skip
    row(
        "GET", f"{P}/backorders", "Back orders and special orders of your sites",
        "list_backorders", args=(QUERY,), query=BackOrderQuery, response=page_of(BackOrderOut),
        roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    # ---------------------------------------------------------------- purchasing
    row(
        "GET", f"{P}/order-proposal",
        "The proposed regular order from min/max, on hand, reserved and open orders",
        "order_proposal", args=(QUERY,), query=PartsSiteQuery, response=ProposalOut, roles=STAFF,
        errors={400: (V,), **SITE_403},
    ),  # fmt: skip
    row(
        "GET", f"{P}/purchase-orders", "Purchase orders of your sites, newest first",
        "list_purchase_orders", args=(QUERY,), query=PurchaseOrderQuery,
        response=page_of(PurchaseOrderOut), roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "POST", f"{P}/purchase-orders", "A draft purchase order: lines, or the proposal's",
        "create_purchase_order", args=(BODY,), body=PurchaseOrderIn,
        response=PurchaseOrderDetailOut, status=201, roles=PLANNER_ROLES,
        errors={
            400: (V, "UNKNOWN_PART", "DUPLICATE_LINE", "NO_SUPPLIER"), **SITE_403,
            404: ("SUPPLIER_NOT_FOUND",), 409: ("NOTHING_TO_ORDER",),
        },
    ),  # fmt: skip
    row(
        "GET", PO, "A purchase order with its receipts, shipment notices and history",
        "get_purchase_order", args=("po_id",), response=PurchaseOrderDetailOut, roles=STAFF,
        etag=True, errors={**NOT_STAFF, 404: ("PURCHASE_ORDER_NOT_FOUND",)},
    ),  # fmt: skip
    row(
        "POST", f"{PO}/send", "Send the order (an OEM's on the OEM exchange)",
        "send_purchase_order", args=("po_id",), response=PurchaseOrderDetailOut,
        roles=PLANNER_ROLES, etag=True,
        errors={**SITE_403, 404: ("PURCHASE_ORDER_NOT_FOUND",), 409: (ILLEGAL,)},
        description=ETAG,
    ),  # fmt: skip
    row(
        "POST", f"{PO}/cancel", "Cancel an order nothing was received on",
        "cancel_purchase_order", args=("po_id", OPTIONAL_BODY), body=PartsReasonIn,
        response=PurchaseOrderDetailOut, roles=PLANNER_ROLES, etag=True,
        errors={400: (V,), **SITE_403, 404: ("PURCHASE_ORDER_NOT_FOUND",), 409: (ILLEGAL,)},
        description="Back orders placed on it wait for another order. " + ETAG,
    ),  # fmt: skip
    row(
        "POST", f"{PO}/close", "Short-close a partly received order: the rest will not come",
        "close_purchase_order", args=("po_id", OPTIONAL_BODY), body=PartsReasonIn,
        response=PurchaseOrderDetailOut, roles=PLANNER_ROLES, etag=True,
        errors={400: (V,), **SITE_403, 404: ("PURCHASE_ORDER_NOT_FOUND",), 409: (ILLEGAL,)},
        description=ETAG,
    ),  # fmt: skip
    row(
        "POST", f"{PO}/receipts",
        "Receive against the order: counted, accepted, rejected with reasons, put away",
        "receive_goods", args=("po_id", BODY), body=ReceiptIn, response=ReceivedOut,
        status=201, roles=KEEPER_ROLES, errors={
            400: (V, "UNKNOWN_LINE", "INVALID_QUANTITY", "RECEIPT_MISMATCH", "REASON_REQUIRED",
                  "BIN_REQUIRED", *MOVE_400),
            **SITE_403,
            404: ("PURCHASE_ORDER_NOT_FOUND", "SHIPMENT_NOT_FOUND", "WAREHOUSE_NOT_FOUND"),
            409: (ILLEGAL, "SHIPMENT_RECEIVED", "OVER_RECEIPT", *MOVE_409),
        },
        description="Counted = accepted + rejected (a rejection has a reason); never "
        "accepted beyond what is outstanding. Back orders waiting for these parts are "
        "served first (`served`).",
    ),  # fmt: skip
    row(
        "GET", f"{P}/receipts/<receipt_id>", "A goods receipt", "get_receipt",
        args=("receipt_id",), response=ReceiptOut, roles=STAFF,
        errors={**NOT_STAFF, 404: ("RECEIPT_NOT_FOUND",)},
    ),  # fmt: skip
    row(
        "GET", f"{P}/shipments", "Shipment notices from the OEMs, newest first",
        "list_shipments", args=(QUERY,), query=ShipmentQuery, response=page_of(ShipmentOut),
        roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "GET", f"{P}/supplier-claims", "Claims to suppliers, newest first",
        "list_supplier_claims", args=(QUERY,), query=SupplierClaimQuery,
        response=page_of(SupplierClaimOut), roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "POST", f"{P}/supplier-claims", "Claim parts received damaged or wrong",
        "create_supplier_claim", args=(BODY,), body=SupplierClaimIn, response=SupplierClaimOut,
        status=201, roles=PLANNER_ROLES, errors={
            400: (V, "UNKNOWN_LINE", "NOT_CLAIMABLE"), **SITE_403,
            404: ("RECEIPT_NOT_FOUND",), 409: ("OVER_CLAIM",),
        },
    ),  # fmt: skip
    row(
        "POST", f"{P}/supplier-claims/<claim_id>/decision", "The supplier's answer",
        "decide_supplier_claim", args=("claim_id", BODY), body=SupplierClaimDecisionIn,
        response=SupplierClaimOut, roles=PLANNER_ROLES, errors={
            400: (V, "OVER_CREDIT"), **SITE_403, 404: ("SUPPLIER_CLAIM_NOT_FOUND",),
            409: (ILLEGAL,),
        },
    ),  # fmt: skip
    # ---------------------------------------------------------------- stocktake
    row(
        "GET", f"{P}/stocktakes", "Stocktakes of your sites, newest first", "list_stocktakes",
        args=(QUERY,), query=StocktakeQuery, response=page_of(StocktakeSummaryOut),
        roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "POST", f"{P}/stocktakes",
        "Start a count of a warehouse: the count sheet (frozen until approval)",
        "start_stocktake", args=(BODY,), body=StocktakeIn, response=StocktakeOut, status=201,
        roles=KEEPER_ROLES, errors={
            400: (V, "UNKNOWN_PART"), **SITE_403, 404: ("WAREHOUSE_NOT_FOUND",),
            409: ("STOCKTAKE_OPEN",),
        },
    ),  # fmt: skip
    row(
        "GET", ST, "The count sheet and its variance report", "get_stocktake",
        args=("stocktake_id",), response=StocktakeOut, roles=STAFF, etag=True,
        errors={**NOT_STAFF, 404: ("STOCKTAKE_NOT_FOUND",)},
    ),  # fmt: skip
    row(
        "POST", f"{ST}/counts", "Record counted quantities", "record_counts",
        args=("stocktake_id", BODY), body=StocktakeCountsIn, response=StocktakeOut,
        roles=KEEPER_ROLES, etag=True,
        errors={400: (V, "UNKNOWN_PART"), **SITE_403, 404: ("STOCKTAKE_NOT_FOUND",),
                409: (ILLEGAL,)},
        description="A part found where the book has none is added (book 0); a later count "
        "of a line replaces the earlier. " + ETAG,
    ),  # fmt: skip
    row(
        "POST", f"{ST}/submit", "Counting done: to the manager", "submit_stocktake",
        args=("stocktake_id",), response=StocktakeOut, roles=KEEPER_ROLES, etag=True,
        errors={**SITE_403, 404: ("STOCKTAKE_NOT_FOUND",), 409: (ILLEGAL, "UNCOUNTED_LINES")},
        description=ETAG,
    ),  # fmt: skip
    row(
        "POST", f"{ST}/decision",
        "A manager approves (variances are posted) or sends it back for a recount",
        "decide_stocktake", args=("stocktake_id", BODY), body=StocktakeDecisionIn,
        response=StocktakeOut, roles=MANAGER_ROLES, etag=True,
        errors={400: (V, *MOVE_400), **SITE_403, 404: ("STOCKTAKE_NOT_FOUND",),
                409: (ILLEGAL, *MOVE_409)},
        description=ETAG,
    ),  # fmt: skip
    # ---------------------------------------------------------------- counter sales
    row(
        "GET", f"{P}/counter-sales", "Counter sales of your sites, newest first",
        "list_counter_sales", args=(QUERY,), query=CounterSaleQuery,
        response=page_of(CounterSaleOut), roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "POST", f"{P}/counter-sales",
        "Sell over the counter; what is not in stock is special-ordered against a deposit",
        "create_counter_sale", args=(BODY,), body=CounterSaleIn, response=CounterSaleOut,
        status=201, roles=COUNTER_ROLES, errors={
            400: (V, "UNKNOWN_PART", "DUPLICATE_LINE", "TOTAL_TOO_LARGE", "DEPOSIT_REQUIRED",
                  "DEPOSIT_TOO_HIGH"),
            **SITE_403,
        },
    ),  # fmt: skip
    row(
        "GET", SALE, "A counter sale and its history", "get_counter_sale", args=("sale_id",),
        response=CounterSaleDetailOut, roles=STAFF,
        errors={**NOT_STAFF, 404: ("COUNTER_SALE_NOT_FOUND",)},
    ),  # fmt: skip
    row(
        "POST", f"{SALE}/complete", "The customer pays the balance and takes the parts",
        "complete_counter_sale", args=("sale_id", BODY), body=CounterSaleCompleteIn,
        response=CounterSaleOut, roles=COUNTER_ROLES, errors={
            400: (V, "PAYMENT_MISMATCH"), **SITE_403, 404: ("COUNTER_SALE_NOT_FOUND",),
            409: (ILLEGAL, *MOVE_409),
        },
    ),  # fmt: skip
    row(
        "POST", f"{SALE}/cancel", "Cancel a sale (the deposit is refunded)",
        "cancel_counter_sale", args=("sale_id", OPTIONAL_BODY), body=PartsReasonIn,
        response=CounterSaleOut, roles=COUNTER_ROLES,
        errors={400: (V,), **SITE_403, 404: ("COUNTER_SALE_NOT_FOUND",), 409: (ILLEGAL,)},
    ),  # fmt: skip
    # ---------------------------------------------------------------- transfers
    row(
        "GET", f"{P}/transfers", "Transfers to or from your sites, newest first",
        "list_transfers", args=(QUERY,), query=TransferQuery, response=page_of(TransferOut),
        roles=STAFF, errors=LIST_ERRORS,
    ),  # fmt: skip
    row(
        "POST", f"{P}/transfers", "Ask another site of your group for parts",
        "request_transfer", args=(BODY,), body=TransferIn, response=TransferOut, status=201,
        roles=TRANSFER_ROLES, errors={
            400: (V, "UNKNOWN_PART", "DUPLICATE_LINE"), **SITE_403, 404: ("SITE_NOT_FOUND",),
        },
    ),  # fmt: skip
    row(
        "GET", TR, "A transfer and its history", "get_transfer", args=("transfer_id",),
        response=TransferDetailOut, roles=STAFF,
        errors={**NOT_STAFF, 404: ("TRANSFER_NOT_FOUND",)},
    ),  # fmt: skip
    row(
        "POST", f"{TR}/ship", "The sending site ships from its free stock", "ship_transfer",
        args=("transfer_id",), response=TransferOut, roles=KEEPER_ROLES,
        errors={**SITE_403, 404: ("TRANSFER_NOT_FOUND",), 409: (ILLEGAL, *MOVE_409)},
    ),  # fmt: skip
    row(
        "POST", f"{TR}/receive", "The receiving site books it in", "receive_transfer",
        args=("transfer_id", OPTIONAL_BODY), body=TransferReceiveIn, response=TransferOut,
        roles=KEEPER_ROLES, errors={
            400: (V, "UNKNOWN_LINE", "BIN_REQUIRED", *MOVE_400), **SITE_403,
            404: ("TRANSFER_NOT_FOUND", "WAREHOUSE_NOT_FOUND"),
            409: (ILLEGAL, "OVER_RECEIPT", *MOVE_409),
        },
        description="At the cost it was shipped at; a shortfall is noted on the transfer. "
        "Back orders waiting here are served first.",
    ),  # fmt: skip
    row(
        "POST", f"{TR}/reject",
        "Refuse (sending site) or withdraw (requesting site) a transfer", "reject_transfer",
        args=("transfer_id", OPTIONAL_BODY), body=PartsReasonIn, response=TransferOut,
        roles=TRANSFER_ROLES,
        errors={400: (V,), **SITE_403, 404: ("TRANSFER_NOT_FOUND",), 409: (ILLEGAL,)},
    ),  # fmt: skip
    # ---------------------------------------------------------------- figures
    row(
        "GET", f"{P}/figures",
        "Stock value, turnover, first-time fill rate, emergency-order share, slow-moving and "
        "obsolete stock per site (and the group's total)",
        "figures", args=(QUERY,), query=PartsFiguresQuery, response=PartsFiguresOut,
        roles=STAFF, name="parts_figures", errors={400: (V,), **SITE_403},
        description="The period is `from`..`to` (business dates, at most two years). Each "
        "of your sites side by side; `total` when you see several.",
    ),  # fmt: skip
)
