"""What every claims rule shares: business dates in China time, money and ratios,
calendar months, and the finding (one reason a claim cannot go out yet)."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from aftersales_core.clock import SITE_TZ, local_date  # noqa: F401 - local_date re-exported
from aftersales_core.errors import ValidationFailed

# Business dates (repair dates, periods, days to payment) are the site's calendar.
LOCAL_TZ = SITE_TZ

MONEY_STEP = Decimal("0.01")
HOURS_STEP = Decimal("0.1")
RATE_STEP = Decimal("0.0001")


def money(value: Decimal | str | int) -> Decimal:
    return Decimal(value).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def ratio(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    """part ÷ whole to four places; None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(RATE_STEP, rounding=ROUND_HALF_UP)


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the month's last day (29 Feb -> 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day(start: date, months: int) -> date:
    """The last day of a period of `months` from `start`: the day before the anniversary.

    A start on a day the end month lacks (29 Feb, 31 Aug) has its anniversary on the
    first of the next month, so the period's last day is the end month's last day.
    """
    anniversary = add_months(start, months)
    if anniversary.day < start.day:
        return anniversary
    return anniversary - timedelta(days=1)


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' -> (2026-11-01, 2026-12-01): the first day and the first day after."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = date(year, number, 1)
    except (ValueError, TypeError):
        raise ValidationFailed.on("month", "a month is written YYYY-MM", "INVALID_MONTH") from None
    return start, add_months(start, 1)


# ---------------------------------------------------------------- findings


@dataclass(frozen=True)
class Finding:
    """One reason a claim cannot go to the OEM yet, on the field to fix."""

    code: str
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


def findings_error(findings: Sequence[Finding]) -> ValidationFailed:
    """All findings at once, as one error whose fields name every field at fault."""
    fields: dict[str, list[str]] = defaultdict(list)
    for finding in findings:
        fields[finding.field].append(f"{finding.code}: {finding.message}")
    return ValidationFailed(
        f"the claim has {len(findings)} finding(s) to fix before it can be submitted",
        "CLAIM_NOT_VALID",
        dict(fields),
    )


def decimal_text(value: Decimal | None) -> str | None:
    """A figure as the API writes it (None stays None)."""
    return None if value is None else str(value)


def report_days(
    month: str | None, date_from: date | None, date_to: date | None
) -> tuple[date, date]:
    """The first and last day of a report: a whole month (`YYYY-MM`), or `from`..`to`."""
    if month:
        start, after = month_bounds(month)
        return start, after - timedelta(days=1)
    if date_from is None or date_to is None:
        raise ValidationFailed.on("from", "give from and to, or a month")
    if date_to < date_from:
        raise ValidationFailed.on("to", "the period ends before it begins")
    return date_from, date_to


def check_order_link(order: Any, order_id: str, group_id: str, site_id: str) -> None:
    """A claim may name only a repair order of its own site (known from reception's
    events): another site's or group's order would tie the claim to the wrong car and
    suppress the real site's claim."""
    if order is None or order.group_id != group_id or order.site_id != site_id:
        raise ValidationFailed.on(
            "order_id", f"no repair order {order_id} at {site_id}", "ORDER_NOT_FOUND"
        )
