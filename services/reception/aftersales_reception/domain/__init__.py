"""Reception's rules, free of nameko and SQLAlchemy.

Everything the service advisor's day depends on and that can be got wrong is
decided here, in plain Python, so it is unit-tested in milliseconds: hours and
money, the mileage rule, appointment and repair-order state machines, the
workshop's progress as derived from its events, pricing with split payers and
tax, discounts within a role's authority, payments and order numbers.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# The codes the domain decides on, spelt once (API module and shared vocabulary).
from aftersales_contracts.api.reception import APPOINTMENT_SOURCES as APPOINTMENT_SOURCES
from aftersales_contracts.api.reception import APPOINTMENT_STATUSES as APPOINTMENT_STATUSES
from aftersales_contracts.api.reception import ORDER_STATUSES
from aftersales_contracts.api.reception import SIGNATURE_METHODS as SIGNATURE_METHODS
from aftersales_contracts.vocabulary import CUSTOMER_CLASSES as CUSTOMER_CLASSES
from aftersales_contracts.vocabulary import LINE_KINDS as LINE_KINDS
from aftersales_contracts.vocabulary import OLD_PART_DISPOSITIONS as OLD_PART_DISPOSITIONS
from aftersales_contracts.vocabulary import ORDER_TYPES as ORDER_TYPES
from aftersales_contracts.vocabulary import PAYERS
from aftersales_contracts.vocabulary import PAYMENT_METHODS as PAYMENT_METHODS
from aftersales_core.clock import SITE_TZ, day_bounds, local_date
from aftersales_core.errors import Conflict, Forbidden, ValidationFailed

HOURS_STEP = Decimal("0.1")
MONEY_STEP = Decimal("0.01")
ZERO = Decimal("0.00")

# Chinese dealers keep one clock: China Standard Time, no daylight saving (the site's
# clock is `aftersales_core.clock`, shared by every service).
LOCAL_TZ = SITE_TZ

# The payer an order type bills by default (a line may name another).
DEFAULT_PAYER = {
    "maintenance": "customer",
    "repair": "customer",
    "warranty": "warranty",
    "accident": "insurance",
    "internal": "internal",
}


# ---------------------------------------------------------------- numbers


MAX_HOURS = Decimal("999.9")


def hours(value: Decimal | str, field_name: str = "standard_hours") -> Decimal:
    """Labor time is kept to 0.1 h; a finer figure is a typing error, not rounding."""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed.on(field_name, "hours must be a number", "HOURS_PRECISION") from None
    if (
        not amount.is_finite()
        or amount <= 0
        or amount > MAX_HOURS
        or amount != amount.quantize(HOURS_STEP)
    ):
        raise ValidationFailed.on(
            field_name, f"hours must be positive, at most {MAX_HOURS}, to 0.1 h", "HOURS_PRECISION"
        )
    return amount.quantize(HOURS_STEP)


def money(value: Decimal | str | int) -> Decimal:
    """An amount in CNY, rounded half up to the fen (cent)."""
    return Decimal(value).quantize(MONEY_STEP, rounding=ROUND_HALF_UP)


def local_day(moment: datetime) -> date:
    """The dealer's calendar day of an instant."""
    return local_date(moment)


def start_of_local_day(day: date) -> datetime:
    return day_bounds(day)[0]


def end_of_local_day(day: date) -> datetime:
    """The instant the next local day begins (a period's exclusive end)."""
    return day_bounds(day)[1]


# ---------------------------------------------------------------- the pre-pick list


@dataclass
class Pick:
    """One part to pick for a day's appointments: how much, for whom, and whether the
    warehouse has it (`available` None: not stocked at the site, or not asked)."""

    part_number: str
    name: str | None
    quantity: Decimal
    appointment_ids: list[str]
    available: Decimal | None = None

    @property
    def short(self) -> bool:
        return self.available is None or self.available < self.quantity


def pick_list(parts: Iterable[tuple[str, Mapping[str, Any]]]) -> list[Pick]:
    """The parts a day's appointments asked for, summed per part number (in number
    order), each with the appointments that need it."""
    picks: dict[str, Pick] = {}
    for appointment_id, part in parts:
        number = part["part_number"]
        pick = picks.setdefault(number, Pick(number, part.get("name"), Decimal("0"), []))
        pick.quantity += Decimal(str(part["quantity"]))
        pick.appointment_ids.append(appointment_id)
    return [picks[number] for number in sorted(picks)]


