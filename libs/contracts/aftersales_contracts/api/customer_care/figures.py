"""Lost and loyal customers, and the customer-care figures: their shapes."""

from __future__ import annotations

from marshmallow import Schema, fields

from ...vocabulary import COMPLAINT_CLASSIFICATIONS, CUSTOMER_CLASSES
from ..fields import ID, Ratio, Strict, Timestamp
from ..pages import PageQuery
from .codes import (
    LOST_REASONS,
    NOTE,
    one_of,
    percentage,
)

# ---------------------------------------------------------------- lost and loyal customers


class LostReasonIn(Strict):
    reason = one_of(LOST_REASONS, required=True)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class LostReasonOut(Schema):
    vehicle_id = fields.String(required=True)
    reason = one_of(LOST_REASONS, required=True)
    note = fields.String(required=True, allow_none=True)
    recorded_at = Timestamp(required=True)
    recorded_by = fields.String(required=True)


class LostVehicleOut(Schema):
    vehicle_id = fields.String(required=True)
    customer_id = fields.String(required=True)
    customer_name = fields.String(required=True, allow_none=True)
    site_id = fields.String(required=True)
    vin = fields.String(required=True)
    plate = fields.String(required=True, allow_none=True)
    model = fields.String(required=True)
    last_activity_at = Timestamp(required=True)
    last_visit_at = Timestamp(required=True, allow_none=True)
    lost_since = Timestamp(required=True)
    reason = one_of(LOST_REASONS, required=True, allow_none=True)
    reason_note = fields.String(required=True, allow_none=True)


class LoyalCustomerOut(Schema):
    customer_id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    site_id = fields.String(required=True)
    customer_class = one_of(CUSTOMER_CLASSES, required=True, allow_none=True)
    visits = fields.Integer(required=True)
    last_visit_at = Timestamp(required=True)


class CarePeriodQuery(Strict):
    """A period of local dates, both included; `site_id` one of yours (HQ: any)."""

    site_id = fields.String(validate=ID)
    date_from = fields.Date(data_key="from", metadata={"description": "first day, included"})
    date_to = fields.Date(data_key="to", metadata={"description": "last day, included"})


class LoyalCustomerQuery(CarePeriodQuery, PageQuery):
    """Default period: the site's `loyal_period_months` up to today."""


# ---------------------------------------------------------------- figures


class CareSatisfactionCounts(Schema):
    satisfied = fields.Integer(required=True)
    neutral = fields.Integer(required=True)
    unsatisfied = fields.Integer(required=True)


class CareFollowupFigures(Schema):
    deliveries = fields.Integer(required=True)
    done_within_72h = fields.Integer(required=True)
    done_within_72h_rate = percentage()
    member_deliveries = fields.Integer(required=True)
    member_done_within_72h = fields.Integer(required=True)
    member_done_within_72h_rate = percentage()
    attempted = fields.Integer(required=True)
    reached = fields.Integer(required=True)
    reach_rate = percentage()
    unreachable = fields.Integer(required=True)
    open = fields.Integer(required=True)
    overdue = fields.Integer(required=True)
    satisfaction = fields.Nested(CareSatisfactionCounts, required=True)


class CareFactorMeans(Schema):
    """The mean score 1–10 per survey factor; null when nobody was asked."""

    advisor = Ratio(1, required=True, allow_none=True)
    repair_quality = Ratio(1, required=True, allow_none=True)
    timing = Ratio(1, required=True, allow_none=True)
    facility = Ratio(1, required=True, allow_none=True)
    pickup = Ratio(1, required=True, allow_none=True)


class CareCsiFigures(Schema):
    surveys = fields.Integer(required=True)
    csi = Ratio(1, required=True, allow_none=True, what="mean survey index, 0–100")
    factors = fields.Nested(CareFactorMeans, required=True)
    would_recommend_answers = fields.Integer(required=True)
    net_promoter_score = Ratio(
        1, required=True, allow_none=True, what="% promoters minus % detractors"
    )


class CareComplaintFigures(Schema):
    raised = fields.Integer(required=True)
    repair_orders = fields.Integer(required=True)
    per_100_repair_orders = Ratio(2, required=True, allow_none=True)
    closed = fields.Integer(required=True)
    closed_invalid = fields.Integer(required=True)
    by_category = fields.Dict(
        keys=one_of(COMPLAINT_CLASSIFICATIONS),
        values=fields.Integer(),
        required=True,
        metadata={"description": "valid complaints closed, by classification (no zeros)"},
    )
    escalated = fields.Integer(required=True)
    open = fields.Integer(required=True)


class CareCustomerFigures(Schema):
    active_at_start = fields.Integer(required=True)
    lost = fields.Integer(required=True)
    churn_rate = percentage()
    loyal = fields.Integer(required=True)


class CareFiguresOut(Schema):
    followups = fields.Nested(CareFollowupFigures, required=True)
    csi = fields.Nested(CareCsiFigures, required=True)
    complaints = fields.Nested(CareComplaintFigures, required=True)
    customers = fields.Nested(CareCustomerFigures, required=True)


class CareSiteFiguresOut(CareFiguresOut):
    site_id = fields.String(required=True)


class CareFiguresReportOut(Schema):
    date_from = fields.Date(data_key="from", required=True)
    date_to = fields.Date(data_key="to", required=True)
    sites = fields.List(fields.Nested(CareSiteFiguresOut), required=True)
    total = fields.Nested(
        CareFiguresOut,
        required=True,
        metadata={"description": "from the pooled facts of every site, not averaged rates"},
    )


class CareSweepOut(Schema):
    followups_flagged_overdue = fields.Integer(required=True)
    complaints_escalated = fields.Integer(required=True)
