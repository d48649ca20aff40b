"""The group's catalog, prices and suppliers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from aftersales_core.errors import Conflict, Forbidden, ValidationFailed


def require_part(found: Any, part_number: str, field: str = "part_number") -> Any:
    """A part number a document names must be in the group's catalog."""
    if found is None:
        raise ValidationFailed(
            f"unknown part number {part_number}",
            "UNKNOWN_PART",
            {field: [f"unknown part number {part_number}"]},
        )
    return found


def check_known_parts(unknown: Sequence[str]) -> None:
    """A quote names only parts of the catalog, and says which ones it does not know."""
    if unknown:
        raise ValidationFailed(
            "unknown part number: " + ", ".join(unknown),
            "UNKNOWN_PART",
            {"part_numbers": [f"unknown part number {n}" for n in unknown]},
        )


def check_new_part(part_number: str, exists: bool) -> None:
    if exists:
        raise Conflict(
            f"part {part_number} is already in the catalog",
            "PART_EXISTS",
            {"part_number": [part_number]},
        )


def check_supersession(
    part_number: str, new: str, replaced_by: Callable[[str], str | None]
) -> None:
    """A part is replaced by another, never by itself and never in a circle (A -> B -> A
    would send the counter round and round). `replaced_by(n)`: what replaces part n."""
    if new == part_number:
        raise ValidationFailed.on("superseded_by", "a part cannot replace itself")
    seen = {part_number}
    step: str | None = new
    while step is not None:
        if step in seen:
            raise ValidationFailed.on(
                "superseded_by", "that would make a circle", "SUPERSESSION_LOOP"
            )
        seen.add(step)
        step = replaced_by(step)


def check_price_change(old: tuple[Decimal, Decimal], new: tuple[Decimal, Decimal]) -> None:
    """(price, cost): never sell below cost, and a change changes something."""
    if new[0] < new[1]:
        raise ValidationFailed.on("price", "price is below cost", "PRICE_BELOW_COST")
    if new == old:
        raise Conflict("nothing changes", "NO_CHANGE", {"price": [str(old[0])]})


def check_new_supplier(supplier_id: str, owner: str | None, group_id: str) -> None:
    """Adding a supplier never changes one: an id in use is a 409, whoever holds it."""
    check_supplier_id(supplier_id, owner, group_id)
    if owner is not None:
        raise Conflict(
            f"supplier {supplier_id} exists: change it with PUT",
            "SUPPLIER_EXISTS",
            {"supplier_id": [supplier_id]},
        )


def check_supplier_is_yours(
    served: Sequence[str], wanted: Sequence[str], caller_sites: Sequence[str], is_hq: bool
) -> None:
    """Master data is changed by whom it belongs to: headquarters changes any supplier
    of its group; site staff only one that serves their sites alone (and keep it so).
    A supplier that serves every site (no sites listed) is headquarters' to change."""
    if is_hq:
        return
    mine = set(caller_sites)
    if not served or not wanted or not set(served) <= mine or not set(wanted) <= mine:
        raise Forbidden(
            "this supplier serves other sites than yours: headquarters changes it",
            "SUPPLIER_NOT_YOURS",
            {"site_ids": sorted(set(served) | set(wanted))},
        )


def check_supplier_id(
    supplier_id: str, owner: str | None, group_id: str, field: str = "supplier_id"
) -> None:
    """A supplier id is the group's: another group's is taken."""
    if owner is not None and owner != group_id:
        raise Conflict(
            f"supplier id {supplier_id} is taken", "SUPPLIER_TAKEN", {field: [supplier_id]}
        )
