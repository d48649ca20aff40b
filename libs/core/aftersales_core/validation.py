"""marshmallow loading that fails the aftersales way: `ValidationFailed` with fields."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema
from marshmallow import ValidationError as MarshmallowError

from .errors import ValidationFailed


def load(schema: Schema, data: Any, *, partial: bool = False) -> Any:
    if not isinstance(data, dict) and not schema.many:
        raise ValidationFailed(
            "expected a JSON object", "VALIDATION_ERROR", {"_schema": ["not an object"]}
        )
    try:
        return schema.load(data, partial=partial)
    except MarshmallowError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ValidationFailed("some fields are invalid", "VALIDATION_ERROR", messages) from None
