"""The archive, the care agents, the site policy and reminders: their shapes."""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate

from ...vocabulary import CUSTOMER_CLASSES
from ..fields import ID, DecimalString, Quantity, Strict, Timestamp
from ..pages import PageQuery
from .codes import (
    CONTACT_KINDS,
    HHMM,
    NAME,
    NOTE,
    REMINDER_KINDS,
    REMINDER_OUTCOMES,
    REMINDER_STATES,
    USER_ID,
    date_string,
    one_of,
)

# ---------------------------------------------------------------- reference data and policy


class CareAgentIn(Schema):
    """A customer care agent from the group directory (other staff fields are ignored)."""

    class Meta:
        unknown = EXCLUDE

    user_id = fields.String(required=True, validate=USER_ID)
    name = fields.String(required=True, validate=NAME)
    site_ids = fields.List(fields.String(validate=ID), required=True)
    roles = fields.List(fields.String(), load_default=lambda: ["customer_care_agent"])


class CareTimeWindow(Strict):
    start = fields.String(required=True, validate=HHMM, metadata={"example": "12:00"})
    end = fields.String(required=True, validate=HHMM, metadata={"example": "14:00"})


class CarePolicyIn(Strict):
    """Some of a site's care settings; a field left out keeps its current value."""

    timezone = fields.String(validate=validate.Length(min=1, max=60))
    call_hours = fields.Nested(CareTimeWindow)
    rest_windows = fields.List(fields.Nested(CareTimeWindow), validate=validate.Length(max=10))
    rest_weekdays = fields.List(
        fields.Integer(validate=validate.Range(min=0, max=6)), validate=validate.Length(max=7)
    )
    holidays = fields.List(fields.Date(), validate=validate.Length(max=400))
    first_call_after_hours = fields.Integer(validate=validate.Range(min=1, max=71))
    min_call_gap_hours = fields.Integer(validate=validate.Range(min=0, max=71))
    retry_after_hours = fields.Integer(validate=validate.Range(min=1, max=72))
    max_attempts = fields.Integer(validate=validate.Range(min=1, max=10))
    complaint_acknowledge_hours = fields.Integer(validate=validate.Range(min=1, max=720))
    complaint_resolve_days = fields.Integer(validate=validate.Range(min=1, max=365))
    lost_after_months = fields.Integer(validate=validate.Range(min=1, max=120))
    loyal_min_visits = fields.Integer(validate=validate.Range(min=1, max=100))
    loyal_period_months = fields.Integer(validate=validate.Range(min=1, max=120))
    reminder_lead_days = fields.Integer(validate=validate.Range(min=0, max=180))
    recommendation_reminder_days = fields.Integer(validate=validate.Range(min=1, max=365))


class CareSitePolicyIn(CarePolicyIn):
    site_id = fields.String(required=True, validate=ID)


class CareReferenceDataIn(Strict):
    """What `aftersales seed` loads into customer care."""

    group_id = fields.String(required=True, validate=ID)
    agents = fields.List(fields.Nested(CareAgentIn), load_default=list)
    site_policies = fields.List(fields.Nested(CareSitePolicyIn), load_default=list)


class CareReferenceDataOut(Schema):
    agents = fields.Integer(required=True)
    site_policies = fields.Integer(required=True)
    assigned = fields.Integer(required=True)


class CarePolicySettingsOut(Schema):
    """Every setting of a site's policy, defaults filled in."""

    timezone = fields.String(required=True, metadata={"example": "Asia/Shanghai"})
    call_hours = fields.Nested(CareTimeWindow, required=True)
    rest_windows = fields.List(fields.Nested(CareTimeWindow), required=True)
    rest_weekdays = fields.List(
        fields.Integer(), required=True, metadata={"description": "0 Monday … 6 Sunday"}
    )
    holidays = fields.List(date_string(), required=True)
    first_call_after_hours = fields.Integer(required=True)
    min_call_gap_hours = fields.Integer(required=True)
    retry_after_hours = fields.Integer(required=True)
    max_attempts = fields.Integer(required=True)
    complaint_acknowledge_hours = fields.Integer(required=True)
    complaint_resolve_days = fields.Integer(required=True)
    lost_after_months = fields.Integer(required=True)
    loyal_min_visits = fields.Integer(required=True)
    loyal_period_months = fields.Integer(required=True)
    reminder_lead_days = fields.Integer(required=True)
    recommendation_reminder_days = fields.Integer(required=True)


class CareSitePolicyOut(Schema):
    site_id = fields.String(required=True)
    settings = fields.Nested(CarePolicySettingsOut, required=True)
    updated_by = fields.String(required=True, allow_none=True)
    updated_at = Timestamp(required=True, allow_none=True)


# ---------------------------------------------------------------- the archive


class CareSiteQuery(PageQuery):
    site_id = fields.String(validate=ID)


