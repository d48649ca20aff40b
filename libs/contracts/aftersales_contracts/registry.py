"""The registry of event types, collected from each producer's module.

Each producer owns one module here (`reception.py`, `workshop.py`, …) that
lists its `EVENTS`; examples live in `examples/<type>.json`.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from marshmallow import EXCLUDE, INCLUDE
from marshmallow import ValidationError as MarshmallowError

from aftersales_core.errors import ValidationFailed

from . import claims, customer_care, oem_parts, oem_warranty, parts, reception, workshop
from .base import EventContract

CONTRACTS: dict[str, EventContract] = {
    c.type: c
    for module in (reception, workshop, parts, claims, customer_care, oem_parts, oem_warranty)
    for c in module.EVENTS
}


def contract(event_type: str) -> EventContract:
    try:
        return CONTRACTS[event_type]
    except KeyError:
        raise ValidationFailed(
            f"unknown event type {event_type}", "UNKNOWN_EVENT", {"type": [event_type]}
        ) from None


def validate_payload(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Check a payload against its contract; unknown fields pass (consumers ignore them)."""
    errors = contract(event_type).schema(unknown=INCLUDE).validate(payload)
    if errors:
        raise ValidationFailed(f"{event_type} payload breaks its contract", "CONTRACT", errors)
    return payload


def load_payload(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """An incoming payload loaded through its contract (decimals, dates, datetimes as
    Python values; unknown fields dropped). A payload that breaks its contract raises
    `ValidationFailed` "CONTRACT": it is a permanent error, for the dead-letter queue."""
    try:
        return contract(event_type).schema(unknown=EXCLUDE).load(payload)
    except MarshmallowError as exc:
        raise ValidationFailed(
            f"{event_type} breaks its contract", "CONTRACT", exc.messages
        ) from None


def example(event_type: str) -> dict[str, Any]:
    """The contract's example envelope, as a consumer would receive it."""
    text = resources.files("aftersales_contracts").joinpath(f"examples/{event_type}.json")
    return json.loads(text.read_text(encoding="utf-8"))
