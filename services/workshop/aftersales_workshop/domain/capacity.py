"""People and capacity: shift patterns, attendance, the hours a site has on a day, and
the reference data (teams, technicians) they rest on."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from aftersales_core.errors import ValidationFailed

from .common import HOURS_STEP, ZERO, hours
from .jobs import Place

MAX_DAY_HOURS = Decimal("24")


@dataclass(frozen=True)
class ShiftPattern:
    """A site's regular day: which weekdays (ISO, Monday = 1) and how many hours.

    4S stores open every day and technicians take turns off (轮休), which
    attendance records; so unless a site says otherwise every day is a
    working day of 8.0 h for each technician.
    """

    working_days: frozenset[int] = frozenset(range(1, 8))
    hours: Decimal = Decimal("8.0")

    def hours_on(self, day: date) -> Decimal:
        return self.hours if day.isoweekday() in self.working_days else ZERO


DEFAULT_PATTERN = ShiftPattern()


def check_pattern(working_days: Sequence[int], day_hours: Decimal) -> ShiftPattern:
    days = frozenset(working_days)
    if not days or not days <= set(range(1, 8)):
        raise ValidationFailed.on(
            "working_days", "ISO weekdays, Monday = 1 to Sunday = 7", "WORKING_DAYS"
        )
    return ShiftPattern(days, check_day_hours(day_hours, "hours"))


def check_day_hours(value: Decimal, field_name: str = "hours") -> Decimal:
    if value < 0 or value > MAX_DAY_HOURS or value != value.quantize(HOURS_STEP):
        raise ValidationFailed.on(field_name, "between 0 and 24 hours, to 0.1 h", "HOURS_PRECISION")
    return value


def attendance_hours(status: str, given: Decimal | None, scheduled: Decimal) -> Decimal:
    """Hours present on a day from an attendance entry.

    Present without hours means the scheduled shift; leave, sickness, absence
    and off-site training are no hours in the workshop.
    """
    if status != "present":
        if given not in (None, ZERO):
            raise ValidationFailed.on(
                "hours", f"someone on {status} is present 0 hours", "ATTENDANCE_HOURS"
            )
        return ZERO
    if given is None:
        return scheduled
    return check_day_hours(given)


def attended_on(day: date, pattern: ShiftPattern, recorded: Decimal | None) -> Decimal:
    """A technician's hours present on a day: what attendance says, else the pattern."""
    return recorded if recorded is not None else pattern.hours_on(day)


def capacity(
    day: date,
    pattern: ShiftPattern,
    technicians: Iterable[str],
    recorded: Mapping[str, Decimal],
    booked: Iterable[Decimal],
) -> tuple[Decimal, Decimal]:
    """(available, booked) technician hours of a site on a day.

    Available: each technician's hours present (attendance, else the shift pattern).
    Booked: standard hours of open jobs planned for the day.
    """
    available = sum((attended_on(day, pattern, recorded.get(t)) for t in technicians), start=ZERO)
    return hours(available), hours(sum(booked, start=ZERO))


def check_reference_team(
    index: int, technician_place: Place, team_id: str | None, team_place: Place | None
) -> None:
    """A technician's team (in reference data) must be a team of the same group and site."""
    if team_id and team_place != technician_place:
        message = f"team {team_id} is not a team of site {technician_place[1]}"
        raise ValidationFailed(
            message, "UNKNOWN_TEAM", {"technicians": {index: {"team_id": [message]}}}
        )


def entry_hours(
    index: int,
    technician_place: Place | None,
    site: Place,
    status: str,
    given: Decimal | None,
    scheduled: Decimal,
) -> Decimal:
    """Hours present of entry `index` of a day's attendance, refusals naming the entry."""
    if technician_place != site:
        raise ValidationFailed(
            "not a technician of this site",
            "UNKNOWN_TECHNICIAN",
            {"entries": {str(index): {"technician_id": ["not a technician of this site"]}}},
        )
    try:
        return attendance_hours(status, given, scheduled)
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.message, exc.code, {"entries": {str(index): exc.fields}}
        ) from None