def mark_available(picks: Iterable[Pick], available: Mapping[str, Any]) -> None:
    """What the warehouse says it has now, per part number."""
    for pick in picks:
        value = available.get(pick.part_number)
        pick.available = Decimal(str(value)) if value is not None else None


# ---------------------------------------------------------------- mileage


def check_mileage(reading: int, last: int | None, reason: str | None) -> None:
    """A reading below the last recorded one is a typo unless a reason says otherwise
    (odometer replaced, instrument cluster swapped): refuse it without a reason."""
    if reading < 0:
        raise ValidationFailed.on("mileage", "mileage cannot be negative", "MILEAGE_NEGATIVE")
    if last is not None and reading < last and not (reason and reason.strip()):
        raise ValidationFailed.on(
            "mileage",
            f"{reading} km is below the last recorded {last} km; "
            "give mileage_reason (e.g. odometer replaced) to record it",
            "MILEAGE_BELOW_LAST",
        )


def takes_reading(reading: int, last: int | None, reason: str | None) -> bool:
    """A checked reading becomes the car's mileage when it is higher, or lower with a
    reason (odometer replaced)."""
    return last is None or reading > last or bool(reason and reason.strip())


def old_part_disposition(order_type: str, given: str | None) -> str:
    """What happens to removed parts unless the customer said: a warranty RO keeps them
    for the OEM's claim, any other returns them to the customer."""
    return given or ("keep_for_warranty" if order_type == "warranty" else "return_to_customer")


# ---------------------------------------------------------------- state machines


def _transition(
    table: Mapping[str, tuple[frozenset[str], str]], what: str, status: str, action: str
) -> str:
    allowed_from, target = table[action]
    if status not in allowed_from:
        raise Conflict(
            f"cannot {action.replace('_', ' ')} a {what} that is {status.replace('_', ' ')}",
            "ILLEGAL_TRANSITION",
            {"status": [status], "action": [action]},
        )
    return target


APPOINTMENT_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "reschedule": (frozenset({"booked"}), "booked"),
    "arrive": (frozenset({"booked"}), "arrived"),
    "cancel": (frozenset({"booked"}), "cancelled"),
    "no_show": (frozenset({"booked"}), "no_show"),
}


def appointment_transition(status: str, action: str) -> str:
    return _transition(APPOINTMENT_TRANSITIONS, "appointment", status, action)


# How far ahead a slot may be booked: a year (the workshop plans no further).
BOOKING_HORIZON = timedelta(days=366)


def check_slot(slot_start: datetime, now: datetime) -> None:
    """A slot may be today (a walk-in is booked as it arrives) or later, never a past day,
    and at most a year ahead."""
    if slot_start > now + BOOKING_HORIZON:
        raise ValidationFailed.on(
            "slot_start", "the slot is more than a year ahead", "SLOT_TOO_FAR"
        )
    if slot_start < now - BOOKING_HORIZON or local_day(slot_start) < local_day(now):
        raise ValidationFailed.on("slot_start", "the slot is on a past day", "SLOT_IN_PAST")


def check_promise(promised_at: datetime | None, now: datetime) -> None:
    """A promised time is within a year of now (a typo of a year is no promise)."""
    if promised_at is not None and abs(promised_at - now) > BOOKING_HORIZON:
        raise ValidationFailed.on(
            "promised_at", "a promised time within a year of now", "PROMISE_OUT_OF_RANGE"
        )


def check_no_show(slot_start: datetime, now: datetime) -> None:
    """Nobody is a no-show before their slot has begun."""
    if now < slot_start:
        raise Conflict(
            "the slot has not begun yet", "SLOT_NOT_BEGUN", {"slot_start": [slot_start.isoformat()]}
        )


def check_capacity(available: Decimal, booked: Decimal, wanted: Decimal) -> None:
    """The day's booked estimated hours plus this one must fit the technician hours present."""
    if booked + wanted > available:
        free = max(available - booked, Decimal("0"))
        raise Conflict(
            f"{wanted} h do not fit: {booked} of {available} technician hours are booked "
            f"({free} h free)",
            "CAPACITY_EXCEEDED",
            {"estimated_hours": [f"at most {free} h free that day"]},
        )


# Statuses in which the workshop's and the warehouse's events move the order.
WORKSHOP_STATUSES = frozenset({"approved", "in_progress", "ready_for_delivery"})
EDITABLE_STATUSES = frozenset({"draft"})
OPEN_STATUSES = frozenset(ORDER_STATUSES) - {"delivered", "cancelled"}

