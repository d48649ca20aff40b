"""Customer care's codes (what a client sends or reads), role sets and the field
helpers its API shapes share."""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from aftersales_core.tenancy import role_set

from ..fields import Ratio

# ---------------------------------------------------------------- codes

ATTEMPT_OUTCOMES: tuple[str, ...] = ("not_reached", "reached")
SURVEY_FACTORS: tuple[str, ...] = ("advisor", "repair_quality", "timing", "facility", "pickup")
FOLLOWUP_STATES: tuple[str, ...] = ("open", "done", "unreachable")

# The closed loop of domain.md step 11, in the order a complaint goes through it.
COMPLAINT_STATES: tuple[str, ...] = (
    "registered",
    "judged",
    "investigated",
    "solution_proposed",
    "solution_approved",
    "carried_out",
    "followed_up",
    "closed",
)
# The steps of the loop, each a route of its own; `escalate` may come at any time.
COMPLAINT_STEPS: tuple[str, ...] = (
    "judge",
    "investigate",
    "propose",
    "approve",
    "carry_out",
    "follow_up",
    "close",
)
COMPLAINT_ACTIONS: tuple[str, ...] = (*COMPLAINT_STEPS, "escalate")
MANUAL_ESCALATIONS: tuple[str, ...] = ("at_risk", "manual")

REMINDER_KINDS: tuple[str, ...] = (
    "service_due",
    "recommendation",
    "recall",
    "campaign",
    "special_order",
)
REMINDER_STATES: tuple[str, ...] = ("open", "done", "cancelled")
REMINDER_OUTCOMES: tuple[str, ...] = ("contacted", "booked", "declined", "not_reached")
LOST_REASONS: tuple[str, ...] = (
    "moved_away",
    "vehicle_sold",
    "price",
    "service_quality",
    "distance",
    "competitor",
    "insurer_choice",
    "unknown",
    "other",
)
CONTACT_KINDS: tuple[str, ...] = ("followup", "reminder", "complaint", "lost_customer")

# ---------------------------------------------------------------- who may do what

CARE_ROLES = role_set("customer_care_agent", "customer_care_manager")
COMPLAINT_HANDLER_ROLES = role_set(
    *CARE_ROLES, "front_desk_supervisor", "service_manager", "service_director", "hq_manager"
)
APPROVER_ROLES = role_set(
    "customer_care_manager", "service_manager", "service_director", "hq_manager"
)
POLICY_ROLES = role_set("customer_care_manager", "service_director", "hq_manager")
REMINDER_ROLES = role_set(*CARE_ROLES, "service_advisor", "front_desk_supervisor")
SWEEP_ROLES = role_set("system", "hq_manager")

HHMM = validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$", error="a time as HH:MM")
LONG_TEXT = validate.Length(min=1, max=4000)
NOTE = validate.Length(max=4000)
USER_ID = validate.Length(min=1, max=80)
NAME = validate.Length(min=1, max=200)


def one_of(codes: tuple[str, ...], **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(codes), **kwargs)


def date_string(**kwargs: Any) -> fields.String:
    """A date kept as text in a stored JSON document (`YYYY-MM-DD`)."""
    return fields.String(metadata={"format": "date"}, **kwargs)


def percentage(**kwargs: Any) -> Any:
    return Ratio(1, required=True, allow_none=True, what="a percentage", **kwargs)
