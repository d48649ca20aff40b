"""What a contract is: an event type, its version, its producer and its payload schema."""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import Schema, fields, validate


@dataclass(frozen=True)
class EventContract:
    type: str
    version: int
    producer: str
    schema: type[Schema]
    description: str


# Shared field shapes: money and hours travel as decimal strings.
def money(**kwargs: object) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=2, **kwargs)  # type: ignore[arg-type]


def hours(**kwargs: object) -> fields.Decimal:
    return fields.Decimal(as_string=True, places=1, **kwargs)  # type: ignore[arg-type]


PAYERS = ("customer", "warranty", "insurance", "internal")
payer = validate.OneOf(PAYERS)
