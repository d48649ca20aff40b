"""The site's clock: Chinese dealers keep China Standard Time (UTC+8, no daylight
saving). Instants are stored and sent in UTC; days, shifts, rest times and report
periods are the site's local calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

SITE_TZ = timezone(timedelta(hours=8), "CST")


def as_aware(moment: datetime) -> datetime:
    """Naive datetimes are UTC (SQLite returns aware ones naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def local_date(moment: datetime) -> date:
    """The site's calendar date of an instant."""
    return as_aware(moment).astimezone(SITE_TZ).date()


def local_time(moment: datetime) -> datetime:
    """An instant on the site's wall clock."""
    return as_aware(moment).astimezone(SITE_TZ)


def day_bounds(first: date, last: date | None = None) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of the site's days `first`..`last` inclusive."""
    last = last or first
    start = datetime.combine(first, time.min, SITE_TZ).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, SITE_TZ).astimezone(UTC)
    return start, end
