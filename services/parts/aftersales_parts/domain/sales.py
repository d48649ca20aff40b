"""Counter sales (with special orders against a deposit) and transfers between sites."""

from __future__ import annotations

from decimal import Decimal

from aftersales_core.errors import Conflict, NotFound, ValidationFailed

from .stock import normal

MAX_SALE = Decimal(10) ** 10


def check_sale(total: Decimal, deposit: Decimal, special_ordered: bool) -> None:
    """A special order is taken against a deposit, and no deposit exceeds the sale."""
    if total >= MAX_SALE:
        raise ValidationFailed.on("lines", "a sale of 10^10 CNY or more", "TOTAL_TOO_LARGE")
    if special_ordered and deposit <= 0:
        raise ValidationFailed.on(
            "deposit", "a special order is taken against a deposit", "DEPOSIT_REQUIRED"
        )
    if deposit > total:
        raise ValidationFailed.on("deposit", "more than the sale", "DEPOSIT_TOO_HIGH")


def check_payment(paid: Decimal, due: Decimal) -> None:
    """The customer pays exactly the balance due to take the parts."""
    if paid != due:
        raise ValidationFailed.on("paid", f"the balance due is {due}", "PAYMENT_MISMATCH")


def check_group_site(site_id: str, field: str, group_id: str, owner: str | None) -> None:
    """A transfer is between sites of one group: another group's site is not found."""
    if owner != group_id:
        raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND", {field: [site_id]})


def check_free_to_ship(index: int, part_number: str, qty: Decimal, free: Decimal) -> None:
    """The sending site ships from its free stock, never what is reserved for others."""
    if qty > free:
        raise Conflict(
            f"only {normal(free)} of {part_number} is free to ship",
            "INSUFFICIENT_STOCK",
            {"lines": {str(index): {"quantity": [f"at most {normal(free)}"]}}},
        )


def check_transfer_line(index: int, on_transfer: bool) -> None:
    if not on_transfer:
        raise ValidationFailed(
            "not on this transfer",
            "UNKNOWN_LINE",
            {"lines": {str(index): {"part_number": ["not on this transfer"]}}},
        )


def check_received(index: int, received: Decimal, shipped: Decimal) -> None:
    """What arrives is at most what was shipped (a shortfall is recorded, not an excess)."""
    if received > shipped:
        raise Conflict(
            "more than was shipped",
            "OVER_RECEIPT",
            {"lines": {str(index): {"received": [f"at most {normal(shipped)}"]}}},
        )
