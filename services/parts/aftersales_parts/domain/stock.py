"""Stock: numbers, moving-average valuation, FIFO lots, reservations, and the rules
every movement obeys.

- Valuation is by **moving average**: a stock item keeps its quantity on hand and
  its value; a receipt adds `quantity x unit cost`, an issue takes its share of
  the value at the current average, and the last unit out takes what is left, so
  the value of an empty item is exactly zero and the ledger's value column always
  sums to the item's value.
- Lots record *where* and *since when* stock is held; they are issued **first in,
  first out** by receipt date.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from aftersales_contracts.api.parts import WAREHOUSE_KINDS
from aftersales_core.errors import Conflict, ValidationFailed

ZERO = Decimal("0")
MONEY_STEP = Decimal("0.01")
COST_STEP = Decimal("0.0001")
QTY_STEP = Decimal("0.001")
MAX_QUANTITY = Decimal("1000000")  # far beyond any order, well inside the columns
MAX_ITEM_VALUE = Decimal(10) ** 12  # what a stock item's value column holds


# ------------------------------------------------------------------ numbers


def money(value: Decimal | str | int) -> Decimal:
    return Decimal(value).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def quantity(value: Decimal | str | int, field: str = "quantity") -> Decimal:
    """A positive quantity to 0.001 of the part's unit; finer is a typing error."""
    try:
        amount = Decimal(str(value))
    except ArithmeticError:
        raise ValidationFailed.on(field, "not a number", "INVALID_QUANTITY") from None
    if (
        not amount.is_finite()
        or amount <= 0
        or amount > MAX_QUANTITY
        or amount != amount.quantize(QTY_STEP)
    ):
        raise ValidationFailed.on(
            field, f"must be a positive quantity up to {MAX_QUANTITY}, to 0.001", "INVALID_QUANTITY"
        )
    return amount.quantize(QTY_STEP)


def normal(value: Decimal) -> str:
    """A quantity as the events carry it: no trailing zeros ("2", "1.5")."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


# ------------------------------------------------------------------ valuation


@dataclass
class Valuation:
    """Quantity on hand and its value: the moving-average cost of one stock item."""

    on_hand: Decimal = ZERO
    value: Decimal = ZERO

    @property
    def average_cost(self) -> Decimal | None:
        if self.on_hand <= 0:
            return None
        return (self.value / self.on_hand).quantize(COST_STEP, rounding=ROUND_HALF_UP)

    def receive(self, qty: Decimal, unit_cost: Decimal) -> Decimal:
        """Book quantity in at a unit cost; returns the value added."""
        if qty <= 0:
            raise ValueError("receive a positive quantity")
        if unit_cost < 0:
            raise ValidationFailed.on("unit_cost", "a cost cannot be negative", "INVALID_COST")
        added = money(qty * unit_cost)
        self.on_hand += qty
        self.value += added
        return added

    def add(self, qty: Decimal, value: Decimal) -> None:
        """Book quantity in at an exact value (a return, a transfer, a relocation)."""
        self.on_hand += qty
        self.value += value

    def take(self, qty: Decimal) -> Decimal:
        """Take quantity out at the moving average; returns the value taken.

        On-hand never goes negative; the last unit out takes the remaining value,
        so rounding never leaves value behind on an empty shelf.
        """
        if qty <= 0:
            raise ValueError("take a positive quantity")
        check_on_hand(self.on_hand, qty)
        taken = self.value if qty == self.on_hand else money(self.value * qty / self.on_hand)
        self.on_hand -= qty
        self.value -= taken
        return taken


def check_on_hand(on_hand: Decimal, qty: Decimal) -> None:
    """Stock never goes below zero."""
    if qty > on_hand:
        raise Conflict(
            f"only {normal(on_hand)} on hand, {normal(qty)} wanted",
            "INSUFFICIENT_STOCK",
            {"quantity": [f"at most {normal(on_hand)}"]},
        )


def check_item_value(value: Decimal) -> None:
    """One stock item's value must fit its column."""
    if value >= MAX_ITEM_VALUE:
        raise ValidationFailed.on(
            "quantity", "that would put more than 10^12 CNY on one shelf", "VALUE_TOO_LARGE"
        )


def split_value(total: Decimal, quantities: Sequence[Decimal]) -> list[Decimal]:
    """Share a value over parts in proportion; the last part takes the rounding."""
    whole = sum(quantities, ZERO)
    shares: list[Decimal] = []
    left = total
    for index, qty in enumerate(quantities):
        if index == len(quantities) - 1:
            shares.append(left)
        else:
            share = money(total * qty / whole) if whole else ZERO
            shares.append(share)
            left -= share
    return shares


# ------------------------------------------------------------------ warehouses


