"""Stocktake (盘点): a frozen warehouse, counted per bin and part; the manager approves
the variance, valued at moving-average cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from aftersales_core.errors import Conflict

from .figures import share
from .stock import ZERO, money


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


def check_no_open_count(open_stocktake_id: str | None) -> None:
    """One count of a warehouse at a time."""
    if open_stocktake_id is not None:
        raise Conflict(
            "this warehouse is being counted already",
            "STOCKTAKE_OPEN",
            {"stocktake_id": [open_stocktake_id]},
        )


def check_all_counted(lines: Sequence[CountLine]) -> None:
    """The sheet goes to the manager only when every line is counted."""
    uncounted = [f"{line.bin}/{line.part_number}" for line in lines if line.counted is None]
    if uncounted:
        raise Conflict(
            f"{len(uncounted)} lines are not counted yet",
            "UNCOUNTED_LINES",
            {"lines": uncounted[:50]},
        )
