"""What claims' API shapes share: codes, role sets, value fields, findings, history."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import validate_vin
from aftersales_core.tenancy import ROLES, role_set

from ...claims import DECISION_OUTCOMES
from ...claims import RECALL_KINDS as RECALL_KINDS  # a code the API reads too
from ..fields import Strict, Timestamp

# ---------------------------------------------------------------- codes

# A warranty claim's states; decisions come from "submitted" or "appealed".
CLAIM_STATUSES: tuple[str, ...] = (
    "draft",
    "submitted",
    "appealed",
    "approved",
    "partly_approved",
    "rejected",
    "paid",
    "withdrawn",
)
OUTCOMES: tuple[str, ...] = DECISION_OUTCOMES
# What became of a replaced part: kept until the OEM decides, then its instruction
# (to return / to scrap), then done.
OLD_PART_STATUSES: tuple[str, ...] = ("kept", "to_return", "to_scrap", "returned", "scrapped")
OLD_PART_ACTIONS: tuple[str, ...] = ("returned", "scrapped")
COVERAGE_BASES: tuple[str, ...] = (
    "vehicle",
    "parts",
    "first_maintenance",
    "recall",
    "goodwill",
    "none",
)

INSURANCE_STATUSES: tuple[str, ...] = (
    "intake",
    "assessed",
    "approved",
    "submitted",
    "paid",
    "closed",
)
ASSESSMENT_KINDS: tuple[str, ...] = ("labor", "part", "paint", "sublet")
# The documents an insurer needs before it pays (理赔材料), code -> label.
INSURANCE_DOCUMENTS: dict[str, str] = {
    "policy": "保险单",
    "vehicle_licence": "行驶证",
    "driving_licence": "驾驶证",
    "accident_report": "事故责任认定书",
    "assessment_sheet": "定损单",
    "repair_invoice": "维修发票",
    "owner_id": "车主身份证",
    "payment_authorisation": "赔款转账授权书",
}
DOCUMENT_CODES: tuple[str, ...] = tuple(INSURANCE_DOCUMENTS)

# ---------------------------------------------------------------- who may do what

STAFF = role_set(*(role for role in ROLES if role != "oem"))  # an OEM sees no site records
CLAIM_WRITERS = role_set("claims_clerk", "service_manager", "service_director")
APPRAISERS = role_set(*CLAIM_WRITERS, "service_advisor")  # the technical appraisal
TERMS_WRITERS = role_set("hq_manager", "system")
INSURANCE_WRITERS = role_set(
    "accident_supervisor",
    "accident_reception",
    "claims_clerk",
    "service_manager",
    "service_director",
)

# ---------------------------------------------------------------- value fields

CODE = validate.Length(min=1, max=40)
LINE_TEXT = validate.Length(min=1, max=300)
MILEAGE = validate.Range(min=0, max=3_000_000)
MAX_LINE_QUANTITY = 10_000


def one_of(codes: tuple[str, ...], **kwargs: Any) -> fields.String:
    """A code from a closed list (documented as an enum)."""
    return fields.String(validate=validate.OneOf(codes), **kwargs)


class Vin(fields.String):
    """A VIN in the normal form: format only (17 characters, no I/O/Q); whether the
    car is known, and its check digit, are the vehicle record's business."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return validate_vin(text, check_digit=False)
        except ValidationFailed as exc:
            raise ValidationError(exc.message) from None


class Period(Strict):
    """`from` and `to`: a period of calendar days, both included (China time)."""

    date_from = fields.Date(data_key="from", metadata={"description": "first day, included"})
    date_to = fields.Date(data_key="to", metadata={"description": "last day, included"})

    @validates_schema
    def _in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError("the period ends before it begins", "to")


class RequiredPeriod(Period):
    date_from = fields.Date(
        data_key="from", required=True, metadata={"description": "first day, included"}
    )
    date_to = fields.Date(
        data_key="to", required=True, metadata={"description": "last day, included"}
    )


class NonEmpty(Strict):
    """A change that changes something: `{}` is a 400, not a silent no-op."""

    @validates_schema
    def _something(self, data: dict[str, Any], **_: Any) -> None:
        if not data:
            raise ValidationError("nothing to change", "_schema")


class ClaimFindingOut(Schema):
    """One reason a claim cannot go to the OEM yet, on the field to fix."""

    code = fields.String(required=True)
    field = fields.String(required=True, metadata={"description": "e.g. `labor[0].hours`"})
    message = fields.String(required=True)


class ClaimHistoryOut(Schema):
    """One change of a claim: who, when, the state after it, and what changed."""

    at = Timestamp(required=True)
    by = fields.String(required=True)
    action = fields.String(required=True)
    status = fields.String(required=True)
    changes = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "what the action changed: field -> [old, new] or a value"},
    )