ORDER_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "send_for_approval": (frozenset({"draft"}), "awaiting_approval"),
    "revise": (frozenset({"awaiting_approval"}), "draft"),
    "approve": (frozenset({"awaiting_approval"}), "approved"),
    "cancel": (frozenset({"draft", "awaiting_approval", "approved"}), "cancelled"),
    "settle": (frozenset({"ready_for_delivery"}), "settled"),
    "deliver": (frozenset({"settled"}), "delivered"),
}


def order_transition(status: str, action: str) -> str:
    """The status an RO moves to, or 409 ILLEGAL_TRANSITION."""
    return _transition(ORDER_TRANSITIONS, "repair order", status, action)


def require_order_status(status: str, allowed: Iterable[str], action: str) -> None:
    if status not in set(allowed):
        raise Conflict(
            f"cannot {action.replace('_', ' ')} on a repair order that is "
            f"{status.replace('_', ' ')}",
            "ILLEGAL_TRANSITION",
            {"status": [status], "action": [action]},
        )


# ---------------------------------------------------------------- workshop progress


@dataclass
class JobFact:
    """What the workshop told about one job; times are the workshop's event times."""

    job_id: str
    line_id: str | None = None
    started_at: datetime | None = None
    done_at: datetime | None = None


@dataclass(frozen=True)
class QcFact:
    passed: bool
    at: datetime
    job_ids: tuple[str, ...] = ()


def line_done_at(line_id: str, jobs: Sequence[JobFact], qc: Sequence[QcFact]) -> datetime | None:
    """When a labor line's work was last finished, or None if it is not done now.

    A job is done when its last `job_done` is not older than its last `job_started`
    (rework clocks on again) and newer than the last failed QC that named it.
    """
    line_jobs = [j for j in jobs if j.line_id == line_id]
    ids = {j.job_id for j in line_jobs}
    failed = [q.at for q in qc if not q.passed and ids.intersection(q.job_ids)]
    last_failed = max(failed) if failed else None
    done = [
        j.done_at
        for j in line_jobs
        if j.done_at is not None
        and (j.started_at is None or j.done_at >= j.started_at)
        and (last_failed is None or j.done_at > last_failed)
    ]
    return max(done) if done else None


def workshop_status(
    labor_line_ids: Sequence[str], jobs: Sequence[JobFact], qc: Sequence[QcFact]
) -> str:
    """An approved RO's status derived from the workshop's facts, whatever their order.

    Events of different types arrive on different queues, so `qc_passed` may be
    handled before the `job_done` it follows: the status is recomputed from every
    fact each time instead of stepping on each event.
    - ready_for_delivery: every labor line done and a QC pass after the last of them
      and after the last QC failure;
    - in_progress: any job clocked on or finished, or any QC result;
    - approved: nothing yet.
    """
    done = [line_done_at(line_id, jobs, qc) for line_id in labor_line_ids]
    passes = [q.at for q in qc if q.passed]
    fails = [q.at for q in qc if not q.passed]
    if passes and all(d is not None for d in done):
        last_pass = max(passes)
        finished = [d for d in done if d is not None]
        if (not fails or last_pass > max(fails)) and (not finished or last_pass >= max(finished)):
            return "ready_for_delivery"
    if qc or any(j.started_at or j.done_at for j in jobs):
        return "in_progress"
    return "approved"


# ---------------------------------------------------------------- pricing


@dataclass(frozen=True)
class PricedLine:
    """One line of an estimate or a statement: quantity x unit price for one payer.

    For labor the quantity is the standard hours and the unit price the site's labor
    rate for the payer; a free line shows its value but charges nothing.
    """

    line_id: str
    kind: str
    code: str
    description: str
    payer: str
    quantity: Decimal
    unit_price: Decimal
    free: bool = False

    @property
    def value(self) -> Decimal:
        return money(self.quantity * self.unit_price)

    @property
    def amount(self) -> Decimal:
        return ZERO if self.free else self.value


@dataclass
class PayerTotals:
    labor: Decimal = ZERO
    parts: Decimal = ZERO
    sublet: Decimal = ZERO
    misc: Decimal = ZERO
    free: Decimal = ZERO  # value given away on free lines (not charged)
    discount: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO  # what this payer owes, tax included

    @property
    def gross(self) -> Decimal:
        """Charged amounts before discount."""
        return self.labor + self.parts + self.sublet + self.misc


