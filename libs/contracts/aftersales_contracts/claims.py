"""Events published by claims (its issue adds the warranty and insurance events here)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .base import EventContract


class RecallAnnounced(Schema):
    """An OEM recall or campaign received on the OEM exchange, for the group's vehicles."""

    recall_id = fields.String(required=True)
    oem_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("recall", "campaign")))
    title = fields.String(required=True)
    description = fields.String(required=True)
    vins = fields.List(fields.String(), required=True)
    labor_operation_code = fields.String(required=True, allow_none=True)
    part_numbers = fields.List(fields.String(), required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True, allow_none=True)


EVENTS: list[EventContract] = [
    EventContract(
        "recall_announced",
        1,
        "claims",
        RecallAnnounced,
        "An OEM recall or campaign affecting listed vehicles of the group.",
    ),
]
