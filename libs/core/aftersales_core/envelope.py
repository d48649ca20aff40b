"""The event envelope every message on the bus carries.

Payloads hold JSON primitives only (decimals as strings, datetimes as ISO
strings) so that any consumer, in any language, reads them the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate

from .errors import ValidationFailed


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_primitives(value: Any) -> Any:
    """Turn decimals, dates, UUIDs and enums into JSON primitives, recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Enum):
        return to_primitives(value.value)
    if isinstance(value, dict):
        return {str(k): to_primitives(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_primitives(v) for v in value]
    return value


@dataclass(frozen=True)
class Envelope:
    """One fact that happened, addressed to a group and a site."""

    type: str
    group_id: str
    site_id: str | None
    payload: dict[str, Any]
    correlation_id: str | None = None
    version: int = 1
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    occurred_at: str = field(default_factory=lambda: utcnow().isoformat())

    def __post_init__(self) -> None:
        object.__setattr__(self, "payload", to_primitives(self.payload))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> Envelope:
        """Validate an incoming message; unknown fields are ignored (versioning rule)."""
        if not isinstance(data, dict):
            raise ValidationFailed("an event must be a JSON object", "BAD_ENVELOPE")
        errors = _ENVELOPE_SCHEMA.validate(data)
        if errors:
            raise ValidationFailed("the event envelope is invalid", "BAD_ENVELOPE", errors)
        loaded = _ENVELOPE_SCHEMA.load(data)
        return cls(**loaded)


class EnvelopeSchema(Schema):
    """The envelope's contract, shared by producers and consumers."""

    class Meta:
        unknown = EXCLUDE

    event_id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]*$"))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.AwareDateTime(required=True)
    group_id = fields.String(required=True, validate=validate.Length(min=1))
    site_id = fields.String(required=True, allow_none=True)
    correlation_id = fields.String(load_default=None, allow_none=True)
    payload = fields.Dict(keys=fields.String(), required=True)

    def load(self, data: Any, **kwargs: Any) -> Any:  # keep the wire forms (str ids, ISO times)
        result = super().load(data, **kwargs)
        result["event_id"] = str(result["event_id"])
        result["occurred_at"] = as_utc(result["occurred_at"]).isoformat()
        return result


_ENVELOPE_SCHEMA = EnvelopeSchema()
