"""The technician figures: hours sold, clocked and attended, and the ratios between
them, per technician and added up per team, site and group."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from .common import RATIO_STEP, ZERO, hours, hours_between


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A ratio to 0.01, or None where the denominator is zero (not "infinitely good")."""
    if denominator == 0:
        return None
    return (numerator / denominator).quantize(RATIO_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """One technician's (or a team's, a site's) hours and counts for a period."""

    sold_hours: Decimal = ZERO
    clocked_hours: Decimal = ZERO
    attended_hours: Decimal = ZERO
    reworks: int = 0
    comebacks: int = 0

    @property
    def efficiency(self) -> Decimal | None:
        """Sold ÷ clocked: how fast the work is done against the catalog."""
        return ratio(self.sold_hours, self.clocked_hours)

    @property
    def productivity(self) -> Decimal | None:
        """Clocked ÷ attended: how much of the time present is spent on jobs."""
        return ratio(self.clocked_hours, self.attended_hours)

    @property
    def proficiency(self) -> Decimal | None:
        """Sold ÷ attended: hours sold for every hour present."""
        return ratio(self.sold_hours, self.attended_hours)

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.sold_hours + other.sold_hours,
            self.clocked_hours + other.clocked_hours,
            self.attended_hours + other.attended_hours,
            self.reworks + other.reworks,
            self.comebacks + other.comebacks,
        )

    def as_dict(self) -> dict[str, object]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return {
            "sold_hours": str(self.sold_hours),
            "clocked_hours": str(self.clocked_hours),
            "attended_hours": str(self.attended_hours),
            "efficiency": text(self.efficiency),
            "productivity": text(self.productivity),
            "proficiency": text(self.proficiency),
            "reworks": self.reworks,
            "comebacks": self.comebacks,
        }


def technician_figures(
    sold: Iterable[Decimal],
    sessions: Iterable[tuple[datetime, datetime]],
    attended: Iterable[Decimal],
    reworks: int = 0,
    comebacks: int = 0,
) -> Figures:
    """A technician's figures for a period.

    sold: standard hours of the jobs they completed (each job once, on its first
    completion: rework adds clocked time, never sold time);
    sessions: their clock sessions (start, end) — summed exactly, rounded once;
    attended: their hours present, day by day.
    """
    clocked = sum((hours_between(start, end) for start, end in sessions), start=ZERO)
    return Figures(
        hours(sum(sold, start=ZERO)),
        hours(clocked),
        hours(sum(attended, start=ZERO)),
        reworks,
        comebacks,
    )


def total(figures: Iterable[Figures]) -> Figures:
    """A team's or a site's figures: the hours and counts of its technicians added up,
    the ratios taken from the sums (never averaged)."""
    return sum(figures, start=Figures())
