"""The registry of event types: producer, version, payload schema, example."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from marshmallow import INCLUDE, Schema

from aftersales_core.errors import ValidationFailed

from . import reception


@dataclass(frozen=True)
class EventContract:
    type: str
    version: int
    producer: str
    schema: type[Schema]
    description: str


CONTRACTS: dict[str, EventContract] = {
    c.type: c
    for c in (
        EventContract(
            "customer_registered",
            1,
            "reception",
            reception.CustomerRegistered,
            "A customer was added to a site's records.",
        ),
        EventContract(
            "vehicle_registered",
            1,
            "reception",
            reception.VehicleRegistered,
            "A vehicle was added to a customer's records.",
        ),
    )
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


def example(event_type: str) -> dict[str, Any]:
    """The contract's example envelope, as a consumer would receive it."""
    text = resources.files("aftersales_contracts").joinpath(f"examples/{event_type}.json")
    return json.loads(text.read_text(encoding="utf-8"))
