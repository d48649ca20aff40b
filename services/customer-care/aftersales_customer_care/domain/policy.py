"""A site's care policy and the clock: when a customer may be phoned, the site's
local dates, and the reporting period of a figures query.

Every instant here is a timezone-aware datetime; a site's rules (call hours, rest
windows) are in its local time, the instants stored and published are UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aftersales_core.clock import SITE_TZ
from aftersales_core.errors import ValidationFailed

_CHINA_ZONES = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Harbin", "Asia/Urumqi", "PRC"})
_CHINA_STANDARD_TIME = SITE_TZ


def zone(name: str) -> tzinfo:
    """The site's time zone by IANA name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        if name in _CHINA_ZONES:
            return _CHINA_STANDARD_TIME
        raise ValidationFailed.on(
            "timezone", f"unknown time zone {name!r}", "UNKNOWN_TIMEZONE"
        ) from None
    except TypeError:
        raise ValidationFailed.on("timezone", "a time zone name", "UNKNOWN_TIMEZONE") from None


def aware(at: datetime, name: str = "at") -> datetime:
    """`at` itself; a naive datetime here is a programming error, not bad input."""
    if at.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")
    return at


# ---------------------------------------------------------------- a site's policy


@dataclass(frozen=True)
class CarePolicy:
    """How one site runs customer care; every field has a sensible default."""

    timezone: str = "Asia/Shanghai"
    # Calls only between day_start and day_end: "after 20:00" is the evening rest.
    day_start: time = time(9, 0)
    day_end: time = time(20, 0)
    rest_windows: tuple[tuple[time, time], ...] = ((time(12, 0), time(14, 0)),)
    # Monday is 0, Sunday 6. Dealers work seven days, so none by default.
    rest_weekdays: tuple[int, ...] = ()
    holidays: tuple[date, ...] = ()
    # Give the customer a day with the car before asking how it went.
    first_call_after_hours: int = 24
    # If the 72 hours cannot hold that day, call no sooner than this after delivery.
    min_call_gap_hours: int = 1
    retry_after_hours: int = 2
    max_attempts: int = 3
    complaint_acknowledge_hours: int = 24
    complaint_resolve_days: int = 7
    lost_after_months: int = 12
    loyal_min_visits: int = 3
    loyal_period_months: int = 12
    reminder_lead_days: int = 7
    recommendation_reminder_days: int = 30

    def __post_init__(self) -> None:
        problems: dict[str, list[str]] = {}
        zone(self.timezone)
        if not self.day_start < self.day_end:
            problems["call_hours"] = ["the day must start before it ends"]
        for start, end in self.rest_windows:
            if not start < end:
                problems["rest_windows"] = [f"{start:%H:%M}-{end:%H:%M} ends before it starts"]
        if any(not 0 <= d <= 6 for d in self.rest_weekdays):
            problems["rest_weekdays"] = ["weekdays are 0 (Monday) to 6 (Sunday)"]
        if len(set(self.rest_weekdays)) == 7:
            problems["rest_weekdays"] = ["at least one day of the week must allow calls"]
        if self.rest_windows and _covers_day(self):
            problems["rest_windows"] = ["the rest windows leave no time for calls"]
        for name in _INT_SETTINGS:
            least = 0 if name in _MAY_BE_ZERO else 1
            if not is_int_in(getattr(self, name), least, 10_000):
                problems[name] = [f"a whole number of at least {least}"]
        if self.first_call_after_hours >= 72:
            problems["first_call_after_hours"] = ["the follow-up is due within 72 hours"]
        if self.max_attempts > 10:
            problems["max_attempts"] = ["at most 10 attempts"]
        if problems:
            raise ValidationFailed("the site's care policy is invalid", "INVALID_POLICY", problems)

    @property
    def tz(self) -> tzinfo:
        return zone(self.timezone)

    # -- to and from JSON (the stored and the API form) ---------------------------
    def to_settings(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "call_hours": {"start": _hhmm(self.day_start), "end": _hhmm(self.day_end)},
            "rest_windows": [{"start": _hhmm(s), "end": _hhmm(e)} for s, e in self.rest_windows],
            "rest_weekdays": list(self.rest_weekdays),
            "holidays": [d.isoformat() for d in self.holidays],
            **{name: getattr(self, name) for name in _INT_SETTINGS},
        }

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None) -> CarePolicy:
        """A policy from stored or validated settings; missing keys keep their defaults."""
        settings = settings or {}
        changes: dict[str, Any] = {}
        if "timezone" in settings:
            changes["timezone"] = settings["timezone"]
        if "call_hours" in settings:
            changes["day_start"] = _time(settings["call_hours"]["start"])
            changes["day_end"] = _time(settings["call_hours"]["end"])
        if "rest_windows" in settings:
            changes["rest_windows"] = tuple(
                sorted((_time(w["start"]), _time(w["end"])) for w in settings["rest_windows"])
            )
        if "rest_weekdays" in settings:
            changes["rest_weekdays"] = tuple(sorted(set(settings["rest_weekdays"])))
        if "holidays" in settings:
            changes["holidays"] = tuple(sorted({_date(d) for d in settings["holidays"]}))
        for name in _INT_SETTINGS:
            if name in settings:
                changes[name] = settings[name]
        return replace(cls(), **changes)


