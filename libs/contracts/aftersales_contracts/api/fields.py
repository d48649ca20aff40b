"""The API's value fields, one definition each, shared by every service and the gateway.

Decimals travel as strings in one format — an optional minus, digits, a point and a
fixed number of places (`"180.00"`, `"1.5"`) — never as JSON numbers, so no client
rounds money through a float. Input accepts a string or a number and refuses a finer
figure than the field's step instead of rounding it; output always has the field's
places. Timestamps always carry a time zone (RFC 3339 `date-time`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

DECIMAL_PATTERN = r"^-?\d+(\.\d+)?$"

# Bounds that keep every figure inside its column and far beyond any real record.
MAX_AMOUNT = Decimal(100_000_000)
MAX_HOURS = Decimal(1_000)
MAX_QUANTITY = Decimal(100_000)

ID = validate.Length(min=1, max=40)
TEXT = validate.Length(min=1, max=2000)


class DecimalString(fields.Field):
    """A decimal as a string with `places` places, between `low` and `high`.

    Not marshmallow's `Decimal` with `validate.Range`: apispec renders such bounds as
    text, which is not valid OpenAPI, so the bounds go into the description.
    """

    def __init__(
        self,
        places: int,
        *,
        low: Decimal | int | str | None = 0,
        low_inclusive: bool = True,
        high: Decimal | int | str = MAX_AMOUNT,
        example: str | None = None,
        what: str = "a number",
        **kwargs: Any,
    ) -> None:
        self.places = places
        self.step = Decimal(1).scaleb(-places)
        self.low = None if low is None else Decimal(low)
        self.low_inclusive = low_inclusive
        self.high = Decimal(high)
        self.what = what
        lower = "" if self.low is None else f"{'>=' if low_inclusive else '>'} {self.low}, "
        metadata = {
            "type": "string",
            "format": "decimal",
            "pattern": DECIMAL_PATTERN,
            "description": f"{what}: decimal string, {lower}< {self.high}, to {self.step}",
            "example": example or str(Decimal(1).quantize(self.step)),
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(Decimal(str(value)).quantize(self.step))

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ValidationError(f"{self.what} must be a decimal string")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValidationError(f"{self.what} must be a decimal string") from None
        if not number.is_finite():
            raise ValidationError(f"{self.what} must be a finite number")
        if self.low is not None and (
            number < self.low or (number == self.low and not self.low_inclusive)
        ):
            word = "at least" if self.low_inclusive else "more than"
            raise ValidationError(f"{self.what} must be {word} {self.low}")
        if number >= self.high:
            raise ValidationError(f"{self.what} must be less than {self.high}")
        if number != number.quantize(self.step):
            raise ValidationError(f"{self.what} to at most {self.places} decimal places")
        return number.quantize(self.step)


def Money(**kwargs: Any) -> DecimalString:  # noqa: N802 - a field factory reads like a field
    """CNY to the fen, never negative: `"180.00"`."""
    kwargs.setdefault("what", "an amount")
    return DecimalString(2, example="180.00", **kwargs)


def SignedMoney(**kwargs: Any) -> DecimalString:  # noqa: N802
    """CNY that may be negative (a variance, a credit note): `"-12.50"`."""
    kwargs.setdefault("what", "an amount")
    return DecimalString(2, low=-MAX_AMOUNT, example="-12.50", **kwargs)


def Hours(**kwargs: Any) -> DecimalString:  # noqa: N802
    """Hours to 0.1 h: `"1.5"`."""
    kwargs.setdefault("what", "hours")
    kwargs.setdefault("high", MAX_HOURS)
    return DecimalString(1, example="1.5", **kwargs)


def Quantity(**kwargs: Any) -> DecimalString:  # noqa: N802
    """A positive quantity of a part's unit to 0.001 (litres of oil, metres of hose):
    `"2.000"`."""
    kwargs.setdefault("low", 0)
    kwargs.setdefault("low_inclusive", False)
    kwargs.setdefault("what", "a quantity")
    kwargs.setdefault("high", MAX_QUANTITY)
    return DecimalString(3, example="2.000", **kwargs)


def Ratio(places: int = 4, **kwargs: Any) -> DecimalString:  # noqa: N802
    """A share or rate such as a tax rate or a KPI ratio: `"0.1300"`."""
    kwargs.setdefault("what", "a ratio")
    kwargs.setdefault("high", Decimal(1_000_000))
    return DecimalString(places, low=None, example="0.1300", **kwargs)


MAX_OFFSET = timedelta(hours=14)  # the widest real UTC offsets are -12:00 and +14:00


class _Instant(fields.AwareDateTime):
    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> str | None:
        # SQLite hands back stored UTC instants without their zone: say so on the way
        # out, so that every timestamp the API sends carries one.
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        offset = moment.utcoffset()
        if offset is None or abs(offset) > MAX_OFFSET:
            raise ValidationError("the UTC offset must be between -14:00 and +14:00")
        return moment


def Timestamp(**kwargs: Any) -> fields.AwareDateTime:  # noqa: N802
    """An instant with its time zone (RFC 3339); a naive one, or an offset no place on
    earth keeps (beyond ±14:00, which PostgreSQL would refuse), is refused on input."""
    return _Instant(format="iso", **kwargs)


class Strict(Schema):
    """Input that refuses unknown fields: a typo is a 400, not a silent no-op."""

    class Meta:
        unknown = RAISE


__all__ = [
    "DECIMAL_PATTERN",
    "ID",
    "MAX_AMOUNT",
    "MAX_HOURS",
    "MAX_QUANTITY",
    "TEXT",
    "DecimalString",
    "Hours",
    "Money",
    "Quantity",
    "Ratio",
    "SignedMoney",
    "Strict",
    "Timestamp",
]
