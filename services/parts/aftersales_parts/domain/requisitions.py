"""Requisitions (领料单): what an RO's approved lines may take from stock.

Parts leave the warehouse for an RO only by an issue against a requisition the
advisor approved (no white slips: 严禁白条发货), at most what each line holds
reserved; a warranty part only against the old part kept for the OEM.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from aftersales_contracts.vocabulary import OLD_PART_DISPOSITIONS
from aftersales_core.errors import Conflict, ValidationFailed

from .stock import ZERO, normal

# What parts spelt before the vocabulary was shared (rows and events already written).
LEGACY_DISPOSITIONS = {
    "returned_to_customer": "return_to_customer",
    "scrapped": "scrap",
    "kept_for_warranty": "keep_for_warranty",
}


def disposition(value: str | None) -> str | None:
    """The vocabulary's spelling of an old-part disposition, the legacy one mapped."""
    return None if value is None else LEGACY_DISPOSITIONS.get(value, value)


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

    @property
    def open(self) -> Decimal:
        """What is not issued yet: reserved or still back-ordered."""
        return self.reserved + self.backordered


def check_requested(site_id: str | None, line_ids: Sequence[str]) -> None:
    """A `part_requested` names its site, and each line once."""
    if not site_id:
        raise ValidationFailed.on("site_id", "part_requested needs the site", "BAD_EVENT")
    if len(set(line_ids)) != len(line_ids):
        raise ValidationFailed.on("lines", "line ids repeat", "BAD_EVENT")


def check_cancelled_event(order_id: Any) -> str:
    """An `order_cancelled` names the RO."""
    if not isinstance(order_id, str) or not order_id:
        raise ValidationFailed.on("order_id", "order_cancelled needs the RO", "BAD_EVENT")
    return order_id


def check_open(status: str) -> None:
    if status != "open":
        raise Conflict("this requisition is closed", "REQUISITION_CLOSED", {"status": ["closed"]})


def check_line_choice(index: int, line_id: str, known: bool, seen: set[str]) -> None:
    """Each line named is a line of the requisition (of a known part), named once."""
    if not known:
        raise ValidationFailed(
            f"no line {line_id} on this requisition",
            "UNKNOWN_LINE",
            {"lines": {str(index): {"line_id": ["not on this requisition"]}}},
        )
    if line_id in seen:
        raise ValidationFailed(
            "a line appears twice",
            "DUPLICATE_LINE",
            {"lines": {str(index): {"line_id": ["appears twice"]}}},
        )


def check_no_repeats(keys: Sequence[str], what: str = "line") -> None:
    """A request names each line (or part) once."""
    if len(set(keys)) != len(keys):
        raise ValidationFailed.on("lines", f"a {what} appears twice", "DUPLICATE_LINE")


@contextmanager
def at_line(index: int) -> Iterator[None]:
    """A refusal about one line of a request, its fields placed under that line."""
    try:
        yield
    except (Conflict, ValidationFailed) as exc:
        raise type(exc)(exc.message, exc.code, {"lines": {str(index): exc.fields}}) from None


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
    if payer == "warranty" and old_part_disposition != "keep_for_warranty":
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


def cancel_quantity(line: LineState, wanted: Decimal | None) -> Decimal:
    """What a line cancel takes: the quantity asked (default: all not yet issued)."""
    qty = wanted if wanted is not None else line.open
    if qty <= 0 or qty > line.open:
        raise Conflict(
            f"only {normal(line.open)} of this line is not issued yet",
            "NOTHING_TO_CANCEL",
            {"quantity": [f"at most {normal(line.open)}"]},
        )
    return qty