_BUCKET = {"labor": "labor", "part": "parts", "sublet": "sublet", "misc": "misc"}


@dataclass
class Statement:
    lines: list[PricedLine]
    by_payer: dict[str, PayerTotals]
    tax_rate: Decimal
    prices_include_tax: bool
    discount_total: Decimal = ZERO
    tax_total: Decimal = ZERO
    total: Decimal = ZERO

    def due(self, payer: str) -> Decimal:
        totals = self.by_payer.get(payer)
        return totals.total if totals else ZERO

    @property
    def totals_by_payer(self) -> dict[str, Decimal]:
        return {payer: t.total for payer, t in self.by_payer.items()}


def tax_of(amount: Decimal, rate: Decimal, included: bool) -> Decimal:
    """VAT in an amount (prices include it) or on it (prices exclude it), to the fen."""
    if included:
        return money(amount - amount / (1 + rate))
    return money(amount * rate)


def build_statement(
    lines: Iterable[PricedLine],
    *,
    tax_rate: Decimal,
    prices_include_tax: bool = True,
    discount: Decimal = ZERO,
) -> Statement:
    """Totals split by payer, with the discount on the customer's share and VAT per payer.

    Each payer's tax is computed on what that payer owes, so the payers' totals add up
    to the order's total exactly.
    """
    priced = list(lines)
    by_payer: dict[str, PayerTotals] = {}
    for line in priced:
        totals = by_payer.setdefault(line.payer, PayerTotals())
        bucket = _BUCKET[line.kind]
        setattr(totals, bucket, getattr(totals, bucket) + line.amount)
        if line.free:
            totals.free += line.value
    discount = money(discount)
    if discount < 0:
        raise ValidationFailed.on("amount", "a discount cannot be negative", "DISCOUNT_NEGATIVE")
    if discount:
        customer = by_payer.get("customer")
        if customer is None or discount > customer.gross:
            gross = customer.gross if customer else ZERO
            raise Conflict(
                f"a discount of {discount} exceeds the customer's share of {gross}",
                "DISCOUNT_EXCEEDS_SHARE",
                {"amount": [f"at most {gross}"]},
            )
        customer.discount = discount
    statement = Statement(priced, by_payer, tax_rate, prices_include_tax, discount_total=discount)
    for totals in by_payer.values():
        net = totals.gross - totals.discount
        totals.tax = tax_of(net, tax_rate, prices_include_tax)
        totals.total = net if prices_include_tax else net + totals.tax
        statement.tax_total += totals.tax
        statement.total += totals.total
    return statement


def order_payer_ordering(payers: Iterable[str]) -> list[str]:
    return sorted(set(payers), key=PAYERS.index)


def net_issued(
    issues: Iterable[tuple[Decimal, Decimal]], returned: Decimal
) -> tuple[Decimal, Decimal]:
    """Parts actually used on a line: (quantity, unit price) from the warehouse's issues
    (quantity, unit price each) less what came back; the price is the issues' weighted
    average (one price in practice)."""
    issued = [(Decimal(q), Decimal(p)) for q, p in issues]
    quantity = sum((q for q, _ in issued), Decimal("0"))
    if quantity <= 0:
        return Decimal("0"), ZERO
    value = sum((q * p for q, p in issued), Decimal("0"))
    unit_price = money(value / quantity)
    return max(quantity - Decimal(returned), Decimal("0")), unit_price


# ---------------------------------------------------------------- discounts


# Largest concession each role may grant alone, as a share of the customer's charges.
DEFAULT_DISCOUNT_LIMITS: dict[str, Decimal] = {
    "service_advisor": Decimal("0.05"),
    "accident_reception": Decimal("0.05"),
    "front_desk_supervisor": Decimal("0.10"),
    "accident_supervisor": Decimal("0.10"),
    "service_manager": Decimal("0.15"),
    "service_director": Decimal("0.20"),
}


def discount_limit(roles: Iterable[str], limits: Mapping[str, Decimal]) -> Decimal:
    return max((Decimal(limits[r]) for r in roles if r in limits), default=Decimal("0"))


def discount_share(amount: Decimal, customer_gross: Decimal) -> Decimal:
    if amount <= 0:
        return Decimal("0")
    if customer_gross <= 0:
        return Decimal("1")
    return amount / customer_gross


