"""Watching ROs: the progress watch (promised times at risk) and comebacks (the same
car back with the same complaint soon after delivery)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .common import RATIO_STEP, ZERO
from .jobs import OPEN_WORK

# ---------------------------------------------------------------- progress watch

AT_RISK_SHARE = Decimal("0.70")


def elapsed_share(start: datetime, promised_at: datetime, now: datetime) -> Decimal:
    """How much of the promised time has passed, to 0.01 (1.00 once it is due)."""
    span = (promised_at - start).total_seconds()
    if span <= 0:
        return Decimal("1.00")
    share = Decimal(str((now - start).total_seconds())) / Decimal(str(span))
    return max(share, ZERO).quantize(RATIO_STEP, rounding=ROUND_HALF_UP)


def at_risk(
    start: datetime, promised_at: datetime, now: datetime, statuses: Iterable[str]
) -> tuple[Decimal, int] | None:
    """(elapsed share, open jobs) when an RO needs the advisor's attention, else None.

    Once 70 % of the time from approval to the promised delivery has passed, an
    RO whose work is not near done is at risk.  "Near done" means every job is
    at least finished by its technician (waiting QC or done): what is left is
    checking, not work.  Past 80 % it is reported all the same: late is better
    than silent.
    """
    open_jobs = sum(1 for s in statuses if s in OPEN_WORK)
    if open_jobs == 0:
        return None
    share = elapsed_share(start, promised_at, now)
    if share < AT_RISK_SHARE:
        return None
    return share, open_jobs


# ---------------------------------------------------------------- comebacks

DEFAULT_COMEBACK_DAYS = 30
COMPLAINT_SIMILARITY = Decimal("0.5")
# Routine service recurs by design; it never makes a comeback by itself.
MAINTENANCE_PREFIXES = ("MNT",)


def is_maintenance(operation_code: str) -> bool:
    return operation_code.upper().split("-", 1)[0] in MAINTENANCE_PREFIXES


def normalise_complaint(text: str) -> str:
    """A complaint as letters and digits only: full-width, case, spaces and punctuation
    do not make two complaints different."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if c.isalnum())


def complaint_similarity(a: str, b: str) -> Decimal:
    """Dice coefficient of the character bigrams of two normalised complaints (0..1).

    Chinese has no spaces to split words on; bigrams of characters carry the
    words (刹车, 异响, 前轮) whatever the customer's phrasing around them.
    """
    x, y = normalise_complaint(a), normalise_complaint(b)
    if not x or not y:
        return ZERO
    if x == y:
        return Decimal(1)

    def grams(s: str) -> set[str]:
        return {s[i : i + 2] for i in range(len(s) - 1)} or {s}

    gx, gy = grams(x), grams(y)
    value = Decimal(2 * len(gx & gy)) / Decimal(len(gx) + len(gy))
    return value.quantize(RATIO_STEP, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class PastJob:
    job_id: str
    operation_code: str
    technician_id: str | None
    standard_hours: Decimal


@dataclass(frozen=True)
class PastOrder:
    """An RO delivered earlier, with the jobs the workshop did on it."""

    order_id: str
    vin: str
    order_type: str | None
    complaint: str
    delivered_at: datetime
    jobs: tuple[PastJob, ...] = ()


@dataclass(frozen=True)
class NewOrder:
    order_id: str
    vin: str
    order_type: str | None
    complaint: str
    opened_at: datetime
    operation_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComebackMatch:
    original_order_id: str
    original_job_id: str | None
    technician_id: str | None
    matched_by: str  # "operation_code" or "complaint"
    operation_code: str | None
    similarity: Decimal | None
    days_after_delivery: int


def find_comeback(
    new: NewOrder, history: Iterable[PastOrder], window_days: int = DEFAULT_COMEBACK_DAYS
) -> ComebackMatch | None:
    """Is this RO the same vehicle back with the same complaint within the window?

    Same vehicle: the same VIN.  Within the window: opened no later than
    `window_days` after the earlier RO's delivery.  Same complaint, either
      1. a repair operation of the new RO (routine maintenance, MNT-*, aside) was
         done on the earlier RO — the same work again; or
      2. neither RO is a maintenance RO and the complaints, normalised, have a
         bigram similarity of at least 0.5 — the customer describes the same fault.
    The latest matching delivery wins; the comeback is charged to the job that
    did that work (by operation), else to the earlier RO's largest repair job.
    """
    window = timedelta(days=window_days)
    repair_codes = [c for c in new.operation_codes if not is_maintenance(c)]
    for past in sorted(history, key=lambda p: p.delivered_at, reverse=True):
        if past.order_id == new.order_id or past.vin.upper() != new.vin.upper():
            continue
        since = new.opened_at - past.delivered_at
        if since < timedelta(0) or since > window:
            continue
        days = since.days
        for code in repair_codes:
            job = next((j for j in past.jobs if j.operation_code == code), None)
            if job is not None:
                return ComebackMatch(
                    past.order_id, job.job_id, job.technician_id, "operation_code", code, None, days
                )
        if "maintenance" in (new.order_type, past.order_type):
            continue
        similarity = complaint_similarity(new.complaint, past.complaint)
        if similarity >= COMPLAINT_SIMILARITY:
            job = _main_job(past.jobs)
            return ComebackMatch(
                past.order_id,
                job.job_id if job else None,
                job.technician_id if job else None,
                "complaint",
                job.operation_code if job else None,
                similarity,
                days,
            )
    return None


def _main_job(jobs: Sequence[PastJob]) -> PastJob | None:
    repairs = [j for j in jobs if not is_maintenance(j.operation_code)] or list(jobs)
    if not repairs:
        return None
    return max(repairs, key=lambda j: (j.standard_hours, j.job_id))
