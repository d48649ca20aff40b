"""Replenishment, receiving and supplier claims.

- Replenishment follows the min/max rule (最高最低库存): when the stock position
  falls below the minimum, order up to the maximum.
- Receiving (入库验收): counted = accepted + rejected, a rejection has a reason,
  never accept beyond what the order still expects.
- A supplier claim (配件索赔) covers parts rejected as damaged, wrong or of poor
  quality, at most what was rejected and not claimed yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from aftersales_contracts.api.fields import MAX_AMOUNT
from aftersales_contracts.api.parts import CLAIMABLE_REASONS, REJECT_REASONS
from aftersales_core.errors import Conflict, ValidationFailed

from .stock import MAX_QUANTITY, ZERO, normal


@dataclass(frozen=True)
class PlanningRow:
    """One part at one site, as the planner sees it."""

    part_number: str
    on_hand: Decimal
    reserved: Decimal
    on_order: Decimal  # ordered, not yet received
    waiting: Decimal  # back orders and special orders not yet served
    min_qty: Decimal | None
    max_qty: Decimal | None

    @property
    def position(self) -> Decimal:
        """Stock free for new demand once open orders arrive and serve those waiting."""
        return self.on_hand - self.reserved + self.on_order - self.waiting


def check_min_max(min_qty: Decimal, max_qty: Decimal) -> None:
    if min_qty < 0:
        raise ValidationFailed.on("min_qty", "cannot be negative", "INVALID_MIN_MAX")
    if max_qty < min_qty or max_qty <= 0:
        raise ValidationFailed.on(
            "max_qty", "must be positive and at least the minimum", "INVALID_MIN_MAX"
        )


def proposed_quantity(row: PlanningRow) -> Decimal:
    """Below the minimum: order up to the maximum; whole units, rounded up.

    Demand not covered by any order (waiting beyond what is on order) is
    ordered even for a part with no min/max: a back order must be bought.
    """
    position = row.position
    if row.min_qty is not None and row.max_qty is not None and position < row.min_qty:
        return (row.max_qty - position).to_integral_value(rounding=ROUND_CEILING)
    if position < 0:
        return (-position).to_integral_value(rounding=ROUND_CEILING)
    return ZERO


# ------------------------------------------------------------------ purchase orders


def require_supplier(found: Any) -> Any:
    """An order goes to the supplier named, else to the site's default one."""
    if found is None:
        raise ValidationFailed.on(
            "supplier_id", "this site has no default supplier: name one", "NO_SUPPLIER"
        )
    return found


def check_proposal(lines: Sequence[Any]) -> None:
    if not lines:
        raise Conflict("the proposal is empty", "NOTHING_TO_ORDER")


def check_unique_part(index: int, part_number: str, seen: set[str]) -> None:
    """A part appears once on an order, a sale or a transfer: one line, its quantity."""
    if part_number in seen:
        raise ValidationFailed(
            "a part appears twice",
            "DUPLICATE_LINE",
            {"lines": {str(index): {"part_number": ["appears twice"]}}},
        )
    seen.add(part_number)


# ------------------------------------------------------------------ shipment notices


def notice_problem(lines: Sequence[dict[str, Any]]) -> str | None:
    """What makes a notice's lines unusable for receiving (checked before they are kept)."""
    for line in lines:
        shipped, cost = line["quantity_shipped"], line["unit_cost"]
        if not shipped.is_finite() or not 0 < shipped <= MAX_QUANTITY:
            return f"line {line['line_no']}: quantity shipped out of range"
        if cost is not None and (not cost.is_finite() or not 0 <= cost <= MAX_AMOUNT):
            return f"line {line['line_no']}: unit cost out of range"
    return None


# ------------------------------------------------------------------ receiving


def check_shipment(shipment_id: str, status: str) -> None:
    """A shipment notice is received once."""
    if status == "received":
        raise Conflict(
            "that shipment was received already", "SHIPMENT_RECEIVED",
            {"shipment_id": [shipment_id]},
        )  # fmt: skip


def check_receipt_lines(line_nos: Sequence[int], on_order: set[int]) -> None:
    """Each line received is a line of the order, received once per receipt."""
    seen: set[int] = set()
    for index, number in enumerate(line_nos):
        if number not in on_order or number in seen:
            raise ValidationFailed(
                f"line {number} is not on this order, or appears twice",
                "UNKNOWN_LINE",
                {"lines": {str(index): {"line_no": ["not on this order, or twice"]}}},
            )
        seen.add(number)


@dataclass(frozen=True)
class ReceiptCheck:
    variance: Decimal  # counted - expected (shipped, or outstanding on the order)


def check_receipt_line(
    *,
    outstanding: Decimal,
    expected: Decimal,
    counted: Decimal,
    accepted: Decimal,
    rejected: Decimal,
    reason: str | None,
) -> ReceiptCheck:
    """Counted = accepted + rejected; a rejection has a reason; never accept beyond the order."""
    if min(counted, accepted, rejected) < 0:
        raise ValidationFailed.on("counted", "quantities cannot be negative", "INVALID_QUANTITY")
    if accepted + rejected != counted:
        raise ValidationFailed.on(
            "counted", "counted must equal accepted plus rejected", "RECEIPT_MISMATCH"
        )
    if rejected > 0 and reason not in REJECT_REASONS:
        raise ValidationFailed.on(
            "reject_reason",
            "a rejection needs a reason: " + ", ".join(REJECT_REASONS),
            "REASON_REQUIRED",
        )
    if accepted > outstanding:
        raise Conflict(
            f"only {normal(outstanding)} still outstanding on the order; "
            "reject the excess with reason 'excess'",
            "OVER_RECEIPT",
            {"accepted": [f"at most {normal(outstanding)}"]},
        )
    return ReceiptCheck(counted - expected)


# ------------------------------------------------------------------ supplier claims


def check_claim_line(
    index: int, found: bool, reason: str | None, qty: Decimal, rejected: Decimal, claimed: Decimal
) -> str:
    """A claimed line is a rejected line of the receipt, for a claimable reason, at most
    what was rejected and not claimed yet; returns the reason claimed."""
    if not found:
        raise ValidationFailed(
            "not a line of this receipt",
            "UNKNOWN_LINE",
            {"lines": {str(index): {"receipt_line_id": ["not on this receipt"]}}},
        )
    if reason not in CLAIMABLE_REASONS:
        raise ValidationFailed(
            "only parts rejected as damaged, wrong or of poor quality are claimed",
            "NOT_CLAIMABLE",
            {"lines": {str(index): {"reason": [f"one of {CLAIMABLE_REASONS}"]}}},
        )
    left = rejected - claimed
    if qty > left:
        raise Conflict(
            f"only {normal(left)} rejected and not yet claimed",
            "OVER_CLAIM",
            {"lines": {str(index): {"quantity": [f"at most {normal(left)}"]}}},
        )
    return reason


def credited(accepted: bool, amount: Decimal, wanted: Decimal | None) -> Decimal | None:
    """What the supplier credits: up to the claim when accepted (all of it by default),
    nothing when rejected."""
    if accepted:
        value = amount if wanted is None else wanted
        if value > amount:
            raise ValidationFailed.on("credited", "more than was claimed", "OVER_CREDIT")
        return value
    if wanted:
        raise ValidationFailed.on("credited", "a rejected claim credits nothing")
    return None
