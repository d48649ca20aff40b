"""Reception's rules, free of nameko and SQLAlchemy."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from aftersales_core.errors import ValidationFailed

CUSTOMER_CLASSES = ("member", "regular", "fleet")
PAYERS = ("customer", "warranty", "insurance", "internal")

HOURS_STEP = Decimal("0.1")
MONEY_STEP = Decimal("0.01")


def hours(value: Decimal | str) -> Decimal:
    """Labor time is kept to 0.1 h; a finer figure is a typing error, not rounding."""
    amount = Decimal(value)
    if amount <= 0 or amount != amount.quantize(HOURS_STEP):
        raise ValidationFailed.on(
            "standard_hours", "hours must be positive, to 0.1 h", "HOURS_PRECISION"
        )
    return amount


def money(value: Decimal | str) -> Decimal:
    return Decimal(value).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)