def check_warehouse_kind(warehouse_id: str, kind: str, wanted: str) -> None:
    """The warehouse named must be of the kind the movement needs (main or defective)."""
    if kind != wanted:
        raise Conflict(
            f"warehouse {warehouse_id} holds {kind} stock, not {wanted}",
            "WRONG_WAREHOUSE",
            {"warehouse_id": [warehouse_id]},
        )


def check_holds_class(warehouse_id: str, name: str, kind: str, stock_class: str) -> None:
    """A main warehouse holds usable stock, a defective one defective stock."""
    if WAREHOUSE_KINDS[kind] != stock_class:
        raise Conflict(
            f"{name} holds {kind} stock, not {stock_class}",
            "WRONG_WAREHOUSE",
            {"warehouse_id": [warehouse_id]},
        )


def check_not_counting(busy_warehouse_id: str | None) -> None:
    """A warehouse being counted is frozen: no stock moves in or out until approval."""
    if busy_warehouse_id:
        raise Conflict(
            "that warehouse is being counted; stock moves after the stocktake is approved",
            "STOCKTAKE_IN_PROGRESS",
            {"warehouse_id": [busy_warehouse_id]},
        )


def check_new_warehouse(name: str, taken: bool) -> None:
    if taken:
        raise Conflict("that warehouse exists", "WAREHOUSE_EXISTS", {"name": [name]})


def check_relocation(source: tuple[str, str], target: tuple[str, str]) -> None:
    """A relocation goes somewhere else."""
    if source == target:
        raise ValidationFailed.on("to_bin", "that is where it is already", "SAME_BIN")


def check_write_off(movement: str, stock_class: str, qty: Decimal, on_hand: Decimal) -> None:
    """Only defective stock goes back to the supplier; nothing is written off beyond on hand."""
    if movement == "supplier_return" and stock_class != "defective":
        raise ValidationFailed.on(
            "movement", "only defective stock goes back to the supplier", "INVALID_MOVEMENT"
        )
    check_on_hand(on_hand, qty)


def require_bin(bin_code: str | None, part_number: str, field: dict | None = None) -> str:
    """Stock is put away to a bin: the one named, else where the part lives already."""
    if bin_code is None:
        raise ValidationFailed(
            f"{part_number} has no bin in this warehouse yet: name one",
            "BIN_REQUIRED",
            field or {"bin": ["required for a part new to the warehouse"]},
        )
    return bin_code


# ------------------------------------------------------------------ lots (FIFO)


@dataclass(frozen=True)
class Lot:
    """A quantity received at one time, held in one bin."""

    lot_id: int
    received_at: datetime
    remaining: Decimal
    warehouse_id: str = ""
    bin: str = ""


def fifo(lots: Iterable[Lot], qty: Decimal) -> list[tuple[Lot, Decimal]]:
    """Which lots an outgoing quantity comes from: oldest receipt first.

    Ties on the receipt date go to the lot booked first (lower id).
    """
    plan: list[tuple[Lot, Decimal]] = []
    wanted = qty
    for lot in sorted(lots, key=lambda lot: (lot.received_at, lot.lot_id)):
        if wanted <= 0:
            break
        if lot.remaining <= 0:
            continue
        take = min(lot.remaining, wanted)
        plan.append((lot, take))
        wanted -= take
    if wanted > 0:
        held = qty - wanted
        raise Conflict(
            f"only {normal(held)} in the lots, {normal(qty)} wanted",
            "INSUFFICIENT_STOCK",
            {"quantity": [f"at most {normal(held)}"]},
        )
    return plan


# ------------------------------------------------------------------ reservations


@dataclass(frozen=True)
class Split:
    """How a demand is met: reserved from stock now, the rest back-ordered."""

    reserved: Decimal
    short: Decimal


def reserve(on_hand: Decimal, reserved: Decimal, wanted: Decimal) -> Split:
    """Reserve what is available (on hand less reserved) and back-order the rest."""
    available = max(on_hand - reserved, ZERO)
    take = min(available, wanted)
    return Split(take, wanted - take)


def allocate(arrived: Decimal, demands: Sequence[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    """Share newly available stock among waiting demands, in the order given."""
    shares: list[tuple[str, Decimal]] = []
    left = arrived
    for key, outstanding in demands:
        if left <= 0:
            break
        take = min(left, outstanding)
        if take > 0:
            shares.append((key, take))
            left -= take
    return shares


def excess_reservations(
    on_hand: Decimal, reservations: Sequence[tuple[str, Decimal]]
) -> list[tuple[str, Decimal]]:
    """After stock was lost (a stocktake loss, scrap), which reservations must go.

    `reservations` oldest first; the newest give way first, each by as little as needed.
    """
    excess = sum((q for _, q in reservations), ZERO) - on_hand
    cut: list[tuple[str, Decimal]] = []
    for key, qty in reversed(reservations):
        if excess <= 0:
            break
        take = min(qty, excess)
        cut.append((key, take))
        excess -= take
    return cut
