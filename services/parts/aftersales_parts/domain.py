"""The parts warehouse's rules, free of nameko and SQLAlchemy.

Everything here works on plain values so it can be unit-tested in milliseconds:
quantities and money are `Decimal`, never float.

- Valuation is by **moving average**: a stock item keeps its quantity on hand and
  its value; a receipt adds `quantity x unit cost`, an issue takes its share of
  the value at the current average, and the last unit out takes what is left, so
  the value of an empty item is exactly zero and the ledger's value column always
  sums to the item's value.
- Lots record *where* and *since when* stock is held; they are issued **first in,
  first out** by receipt date.
- Replenishment follows the min/max rule (最高最低库存): when the stock position
  falls below the minimum, order up to the maximum.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from aftersales_core.errors import Conflict, ValidationFailed

ZERO = Decimal("0")
MONEY_STEP = Decimal("0.01")
COST_STEP = Decimal("0.0001")
QTY_STEP = Decimal("0.001")
MAX_QUANTITY = Decimal("1000000")  # far beyond any order, well inside the columns

# Ledger movements: every change of stock is one of these (the issue's list, plus
# the opening balance and counter sales / supplier returns that also move stock).
MOVEMENTS = (
    "opening",  # the balance booked when the ledger started (seed / go-live)
    "receipt",  # goods received against a purchase order
    "issue",  # to a repair order, against an approved requisition
    "return",  # unused (or defective) parts back from a repair order
    "counter_sale",  # sold over the counter
    "transfer_out",  # shipped to another site of the group
    "transfer_in",  # received from another site of the group
    "relocation",  # moved between bins / warehouses of one site (net zero)
    "adjustment",  # stocktake variance, approved by a manager
    "scrap",  # written off, approved by a manager
    "supplier_return",  # defective stock sent back to the supplier
)
STOCK_CLASSES = ("usable", "defective")
WAREHOUSE_KINDS = {"main": "usable", "defective": "defective"}

REJECT_REASONS = ("damaged", "wrong_part", "excess", "quality", "missing_documents")
CLAIMABLE_REASONS = ("damaged", "wrong_part", "quality")
OLD_PART_DISPOSITIONS = ("returned_to_customer", "scrapped", "kept_for_warranty")
RETURN_CONDITIONS = ("good", "defective")
PO_KINDS = ("regular", "emergency")
SUPPLIER_KINDS = ("oem", "local")


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

    def take(self, qty: Decimal) -> Decimal:
        """Take quantity out at the moving average; returns the value taken.

        On-hand never goes negative; the last unit out takes the remaining value,
        so rounding never leaves value behind on an empty shelf.
        """
        if qty <= 0:
            raise ValueError("take a positive quantity")
        if qty > self.on_hand:
            raise Conflict(
                f"only {normal(self.on_hand)} on hand, {normal(qty)} wanted",
                "INSUFFICIENT_STOCK",
                {"quantity": [f"at most {normal(self.on_hand)}"]},
            )
        taken = self.value if qty == self.on_hand else money(self.value * qty / self.on_hand)
        self.on_hand -= qty
        self.value -= taken
        return taken


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


# ------------------------------------------------------------------ issue and return


@dataclass(frozen=True)
class LineState:
    """What happened to a requisition line so far."""

    quantity: Decimal
    reserved: Decimal
    issued: Decimal
    returned: Decimal
    backordered: Decimal
    cancelled: Decimal = ZERO

    @property
    def status(self) -> str:
        """quantity = reserved + backordered + issued + cancelled; returns come on top."""
        if self.backordered > 0:
            return "backordered"
        if self.reserved > 0:
            return "partly_issued" if self.issued > 0 else "reserved"
        if self.issued > 0:
            return "returned" if self.returned >= self.issued else "issued"
        return "cancelled"


def check_issue(
    line: LineState, qty: Decimal, payer: str, old_part_disposition: str | None
) -> None:
    """Parts go out only as far as the approved, reserved quantity of the line.

    Warranty parts need the old part kept for the OEM (以坏换新, tagged for the claim).
    """
    if qty > line.reserved:
        raise Conflict(
            f"only {normal(line.reserved)} reserved on this line, {normal(qty)} wanted",
            "NOT_RESERVED",
            {"quantity": [f"at most {normal(line.reserved)}"]},
        )
    if old_part_disposition is not None and old_part_disposition not in OLD_PART_DISPOSITIONS:
        raise ValidationFailed.on("old_part", "unknown disposition", "INVALID_OLD_PART")
    if payer == "warranty" and old_part_disposition != "kept_for_warranty":
        raise ValidationFailed.on(
            "old_part",
            "a warranty part is issued only against the old part, kept for the OEM",
            "OLD_PART_REQUIRED",
        )


def check_return(line: LineState, qty: Decimal) -> None:
    out = line.issued - line.returned
    if qty > out:
        raise Conflict(
            f"only {normal(out)} issued and not returned, {normal(qty)} wanted",
            "NOT_ISSUED",
            {"quantity": [f"at most {normal(out)}"]},
        )


# ------------------------------------------------------------------ replenishment


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


# ------------------------------------------------------------------ receiving


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


# ------------------------------------------------------------------ stocktake


@dataclass(frozen=True)
class CountLine:
    bin: str
    part_number: str
    book: Decimal
    counted: Decimal | None
    unit_cost: Decimal

    @property
    def variance(self) -> Decimal:
        return ZERO if self.counted is None else self.counted - self.book

    @property
    def variance_value(self) -> Decimal:
        return money(self.variance * self.unit_cost)


def variance_report(lines: Sequence[CountLine]) -> dict[str, Decimal | int]:
    """Totals of a count: gains, losses, net (at moving-average cost), and accuracy.

    Accuracy = lines counted without variance / lines counted.
    """
    counted = [line for line in lines if line.counted is not None]
    gain = sum((line.variance_value for line in counted if line.variance > 0), ZERO)
    loss = sum((line.variance_value for line in counted if line.variance < 0), ZERO)
    book_value = sum((money(line.book * line.unit_cost) for line in lines), ZERO)
    exact = sum(1 for line in counted if line.variance == 0)
    return {
        "lines": len(lines),
        "counted": len(counted),
        "uncounted": len(lines) - len(counted),
        "with_variance": len(counted) - exact,
        "book_value": money(book_value),
        "gain_value": money(gain),
        "loss_value": money(loss),
        "net_value": money(gain + loss),
        "accuracy": share(Decimal(exact), Decimal(len(counted))),
    }


# ------------------------------------------------------------------ figures


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


# ------------------------------------------------------------------ state machines

# document -> {action: (from states, to state)}
MACHINES: dict[str, dict[str, tuple[tuple[str, ...], str]]] = {
    "purchase_order": {
        "send": (("draft",), "sent"),
        "receive_part": (("sent", "partly_received"), "partly_received"),
        "receive_all": (("sent", "partly_received"), "received"),
        "cancel": (("draft", "sent"), "cancelled"),
        "close": (("partly_received",), "closed"),
    },
    "transfer": {
        "ship": (("requested",), "shipped"),
        "reject": (("requested",), "rejected"),
        "cancel": (("requested",), "cancelled"),
        "receive": (("shipped",), "received"),
    },
    "stocktake": {
        "count": (("counting",), "counting"),
        "submit": (("counting",), "counted"),
        "recount": (("counted",), "counting"),
        "approve": (("counted",), "approved"),
    },
    "counter_sale": {
        "arrive": (("waiting",), "ready"),
        "short": (("waiting", "ready"), "waiting"),  # a loss took a reserved part
        "complete": (("ready",), "completed"),
        "cancel": (("waiting", "ready"), "cancelled"),
    },
    "supplier_claim": {
        "accept": (("submitted",), "accepted"),
        "reject": (("submitted",), "rejected"),
    },
}


def transition(document: str, current: str, action: str) -> str:
    """The next state, or a 409 ILLEGAL_TRANSITION naming what was tried."""
    allowed, target = MACHINES[document][action]
    if current not in allowed:
        raise Conflict(
            f"cannot {action.replace('_', ' ')} a {document.replace('_', ' ')} "
            f"that is {current.replace('_', ' ')}",
            "ILLEGAL_TRANSITION",
            {"status": [current]},
        )
    return target
