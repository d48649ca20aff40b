"""The refusals of reception's entrypoints, one rule each, in plain Python.

The entrypoints load rows and hand the facts here: the check-in rules of opening an
RO, the pending-discount rules of settlement, the reference data's site rules, part
quotes and lines. Each function returns nothing (or the value it vouches for) and
raises the refusal a client sees.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from aftersales_core.errors import Conflict, ValidationFailed

# ---------------------------------------------------------------- field errors


def field_error(path: str, message: str, code: str) -> ValidationFailed:
    """A field error at a dotted path (`lines.2.part_number`), nested like marshmallow's."""
    fields: dict[str, Any] = {}
    node = fields
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = [message]
    return ValidationFailed(message, code, fields)


def refuse_field(path: str, message: str, code: str) -> NoReturn:
    raise field_error(path, message, code)


@contextmanager
def within(label: str, collection: str, index: int) -> Iterator[None]:
    """Refusals about one entry of an imported list, re-pointed at that entry
    (`customers.3.phones`) and named in the message."""
    try:
        yield
    except ValidationFailed as exc:
        raise ValidationFailed(
            f"{label}: {exc.message}", exc.code, {collection: {str(index): exc.fields}}
        ) from None


# ---------------------------------------------------------------- sites and reference data


def check_site(site_group_id: str | None, group_id: str, site_id: str, field: str) -> None:
    """A site must be known to reception and be of the caller's group (reception learns
    its sites from the reference-data import, which lists the directory's sites)."""
    if site_group_id != group_id:
        refuse_field(field, f"{site_id} is not a site of your group", "SITE_UNKNOWN")


def check_imported_site(
    index: int, site_id: str, listed_group_id: str, known_group_id: str | None, group_id: str
) -> None:
    """An imported site is of the loader's group, and not another group's already."""
    if listed_group_id != group_id:
        raise ValidationFailed(
            f"site {site_id} belongs to another group",
            "SITE_OF_ANOTHER_GROUP",
            {"sites": {str(index): {"group_id": [listed_group_id]}}},
        )
    if known_group_id is not None and known_group_id != group_id:
        raise ValidationFailed(
            f"site {site_id} belongs to another group",
            "SITE_OF_ANOTHER_GROUP",
            {"sites": {str(index): {"site_id": [site_id]}}},
        )


# ---------------------------------------------------------------- customers and vehicles


def check_lookup(vin: str | None, plate: str | None) -> None:
    if not vin and not plate:
        refuse_field("vin", "give a VIN or a plate", "LOOKUP_EMPTY")


def check_vin_free(taken: bool, vin: str) -> None:
    """A VIN is registered once per group."""
    if taken:
        raise Conflict(f"VIN {vin} is already registered", "VIN_TAKEN", {"vin": [vin]})


# ---------------------------------------------------------------- pricing lines


def check_operation(
    found: bool, models: Sequence[str] | None, vehicle_model: str, code: str, field: str
) -> None:
    """A labor operation is in the group's catalog and applies to the car's model."""
    if not found:
        refuse_field(field, f"{code} is not in the labor-time catalog", "OPERATION_UNKNOWN")
    if models and vehicle_model not in models:
        refuse_field(
            field, f"{code} does not apply to a {vehicle_model}", "OPERATION_NOT_FOR_MODEL"
        )


def check_rate(rate: Decimal | None, payer: str, field: str) -> Decimal:
    """A labor line needs the site's rate for its payer."""
    if rate is None:
        refuse_field(field, f"the site has no labor rate for {payer}", "LABOR_RATE_MISSING")
    return rate


def check_quote(
    numbers: Sequence[str],
    quoted: Collection[str],
    field: str,
    *,
    refusal: tuple[str, Sequence[str]] | None = None,
    positions: Sequence[int] | None = None,
) -> None:
    """Every part number asked for was quoted by the parts service.

    `refusal` is the parts service's own refusal (message, what it said per part):
    parts it names as unknown are a 400 on those lines, any other refusal is a 400 on
    the field. `positions` re-points "the n-th part" at its line's index.
    """
    unknown: set[str] = set()
    if refusal is not None:
        message, said = refusal
        unknown = {n for n in numbers if any(str(m).endswith(f" {n}") for m in said)}
        if not unknown:
            raise ValidationFailed(
                f"the parts service refused the quote: {message}",
                "PART_QUOTE_REFUSED",
                {field: [message]},
            )
    missing: dict[str, Any] = {}
    for index, number in enumerate(numbers):
        if (number in unknown) if unknown else (number not in quoted):
            key = str(positions[index] if positions is not None else index)
            missing[key] = {"part_number": [f"{number} is not in the parts catalog"]}
    if missing:
        raise ValidationFailed("unknown part number", "PART_UNKNOWN", {field: missing})


def check_open_recommendation(is_open_for_vehicle: bool, field: str) -> None:
    if not is_open_for_vehicle:
        refuse_field(field, "not an open recommendation for this vehicle", "RECOMMENDATION_UNKNOWN")


# ---------------------------------------------------------------- appointments and check-in


# The days a period may name: a dealer's records, not the calendar's ends (whose
# midnight in China time is no instant a database holds).
EARLIEST_DAY, LATEST_DAY = date(1900, 1, 1), date(2999, 12, 31)


def period(date_from: date | None, date_to: date | None) -> tuple[date, date]:
    """Local days `from`–`to` inclusive; a missing bound leaves that side open."""
    for name, day in (("from", date_from), ("to", date_to)):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            refuse_field(name, f"a day from {EARLIEST_DAY} to {LATEST_DAY}", "INVALID_PERIOD")
    first, last = date_from or date.min, date_to or date.max
    if first > last:
        refuse_field("to", "`to` is before `from`", "INVALID_PERIOD")
    return first, last