class CareCustomerQuery(CareSiteQuery):
    agent_id = fields.String(validate=USER_ID)
    customer_class = one_of(CUSTOMER_CLASSES)
    q = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "part of the customer's name or phone number"},
    )


class CareCustomerOut(Schema):
    customer_id = fields.String(required=True)
    site_id = fields.String(required=True)
    name = fields.String(required=True)
    phones = fields.List(fields.String(), required=True)
    customer_class = one_of(CUSTOMER_CLASSES, required=True)
    agent_id = fields.String(required=True, allow_none=True)
    registered_by = fields.String(required=True, allow_none=True)
    recorded_for = fields.String(required=True, allow_none=True)
    registered_at = Timestamp(required=True)


class CareRecommendationOut(Schema):
    """Declined additional work (建议项目), offered again."""

    work_id = fields.String(required=True)
    order_id = fields.String(required=True)
    description = fields.String(required=True)
    declined_at = Timestamp(required=True)


class CareVehicleOut(Schema):
    vehicle_id = fields.String(required=True)
    vin = fields.String(required=True)
    plate = fields.String(required=True, allow_none=True)
    brand = fields.String(required=True)
    model = fields.String(required=True)
    sale_date = fields.Date(required=True, allow_none=True)
    mileage = fields.Integer(required=True)
    recommendations = fields.List(fields.Nested(CareRecommendationOut), required=True)


class CareVisitOut(Schema):
    order_id = fields.String(required=True)
    order_number = fields.String(required=True)
    order_type = fields.String(required=True)
    site_id = fields.String(required=True)
    vehicle_id = fields.String(required=True)
    mileage = fields.Integer(required=True)
    delivered_at = Timestamp(required=True)


class CareContactOut(Schema):
    at = Timestamp(required=True)
    by = fields.String(required=True)
    kind = one_of(CONTACT_KINDS, required=True)
    reference = fields.String(required=True, metadata={"description": "the record's id"})
    outcome = fields.String(required=True)
    note = fields.String(required=True, allow_none=True)


class CareReminderDetailsOut(Schema):
    """What the reminder is about; which fields are present depends on its kind."""

    order_id = fields.String(allow_none=True)
    work_id = fields.String()
    description = fields.String(allow_none=True)
    sale_id = fields.String()
    part_number = fields.String()
    quantity = Quantity()
    recall_id = fields.String()
    oem_id = fields.String()
    labor_operation_code = fields.String(allow_none=True)
    starts_on = date_string()
    ends_on = date_string(allow_none=True)
    next_service_date = date_string(allow_none=True)
    next_service_mileage = fields.Integer(allow_none=True)
    service_due_on = date_string()
    basis = one_of(("date", "mileage"))
    mileage_due_on = date_string(allow_none=True)
    average_daily_km = DecimalString(1, allow_none=True, what="km a day")
    recommendations = fields.List(fields.String())


class ReminderOut(Schema):
    reminder_id = fields.String(required=True)
    site_id = fields.String(required=True)
    kind = one_of(REMINDER_KINDS, required=True)
    customer_id = fields.String(required=True, allow_none=True)
    vehicle_id = fields.String(required=True, allow_none=True)
    vin = fields.String(required=True, allow_none=True)
    contact_name = fields.String(required=True, allow_none=True)
    phone = fields.String(required=True, allow_none=True)
    agent_id = fields.String(required=True, allow_none=True)
    title = fields.String(required=True)
    details = fields.Nested(CareReminderDetailsOut, required=True)
    remind_on = fields.Date(required=True)
    status = one_of(REMINDER_STATES, required=True)
    attempts = fields.Integer(required=True)
    outcome = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)
    created_at = Timestamp(required=True)
    done_at = Timestamp(required=True, allow_none=True)
    done_by = fields.String(required=True, allow_none=True)


class CareCustomerDetailOut(CareCustomerOut):
    """A customer as customer care knows them (visits and contacts: the latest 50)."""

    vehicles = fields.List(fields.Nested(CareVehicleOut), required=True)
    visits = fields.List(fields.Nested(CareVisitOut), required=True)
    contacts = fields.List(fields.Nested(CareContactOut), required=True)
    open_reminders = fields.List(fields.Nested(ReminderOut), required=True)


# ---------------------------------------------------------------- reminders


class ReminderCallIn(Strict):
    outcome = one_of(REMINDER_OUTCOMES, required=True)
    note = fields.String(load_default=None, allow_none=True, validate=NOTE)


class ReminderQuery(CareSiteQuery):
    kind = one_of(REMINDER_KINDS)
    status = one_of(REMINDER_STATES, load_default="open")
    due_by = fields.Date(metadata={"description": "reminders due on or before this date"})
    agent_id = fields.String(validate=USER_ID)
    customer_id = fields.String(validate=ID)
