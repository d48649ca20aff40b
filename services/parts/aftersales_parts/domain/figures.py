"""The ratios of the parts figures (domain.md, "Figures the industry uses")."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .stock import COST_STEP, MONEY_STEP


def share(part: Decimal, whole: Decimal) -> Decimal:
    """A ratio to four places; nothing of nothing is 0."""
    if whole == 0:
        return Decimal("0.0000")
    return (part / whole).quantize(COST_STEP, rounding=ROUND_HALF_UP)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def ageing(last_movement: date | None, as_of: date) -> str:
    """`obsolete` with no movement in 12 months, `slow_moving` in 6, else `active`."""
    if last_movement is None or last_movement <= months_before(as_of, 12):
        return "obsolete"
    if last_movement <= months_before(as_of, 6):
        return "slow_moving"
    return "active"


def turnover(cost_of_issues: Decimal, average_stock_value: Decimal, days: int) -> Decimal:
    """Cost of parts issued in a year / average stock value, the period annualised."""
    if average_stock_value <= 0 or days <= 0:
        return Decimal("0.00")
    yearly = cost_of_issues * Decimal(365) / Decimal(days)
    return (yearly / average_stock_value).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)