_MAY_BE_ZERO = frozenset({"min_call_gap_hours", "reminder_lead_days"})
_INT_SETTINGS = (
    "first_call_after_hours",
    "min_call_gap_hours",
    "retry_after_hours",
    "max_attempts",
    "complaint_acknowledge_hours",
    "complaint_resolve_days",
    "lost_after_months",
    "loyal_min_visits",
    "loyal_period_months",
    "reminder_lead_days",
    "recommendation_reminder_days",
)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _time(value: time | str) -> time:
    if isinstance(value, time):
        return value
    if value == "24:00":
        return time.max
    return time.fromisoformat(value)


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _covers_day(policy: CarePolicy) -> bool:
    """True when the rest windows leave no minute between day_start and day_end."""
    cursor = policy.day_start
    for start, end in sorted(policy.rest_windows):
        if start > cursor:
            return False
        cursor = max(cursor, end)
        if cursor >= policy.day_end:
            return True
    return cursor >= policy.day_end


# ---------------------------------------------------------------- when to call


def is_rest_day(day: date, policy: CarePolicy) -> bool:
    return day.weekday() in policy.rest_weekdays or day in policy.holidays


def is_call_time(at: datetime, policy: CarePolicy) -> bool:
    """May the customer be phoned at this instant? (Rest windows are [start, end).)"""
    local = aware(at).astimezone(policy.tz)
    moment = local.time().replace(tzinfo=None)
    if is_rest_day(local.date(), policy):
        return False
    if not policy.day_start <= moment < policy.day_end:
        return False
    return not any(start <= moment < end for start, end in policy.rest_windows)


def next_call_time(at: datetime, policy: CarePolicy) -> datetime:
    """The first instant at or after `at` when a call is allowed (returned in UTC)."""
    tz = policy.tz
    local = aware(at).astimezone(tz)
    for _ in range(3 * 366):  # every loop either returns or moves forward
        day, moment = local.date(), local.time().replace(tzinfo=None)
        if is_rest_day(day, policy) or moment >= policy.day_end:
            local = datetime.combine(day + timedelta(days=1), policy.day_start, tz)
            continue
        if moment < policy.day_start:
            local = datetime.combine(day, policy.day_start, tz)
            continue
        window_end = next((e for s, e in policy.rest_windows if s <= moment < e), None)
        if window_end is not None:
            if window_end == time.max:
                local = datetime.combine(day + timedelta(days=1), policy.day_start, tz)
            else:
                local = datetime.combine(day, window_end, tz)
            continue
        return local.astimezone(UTC)
    raise ValidationFailed.on("holidays", "no day to call in three years", "INVALID_POLICY")


def is_int_in(value: Any, low: int, high: int) -> bool:
    """A whole number (not a bool) between low and high, both included."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def local_date(at: datetime, policy: CarePolicy) -> date:
    """The site's calendar day at an instant."""
    return aware(at).astimezone(policy.tz).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clipped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


# A figures query covers at most this many days at once.
MAX_PERIOD_DAYS = 3660


def report_period(
    date_from: date | None,
    date_to: date | None,
    policy: CarePolicy,
    now: datetime,
    default_months: int | None = None,
) -> tuple[datetime, datetime]:
    """[start, end) in UTC from the local dates `from`..`to`, both included.

    Without `to`: today. Without `from`: `default_months` back (the day after), else
    the first of `to`'s month. A period that ends before it starts, or spans more
    than ten years, is refused.
    """
    date_to = date_to or local_date(now, policy)
    if date_from is None:
        if default_months:
            date_from = add_months(date_to, -default_months) + timedelta(days=1)
        else:
            date_from = date_to.replace(day=1)
    if date_from > date_to:
        raise ValidationFailed.on("from", "the period starts after it ends")
    if (date_to - date_from).days > MAX_PERIOD_DAYS:
        raise ValidationFailed.on("from", "at most ten years at once")
    tz = policy.tz
    start = datetime.combine(date_from, time.min, tz).astimezone(UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tz).astimezone(UTC)
    return start, end