def appointment_days(
    day: date | None, date_from: date | None, date_to: date | None, today: date
) -> tuple[date, date]:
    """The days an appointment list covers: one `day`, a period, or today."""
    if day is not None:
        if date_from or date_to:
            refuse_field("day", "give a day or a period (`from`, `to`), not both", "INVALID_PERIOD")
        return day, day
    if date_from is None and date_to is None:
        return today, today
    return period(date_from, date_to)


def check_appointment_open(status: str) -> None:
    """A sheet names an appointment still booked (or already arrived), not a closed one."""
    if status not in ("booked", "arrived"):
        raise Conflict(
            f"cannot arrive a appointment that is {status.replace('_', ' ')}",
            "ILLEGAL_TRANSITION",
            {"status": [status], "action": ["arrive"]},
        )


def check_appointment_for(
    vehicle_matches: bool, site_matches: bool | None = None, field: str = "appointment_id"
) -> None:
    """An appointment named on a sheet or an RO is for the same car (and site)."""
    what = "vehicle" if site_matches is None else "vehicle or site"
    if not vehicle_matches or site_matches is False:
        refuse_field(field, f"the appointment is for another {what}", "APPOINTMENT_MISMATCH")


def check_sheet_unsigned(status: str, action: str) -> None:
    """A signed check-in sheet never changes (nor is it signed twice)."""
    if status == "signed":
        message = (
            "the check-in sheet is already signed"
            if action == "sign"
            else "a signed check-in sheet cannot change"
        )
        raise Conflict(message, "CHECK_IN_SIGNED")


def check_order_sheet(
    *,
    check_in_id: str,
    sheet_vehicle_id: str,
    sheet_site_id: str,
    sheet_status: str,
    used_on: str | None,
    vehicle_id: str,
    site_id: str,
) -> None:
    """An RO opened from a check-in sheet: the sheet is for this car and site, the
    customer signed it, and no other live RO was opened from it."""
    if sheet_vehicle_id != vehicle_id or sheet_site_id != site_id:
        refuse_field(
            "check_in_id", "the check-in sheet is for another vehicle or site", "CHECK_IN_MISMATCH"
        )
    if sheet_status != "signed":
        raise Conflict(
            "the check-in sheet is not signed yet",
            "CHECK_IN_NOT_SIGNED",
            {"check_in_id": [check_in_id]},
        )
    if used_on:
        raise Conflict(
            f"the check-in sheet is already on {used_on}",
            "CHECK_IN_USED",
            {"check_in_id": [check_in_id]},
        )


# ---------------------------------------------------------------- repair orders


def check_has_proposed_lines(line_statuses: Collection[str]) -> None:
    """An RO goes to the customer only with a line for them to approve."""
    if "proposed" not in line_statuses:
        raise Conflict(
            "the repair order has no line for the customer to approve", "ORDER_HAS_NO_LINES"
        )


def check_line_to_be_confirmed(status: str, line_id: str) -> None:
    if status != "to_be_confirmed":
        raise Conflict(
            f"line {line_id} is {status}, not waiting for confirmation",
            "LINE_NOT_TO_BE_CONFIRMED",
            {"line_id": [line_id]},
        )


def check_cancellable(status: str, work_started: bool, parts_issued: bool) -> None:
    """An approved RO is cancelled only before any clocking or issue."""
    if work_started or parts_issued:
        raise Conflict(
            "work has started or parts were issued: finish or return them first",
            "WORK_STARTED",
            {"status": [status]},
        )


def check_work_pending(status: str, work_id: str) -> None:
    """Additional work is decided once."""
    if status != "pending":
        raise Conflict(
            f"additional work {work_id} is already {status}",
            "ADDITIONAL_WORK_DECIDED",
            {"status": [status]},
        )


# ---------------------------------------------------------------- settlement


def check_no_pending_discount(discount_status: str) -> None:
    """No payment is taken and nothing is settled while a discount above the advisor's
    limit waits for a supervisor: the amount due is not known yet."""
    if discount_status == "pending":
        raise Conflict("a discount is waiting for a supervisor", "DISCOUNT_PENDING")


def check_discount_waiting(discount_status: str) -> None:
    """Only a pending discount can be approved."""
    if discount_status != "pending":
        raise Conflict("no discount is waiting for approval", "NO_PENDING_DISCOUNT")


def granted_discount_status(amount: Decimal, decision: str) -> str:
    """A zero discount clears it; else it applies or waits (`discount_decision`)."""
    return decision if amount else "none"


def check_settled(exit_pass_number: str | None, status: str) -> None:
    if not exit_pass_number:
        raise Conflict("the repair order is not settled", "NOT_SETTLED", {"status": [status]})


__all__ = [
    "appointment_days",
    "check_appointment_for",
    "check_appointment_open",
    "check_cancellable",
    "check_discount_waiting",
    "check_has_proposed_lines",
    "check_imported_site",
    "check_line_to_be_confirmed",
    "check_lookup",
    "check_no_pending_discount",
    "check_open_recommendation",
    "check_operation",
    "check_order_sheet",
    "check_quote",
    "check_rate",
    "check_settled",
    "check_sheet_unsigned",
    "check_site",
    "check_vin_free",
    "check_work_pending",
    "field_error",
    "granted_discount_status",
    "period",
    "refuse_field",
    "within",
]
