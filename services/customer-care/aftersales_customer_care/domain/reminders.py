"""Reminders (保养提醒): the next service by date or by mileage, from the vehicle's
average daily distance."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from aftersales_core.errors import Conflict

from .policy import CarePolicy


def _usable(readings: Iterable[tuple[date, int]]) -> list[tuple[date, int]]:
    """Readings in date order; one lower than an earlier one (a typing error, a
    replaced instrument cluster) is ignored."""
    usable: list[tuple[date, int]] = []
    for day, km in sorted(readings):
        if usable and km < usable[-1][1]:
            continue
        usable.append((day, km))
    return usable


def average_daily_km(readings: Iterable[tuple[date, int]]) -> Decimal | None:
    """The vehicle's average daily distance: from the first to the last usable
    reading; None when they span less than a day."""
    usable = _usable(readings)
    if len(usable) < 2:
        return None
    (first_day, first_km), (last_day, last_km) = usable[0], usable[-1]
    days = (last_day - first_day).days
    if days < 1:
        return None
    return Decimal(last_km - first_km) / days


def mileage_due_date(readings: Sequence[tuple[date, int]], target_km: int) -> date | None:
    """When the odometer should reach `target_km`, at the average daily distance."""
    usable = _usable(readings)
    if not usable:
        return None
    last_day, last_km = usable[-1]
    if last_km >= target_km:
        return last_day
    per_day = average_daily_km(readings)
    if per_day is None or per_day <= 0:
        return None
    return last_day + timedelta(days=math.ceil(Decimal(target_km - last_km) / per_day))


@dataclass(frozen=True)
class ServiceReminder:
    service_due_on: date  # the earlier of the date- and mileage-based due dates
    basis: str  # "date" or "mileage"
    remind_on: date  # lead days before, never before the delivery
    mileage_due_on: date | None


def next_service_reminder(
    *,
    delivered_on: date,
    next_service_date: date | None,
    next_service_mileage: int | None,
    readings: Sequence[tuple[date, int]],
    policy: CarePolicy,
) -> ServiceReminder | None:
    """The reminder for the next service: by date or by mileage, whichever comes first."""
    mileage_date = (
        mileage_due_date(readings, next_service_mileage)
        if next_service_mileage is not None
        else None
    )
    candidates = [
        (d, basis) for d, basis in ((next_service_date, "date"), (mileage_date, "mileage")) if d
    ]
    if not candidates:
        return None
    due_on, basis = min(candidates, key=lambda c: (c[0], c[1] != "date"))
    remind_on = max(delivered_on, due_on - timedelta(days=policy.reminder_lead_days))
    return ServiceReminder(due_on, basis, remind_on, mileage_date)


@dataclass(frozen=True)
class ReminderCall:
    """What a recorded reminder call does to its reminder."""

    status: str  # open (not reached: call again) or done
    attempts: int
    done: bool


def record_reminder_call(*, status: str, attempts: int, outcome: str) -> ReminderCall:
    """Contacted, booked or declined closes the reminder; not reached keeps it open.

    Only an open reminder takes a call: a done or superseded one is refused (409).
    """
    if status != "open":
        raise Conflict(f"the reminder is {status}", "ILLEGAL_TRANSITION", {"status": [status]})
    done = outcome != "not_reached"
    return ReminderCall("done" if done else "open", attempts + 1, done)
