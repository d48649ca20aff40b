"""Time and hours as the workshop counts them, and the periods it reports on.

Every rule module of the domain builds on these; none imports nameko or SQLAlchemy.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from aftersales_core.errors import ValidationFailed

HOURS_STEP = Decimal("0.1")
RATIO_STEP = Decimal("0.01")
ZERO = Decimal("0")
MAX_PERIOD_DAYS = 366


def hours(value: Decimal | str | int) -> Decimal:
    """Hours to 0.1 h (half up): how the workshop books and reports time."""
    return Decimal(value).quantize(HOURS_STEP, rounding=ROUND_HALF_UP)


def hours_between(start: datetime, end: datetime) -> Decimal:
    """Exact hours between two instants (not rounded: round totals, not parts)."""
    seconds = Decimal(int((end - start).total_seconds()))
    return max(seconds, ZERO) / Decimal(3600)


def parse_day(value: Any, field_name: str = "date") -> date:
    """A local day as the API spells it (YYYY-MM-DD); anything else is INVALID_DATE."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed.on(field_name, "a date as YYYY-MM-DD", "INVALID_DATE") from None


def days(date_from: date, date_to: date, field_name: str = "date_to") -> list[date]:
    """The days of a period, both ends included; at most a year, never backwards."""
    if date_to < date_from:
        raise ValidationFailed.on(field_name, "the period ends before it starts", "PERIOD")
    if (date_to - date_from).days > MAX_PERIOD_DAYS:
        raise ValidationFailed.on(field_name, "a period is at most a year", "PERIOD")
    return [date_from + timedelta(days=n) for n in range((date_to - date_from).days + 1)]


def period(raw_from: Any, raw_to: Any) -> list[date]:
    """The days of a reporting period given as the `from`/`to` query parameters."""
    first, last = parse_day(raw_from, "from"), parse_day(raw_to, "to")
    return days(first, last, "to")