def discount_decision(
    amount: Decimal, customer_gross: Decimal, roles: Iterable[str], limits: Mapping[str, Decimal]
) -> str:
    """'approved' when within the caller's limit, else 'pending' (a supervisor approves)."""
    if amount < 0:
        raise ValidationFailed.on("amount", "a discount cannot be negative", "DISCOUNT_NEGATIVE")
    if amount > customer_gross:
        raise Conflict(
            f"a discount of {amount} exceeds the customer's share of {customer_gross}",
            "DISCOUNT_EXCEEDS_SHARE",
            {"amount": [f"at most {customer_gross}"]},
        )
    share = discount_share(amount, customer_gross)
    return "approved" if share <= discount_limit(roles, limits) else "pending"


def check_discount_approver(
    amount: Decimal,
    customer_gross: Decimal,
    roles: Iterable[str],
    limits: Mapping[str, Decimal],
    approver: str,
    requested_by: str,
) -> None:
    """A supervisor approves a discount above the advisor's limit, within their own."""
    if approver == requested_by:
        raise Forbidden(
            "a discount above your limit needs someone else's approval", "DISCOUNT_SELF_APPROVAL"
        )
    limit = discount_limit(roles, limits)
    if discount_share(amount, customer_gross) > limit:
        raise Forbidden(
            f"this discount is above your limit of {limit:.0%}",
            "DISCOUNT_ABOVE_LIMIT",
            {"amount": [f"above {limit:.0%} of {customer_gross}"]},
        )


# ---------------------------------------------------------------- payments


def check_payment(amount: Decimal, paid: Decimal, due: Decimal) -> None:
    if amount <= 0:
        raise ValidationFailed.on("amount", "a payment must be positive", "PAYMENT_NOT_POSITIVE")
    if paid + amount > due:
        raise Conflict(
            f"{amount} would bring payments to {paid + amount}, above the {due} due",
            "OVERPAYMENT",
            {"amount": [f"at most {max(due - paid, ZERO)}"]},
        )


def check_paid_in_full(paid: Decimal, due: Decimal) -> None:
    if paid != due:
        raise Conflict(
            f"the customer owes {due} and has paid {paid}",
            "PAYMENT_INCOMPLETE" if paid < due else "OVERPAYMENT",
            {"payments": [f"{due - paid} outstanding"]},
        )


# ---------------------------------------------------------------- numbering and dates


def site_code(site_id: str) -> str:
    """A short code for order numbers, from the site's id when it has none of its own."""
    return site_id.removeprefix("site-").split("-")[0].upper()[:12] or "RO"


def order_number(code: str, day: date, sequence: int) -> str:
    return f"{code}-{day:%Y%m%d}-{sequence:04d}"


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# A periodic-maintenance interval: every 6 months or 10 000 km, whichever comes first.
SERVICE_INTERVAL_MONTHS = 6
SERVICE_INTERVAL_KM = 10_000


def next_service(delivered_on: date, mileage: int) -> tuple[date, int]:
    """The default next service due: six months on, and the next 10 000 km mark."""
    return (
        add_months(delivered_on, SERVICE_INTERVAL_MONTHS),
        (mileage // SERVICE_INTERVAL_KM + 1) * SERVICE_INTERVAL_KM,
    )


def work_lines(
    operations: Iterable[Mapping[str, Any]], parts: Iterable[Mapping[str, Any]], payer: str
) -> list[dict[str, Any]]:
    """The lines approved additional work adds, for the payer the customer named: its
    operations at the hours found (the catalog's when it lists them), its parts."""
    labor = [
        {"kind": "labor", "operation_code": op["operation_code"], "payer": payer,
         "quantity": Decimal("1"), "to_be_confirmed": False, "free": False,
         "suggested_hours": op["standard_hours"], "suggested_description": op["description"]}
        for op in operations
    ]  # fmt: skip
    return labor + [
        {"kind": "part", "part_number": p["part_number"], "payer": payer,
         "quantity": Decimal(str(p["quantity"])), "to_be_confirmed": False, "free": False}
        for p in parts
    ]  # fmt: skip


def moved_promise(promised_at: datetime | None, added_hours: Decimal, now: datetime) -> datetime:
    """A promised time moved by added work: from the later of the promise and now."""
    base = max(promised_at, now) if promised_at else now
    return base + timedelta(minutes=int(added_hours * 60))


def recall_is_open(starts_on: date, ends_on: date | None, today: date, completed: bool) -> bool:
    return not completed and starts_on <= today and (ends_on is None or today <= ends_on)


# The refusals the entrypoints' rules raise (check-in, settlement, reference data).
from .checks import *  # noqa: E402, F403
