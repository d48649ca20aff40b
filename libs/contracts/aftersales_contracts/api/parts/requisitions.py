"""Requisitions: issue, return, cancel; back orders."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ...vocabulary import OLD_PART_DISPOSITIONS, PAYERS
from ..fields import (
    ID,
    Money,
    Quantity,
    Strict,
    Timestamp,
)
from .common import (
    BACKORDER_STATUSES,
    DEMANDS,
    LINE_STATUSES,
    NAME,
    REQUISITION_STATUSES,
    RETURN_CONDITIONS,
    BinQuantityOut,
    N,
    PartsHistoryOut,
    PartsSiteListQuery,
    Qty,
    R,
    codes,
    one_of,
)

# ---------------------------------------------------------------- requisitions


class PartsIssueLineIn(Strict):
    line_id = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)
    old_part = fields.String(
        load_default=None, allow_none=True, validate=one_of(OLD_PART_DISPOSITIONS),
        metadata={"description": "what becomes of the old part (vocabulary)"},
    )  # fmt: skip


class PartsIssueIn(Strict):
    lines = fields.List(
        fields.Nested(PartsIssueLineIn), required=True, validate=validate.Length(min=1, max=100)
    )


class PartsReturnLineIn(Strict):
    line_id = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)
    condition = fields.String(load_default="good", validate=one_of(RETURN_CONDITIONS))


class PartsReturnIn(Strict):
    lines = fields.List(
        fields.Nested(PartsReturnLineIn), required=True, validate=validate.Length(min=1, max=100)
    )


class RequisitionLineCancelIn(Strict):
    quantity = Quantity(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True, validate=NAME)


class PartsReasonIn(Strict):
    """Why (optional) a document is cancelled, closed or refused."""

    reason = fields.String(load_default=None, allow_none=True, validate=NAME)


class RequisitionLineOut(Schema):
    line_id = fields.String(**R)
    part_number = fields.String(**R)
    payer = codes(PAYERS)
    quantity = Qty(**R)
    reserved = Qty(**R)
    backordered = Qty(**R)
    issued = Qty(**R)
    returned = Qty(**R)
    cancelled = Qty(**R)
    status = codes(LINE_STATUSES)
    filled_at_once = fields.Boolean(**R)
    known_part = fields.Boolean(**R)


class RequisitionOut(Schema):
    requisition_id = fields.String(**R)
    site_id = fields.String(**R)
    order_id = fields.String(**R)
    order_number = fields.String(**R)
    vin = fields.String(**R)
    approved_by = fields.String(**R)
    requested_at = Timestamp(**R)
    status = codes(REQUISITION_STATUSES)
    lines = fields.List(fields.Nested(RequisitionLineOut), **R)


class IssueRecordOut(Schema):
    issue_id = fields.String(**R)
    line_id = fields.String(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    returned = Qty(**R)
    unit_price = Money(**R)
    unit_cost = Money(**R)
    old_part = fields.String(**N, metadata={"enum": [*OLD_PART_DISPOSITIONS, None]})
    issued_by = fields.String(**R)
    issued_at = Timestamp(**R)


class RequisitionDetailOut(RequisitionOut):
    issues = fields.List(fields.Nested(IssueRecordOut), **R)
    history = fields.List(fields.Nested(PartsHistoryOut), **R)


class IssuedOut(Schema):
    issue_id = fields.String(**R)
    line_id = fields.String(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    unit_price = Money(**R)
    unit_cost = Money(**R)
    bins = fields.List(fields.Nested(BinQuantityOut), **R)


class PartsIssueOut(Schema):
    requisition = fields.Nested(RequisitionOut, **R)
    issued = fields.List(fields.Nested(IssuedOut), **R)


class ReturnedOut(Schema):
    return_id = fields.String(**R)
    line_id = fields.String(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    condition = codes(RETURN_CONDITIONS)
    unit_price = Money(**R)


class PartsReturnOut(Schema):
    requisition = fields.Nested(RequisitionOut, **R)
    returned = fields.List(fields.Nested(ReturnedOut), **R)


class RequisitionQuery(PartsSiteListQuery):
    order_id = fields.String(validate=ID)
    status = fields.String(validate=one_of(REQUISITION_STATUSES))


class BackOrderOut(Schema):
    backorder_id = fields.String(**R)
    site_id = fields.String(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    outstanding = Qty(**R)
    demand = codes(DEMANDS)
    requisition_id = fields.String(**N)
    line_id = fields.String(**N)
    order_id = fields.String(**N)
    sale_id = fields.String(**N)
    po_id = fields.String(**N)
    expected_at = fields.Date(**N)
    status = codes(BACKORDER_STATUSES)
    created_at = Timestamp(**R)
    closed_at = Timestamp(**N)


class BackOrderQuery(PartsSiteListQuery):
    status = fields.String(validate=one_of(BACKORDER_STATUSES))
    order_id = fields.String(validate=ID)
    part_number = fields.String(validate=ID)
