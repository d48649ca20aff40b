"""Counter sales, the group locator, transfers between sites, figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import (
    ID,
    Money,
    Quantity,
    Ratio,
    SignedMoney,
    Strict,
    Timestamp,
)
from .common import (
    BACKORDER_STATUSES,
    BIN,
    NAME,
    SALE_STATUSES,
    TRANSFER_STATUSES,
    BinQuantityOut,
    N,
    PartsHistoryOut,
    PartsSiteListQuery,
    Qty,
    R,
    codes,
    one_of,
)

# ---------------------------------------------------------------- counter sales


class SaleLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)


class CounterSaleIn(Strict):
    site_id = fields.String(required=True, validate=ID)
    customer_id = fields.String(load_default=None, allow_none=True, validate=ID)
    customer_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    phone = fields.String(required=True, validate=validate.Regexp(r"^\+?[0-9\- ]{5,30}$"))
    deposit = Money(load_default=Decimal("0.00"))
    lines = fields.List(
        fields.Nested(SaleLineIn), required=True, validate=validate.Length(min=1, max=100)
    )


class CounterSaleCompleteIn(Strict):
    paid = Money(required=True)


class CounterSaleLineOut(Schema):
    line_no = fields.Integer(**R)
    part_number = fields.String(**R)
    quantity = Qty(**R)
    unit_price = Money(**R)
    reserved = Qty(**R)
    special_ordered = Qty(**R)
    issued = Qty(**R)


class SpecialOrderOut(Schema):
    backorder_id = fields.String(**R)
    part_number = fields.String(**R)
    outstanding = Qty(**R)
    expected_at = fields.Date(**N)
    status = codes(BACKORDER_STATUSES)


class CounterSaleOut(Schema):
    sale_id = fields.String(**R)
    site_id = fields.String(**R)
    customer_id = fields.String(**N)
    customer_name = fields.String(**R)
    phone = fields.String(**R)
    deposit = Money(**R)
    total = Money(**R)
    balance_due = Money(**R)
    paid = Money(**N)
    status = codes(SALE_STATUSES)
    created_by = fields.String(**R)
    created_at = Timestamp(**R)
    closed_at = Timestamp(**N)
    lines = fields.List(fields.Nested(CounterSaleLineOut), **R)
    backorders = fields.List(fields.Nested(SpecialOrderOut), **R)


class CounterSaleDetailOut(CounterSaleOut):
    history = fields.List(fields.Nested(PartsHistoryOut), **R)


class CounterSaleQuery(PartsSiteListQuery):
    status = fields.String(validate=one_of(SALE_STATUSES))


# ---------------------------------------------------------------- the group: locator, transfers


class LocatorQuery(Strict):
    part_number = fields.String(required=True, validate=ID)


class LocatorSiteOut(Schema):
    site_id = fields.String(**R)
    part_number = fields.String(**R)
    on_hand = Qty(**R)
    reserved = Qty(**R)
    available = Qty(**R)
    yours = fields.Boolean(**R, metadata={"description": "one of your sites"})
    bins = fields.List(fields.Nested(BinQuantityOut), **R)


class LocatorOut(Schema):
    part_number = fields.String(**R)
    name = fields.String(**R)
    superseded_by = fields.String(**N)
    sites = fields.List(fields.Nested(LocatorSiteOut), **R)


class TransferLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    quantity = Quantity(required=True)


class TransferIn(Strict):
    from_site_id = fields.String(required=True, validate=ID)
    to_site_id = fields.String(required=True, validate=ID)
    reason = fields.String(load_default=None, allow_none=True, validate=NAME)
    lines = fields.List(
        fields.Nested(TransferLineIn), required=True, validate=validate.Length(min=1, max=100)
    )

    @validates_schema
    def _two_sites(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("from_site_id") == data.get("to_site_id"):
            raise ValidationError({"to_site_id": ["a transfer goes to another site"]})


class TransferReceiveLineIn(Strict):
    part_number = fields.String(required=True, validate=ID)
    received = Qty(required=True)


class TransferReceiveIn(Strict):
    warehouse_id = fields.String(load_default=None, allow_none=True, validate=ID)
    bin = fields.String(load_default=None, allow_none=True, validate=BIN)
    lines = fields.List(fields.Nested(TransferReceiveLineIn), load_default=None, allow_none=True)
    note = fields.String(load_default=None, allow_none=True, validate=NAME)


class TransferLineOut(Schema):
    part_number = fields.String(**R)
    quantity = Qty(**R)
    shipped = Qty(**R)
    received = Qty(**R)
    value = Money(**R)


class TransferOut(Schema):
    transfer_id = fields.String(**R)
    from_site_id = fields.String(**R)
    to_site_id = fields.String(**R)
    status = codes(TRANSFER_STATUSES)
    reason = fields.String(**N)
    requested_by = fields.String(**R)
    requested_at = Timestamp(**R)
    shipped_by = fields.String(**N)
    shipped_at = Timestamp(**N)
    received_by = fields.String(**N)
    received_at = Timestamp(**N)
    note = fields.String(**N)
    lines = fields.List(fields.Nested(TransferLineOut), **R)


class TransferDetailOut(TransferOut):
    history = fields.List(fields.Nested(PartsHistoryOut), **R)


class TransferQuery(PartsSiteListQuery):
    status = fields.String(validate=one_of(TRANSFER_STATUSES))


# ---------------------------------------------------------------- figures


class PartsFiguresQuery(Strict):
    site_id = fields.String(validate=ID)
    date_from = fields.Date(data_key="from", required=True, metadata={"description": "first day"})
    date_to = fields.Date(data_key="to", required=True, metadata={"description": "last day"})

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        start: date | None = data.get("date_from")
        end: date | None = data.get("date_to")
        if start and end and (end < start or (end - start).days > 366 * 2):
            raise ValidationError({"to": ["the period runs forwards, at most two years"]})


class AgeingOut(Schema):
    part_number = fields.String(**R)
    on_hand = Qty(**R)
    value = Money(**R)
    last_movement_on = fields.Date(**N)


class PartsSiteFiguresOut(Schema):
    site_id = fields.String(**N, metadata={"description": "null: the group's total"})
    days = fields.Integer(**R)
    opening_stock_value = Money(**R)
    stock_value = Money(**R)
    cost_of_issues = SignedMoney(**R)
    lines_requested = fields.Integer(**R)
    lines_filled_at_once = fields.Integer(**R)
    order_value = Money(**R)
    emergency_order_value = Money(**R)
    slow_moving_value = Money(**R)
    obsolete_value = Money(**R)
    slow_moving = fields.List(fields.Nested(AgeingOut), **R)
    obsolete = fields.List(fields.Nested(AgeingOut), **R)
    turnover = Ratio(2, **R)
    first_time_fill_rate = Ratio(**R)
    emergency_order_share = Ratio(**R)
    obsolete_share = Ratio(**R)


class PartsFiguresOut(Schema):
    date_from = fields.Date(data_key="from", **R)
    date_to = fields.Date(data_key="to", **R)
    sites = fields.List(fields.Nested(PartsSiteFiguresOut), **R)
    total = fields.Nested(PartsSiteFiguresOut, metadata={"description": "with several sites"})
