"""What the parts API shapes share: codes, role sets, value fields, history."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from aftersales_core.tenancy import ROLES, role_set

from ..fields import (
    ID,
    MAX_QUANTITY,
    DecimalString,
    Quantity,
    Strict,
    Timestamp,
)
from ..pages import PageQuery

# ---------------------------------------------------------------- codes

STOCK_CLASSES = ("usable", "defective")
WAREHOUSE_KINDS = {"main": "usable", "defective": "defective"}  # kind -> the stock it holds
MOVEMENTS = (
    "opening",  # the balance booked when the ledger started (seed / go-live)
    "receipt",  # goods received against a purchase order
    "issue",  # to a repair order, against an approved requisition
    "return",  # unused (or defective) parts back from a repair order
    "counter_sale",  # sold over the counter
    "transfer_out",  # shipped to another site of the group
    "transfer_in",  # received from another site of the group
    "relocation",  # moved between bins / warehouses of one site (net zero)
    "adjustment",  # stocktake variance, approved by a manager
    "scrap",  # written off, approved by a manager
    "supplier_return",  # defective stock sent back to the supplier
)
REJECT_REASONS = ("damaged", "wrong_part", "excess", "quality", "missing_documents")
CLAIMABLE_REASONS = ("damaged", "wrong_part", "quality")
RETURN_CONDITIONS = ("good", "defective")
PO_KINDS = ("regular", "emergency")
SUPPLIER_KINDS = ("oem", "local")
STOCKTAKE_KINDS = ("monthly", "quarterly", "spot")
DEMANDS = ("requisition", "counter_sale")
REQUISITION_STATUSES = ("open", "closed")
LINE_STATUSES = (
    "reserved", "partly_issued", "issued", "returned", "backordered", "cancelled", "unknown_part",
)  # fmt: skip
BACKORDER_STATUSES = ("open", "arrived", "cancelled")
PO_STATUSES = ("draft", "sent", "partly_received", "received", "cancelled", "closed")
SHIPMENT_STATUSES = ("in_transit", "received", "unmatched")
CLAIM_STATUSES = ("submitted", "accepted", "rejected")
STOCKTAKE_STATUSES = ("counting", "counted", "approved")
SALE_STATUSES = ("waiting", "ready", "completed", "cancelled")
TRANSFER_STATUSES = ("requested", "shipped", "received", "rejected", "cancelled")

# ---------------------------------------------------------------- who may do what

STAFF = role_set(*(role for role in ROLES if role != "oem"))  # an OEM sees no site records
CATALOG_ROLES = role_set("parts_manager", "hq_manager")
PLANNER_ROLES = role_set("parts_planner", "parts_buyer", "parts_manager")
KEEPER_ROLES = role_set("warehouse_keeper", "parts_manager")
MANAGER_ROLES = role_set("parts_manager", "service_director")
COUNTER_ROLES = role_set("parts_counter_clerk", "parts_manager")
TRANSFER_ROLES = role_set(*sorted(set(KEEPER_ROLES) | set(PLANNER_ROLES)))
LINE_CANCEL_ROLES = role_set(
    "service_advisor", "front_desk_supervisor", "service_manager", "service_director",
    "parts_manager",
)  # fmt: skip

# ---------------------------------------------------------------- value fields

BIN = validate.Length(min=1, max=40)
NAME = validate.Length(min=1, max=200)
NOTE = validate.Length(max=500)
MAX_ROW_ID = 2**53


def Qty(**kwargs: Any) -> DecimalString:  # noqa: N802 - a field factory reads like a field
    """A quantity that may be zero (a count of an empty bin, nothing rejected): `"0.000"`."""
    return Quantity(low_inclusive=True, **kwargs)


def SignedQty(**kwargs: Any) -> DecimalString:  # noqa: N802
    """A quantity with a sign (a ledger movement, a variance): `"-1.000"`."""
    return DecimalString(
        3, low=-MAX_QUANTITY * 10, high=MAX_QUANTITY * 10, what="a quantity", example="-1.000",
        **kwargs,
    )  # fmt: skip


def Cost(**kwargs: Any) -> DecimalString:  # noqa: N802
    """A unit cost at moving average, to 0.0001 CNY: `"43.0250"`."""
    return DecimalString(4, low=None, what="a unit cost", example="43.0250", **kwargs)


def one_of(values: tuple[str, ...] | dict[str, str]) -> validate.OneOf:
    return validate.OneOf(tuple(values))


def codes(values: tuple[str, ...], **kwargs: Any) -> fields.String:
    """An output code, documented with its values."""
    return fields.String(required=True, metadata={"enum": list(values)}, **kwargs)


R = {"required": True}
N = {"required": True, "allow_none": True}


class PartsHistoryOut(Schema):
    """One change of a document: who did what, when."""

    action = fields.String(**R)
    user_id = fields.String(**R)
    at = Timestamp(**R)
    detail = fields.Dict(**R, metadata={"description": "what changed (depends on the action)"})
    note = fields.String(**N)


class BinQuantityOut(Schema):
    warehouse_id = fields.String(**R)
    bin = fields.String(**R)
    quantity = Qty(**R)


class PartsSiteListQuery(PageQuery):
    site_id = fields.String(validate=ID, metadata={"description": "one of your sites"})


class PartsSiteQuery(Strict):
    site_id = fields.String(required=True, validate=ID)


__all__ = [
    "BACKORDER_STATUSES",
    "BIN",
    "BinQuantityOut",
    "CATALOG_ROLES",
    "CLAIMABLE_REASONS",
    "CLAIM_STATUSES",
    "COUNTER_ROLES",
    "Cost",
    "DEMANDS",
    "KEEPER_ROLES",
    "LINE_CANCEL_ROLES",
    "LINE_STATUSES",
    "MANAGER_ROLES",
    "MAX_ROW_ID",
    "MOVEMENTS",
    "NAME",
    "NOTE",
    "PLANNER_ROLES",
    "PO_KINDS",
    "PO_STATUSES",
    "PartsHistoryOut",
    "PartsSiteListQuery",
    "PartsSiteQuery",
    "Qty",
    "REJECT_REASONS",
    "REQUISITION_STATUSES",
    "RETURN_CONDITIONS",
    "SALE_STATUSES",
    "SHIPMENT_STATUSES",
    "STAFF",
    "STOCKTAKE_KINDS",
    "STOCKTAKE_STATUSES",
    "STOCK_CLASSES",
    "SUPPLIER_KINDS",
    "SignedQty",
    "TRANSFER_ROLES",
    "TRANSFER_STATUSES",
    "WAREHOUSE_KINDS",
]
