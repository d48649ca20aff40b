"""The entrypoints' refusals as plain rules (domain/checks.py), without a broker or a
database: the check-in rules of opening an RO, settlement's pending-discount rules, the
sites of the reference data, quotes, lines and periods."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from aftersales_core.errors import Conflict, ValidationFailed
from aftersales_reception import domain

SHEET = {
    "check_in_id": "chk-1",
    "sheet_vehicle_id": "veh-1",
    "sheet_site_id": "site-pudong",
    "sheet_status": "signed",
    "used_on": None,
    "vehicle_id": "veh-1",
    "site_id": "site-pudong",
}


# ---------------------------------------------------------------- opening an RO from a sheet


def test_a_signed_unused_sheet_of_the_car_and_site_opens_an_order() -> None:
    domain.check_order_sheet(**SHEET)


@pytest.mark.parametrize("field", ["vehicle_id", "site_id"])
def test_a_sheet_of_another_car_or_site_is_a_400_on_check_in_id(field: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.check_order_sheet(**{**SHEET, field: "other"})
    assert caught.value.code == "CHECK_IN_MISMATCH"
    assert caught.value.fields == {
        "check_in_id": ["the check-in sheet is for another vehicle or site"]
    }


def test_an_unsigned_sheet_or_one_already_on_a_live_order_is_a_409() -> None:
    with pytest.raises(Conflict) as caught:
        domain.check_order_sheet(**{**SHEET, "sheet_status": "draft"})
    assert (caught.value.code, caught.value.fields) == (
        "CHECK_IN_NOT_SIGNED", {"check_in_id": ["chk-1"]})  # fmt: skip
    with pytest.raises(Conflict) as caught:
        domain.check_order_sheet(**{**SHEET, "used_on": "ro-7"})
    assert caught.value.code == "CHECK_IN_USED" and "ro-7" in caught.value.message
    # the mismatch is told first: it is the caller's mistake, not the sheet's state
    with pytest.raises(ValidationFailed):
        domain.check_order_sheet(**{**SHEET, "site_id": "x", "sheet_status": "draft"})


def test_an_appointment_must_be_for_the_same_car_and_site() -> None:
    domain.check_appointment_for(True)
    domain.check_appointment_for(True, True)
    with pytest.raises(ValidationFailed) as caught:
        domain.check_appointment_for(False)
    assert caught.value.fields == {"appointment_id": ["the appointment is for another vehicle"]}
    with pytest.raises(ValidationFailed) as caught:
        domain.check_appointment_for(True, False)
    assert caught.value.message == "the appointment is for another vehicle or site"
    assert caught.value.code == "APPOINTMENT_MISMATCH"


def test_a_sheet_names_an_open_appointment_and_never_changes_once_signed() -> None:
    for status in ("booked", "arrived"):
        domain.check_appointment_open(status)
    with pytest.raises(Conflict) as caught:
        domain.check_appointment_open("cancelled")
    assert caught.value.code == "ILLEGAL_TRANSITION"
    domain.check_sheet_unsigned("draft", "change")
    for action, message in (("change", "cannot change"), ("sign", "already signed")):
        with pytest.raises(Conflict) as caught:
            domain.check_sheet_unsigned("signed", action)
        assert caught.value.code == "CHECK_IN_SIGNED" and message in caught.value.message


# ---------------------------------------------------------------- settlement


def test_nothing_is_paid_or_settled_while_a_discount_waits() -> None:
    for status in ("none", "approved"):
        domain.check_no_pending_discount(status)
    with pytest.raises(Conflict) as caught:
        domain.check_no_pending_discount("pending")
    assert caught.value.code == "DISCOUNT_PENDING"


def test_only_a_pending_discount_is_approved() -> None:
    domain.check_discount_waiting("pending")
    for status in ("none", "approved"):
        with pytest.raises(Conflict) as caught:
            domain.check_discount_waiting(status)
        assert caught.value.code == "NO_PENDING_DISCOUNT"


def test_a_zero_discount_clears_it() -> None:
    assert domain.granted_discount_status(Decimal("0"), "approved") == "none"
    assert domain.granted_discount_status(Decimal("10.00"), "pending") == "pending"
    assert domain.granted_discount_status(Decimal("10.00"), "approved") == "approved"


def test_an_exit_pass_only_when_settled() -> None:
    domain.check_settled("EP-X", "settled")
    with pytest.raises(Conflict) as caught:
        domain.check_settled(None, "ready_for_delivery")
    assert (caught.value.code, caught.value.fields) == (
        "NOT_SETTLED", {"status": ["ready_for_delivery"]})  # fmt: skip


# ---------------------------------------------------------------- orders and lines


def test_order_steps_refused_by_their_state() -> None:
    domain.check_has_proposed_lines({"proposed", "declined"})
    with pytest.raises(Conflict, match="no line"):
        domain.check_has_proposed_lines({"to_be_confirmed"})
    domain.check_line_to_be_confirmed("to_be_confirmed", "ln-1")
    with pytest.raises(Conflict) as caught:
        domain.check_line_to_be_confirmed("approved", "ln-1")
    assert caught.value.fields == {"line_id": ["ln-1"]}
    domain.check_cancellable("approved", False, False)
    for started, issued in ((True, False), (False, True)):
        with pytest.raises(Conflict) as caught:
            domain.check_cancellable("approved", started, issued)
        assert caught.value.code == "WORK_STARTED"
    domain.check_work_pending("pending", "aw-1")
    with pytest.raises(Conflict) as caught:
        domain.check_work_pending("declined", "aw-1")
    assert caught.value.code == "ADDITIONAL_WORK_DECIDED"


def test_operations_and_rates_are_refused_on_the_lines_field() -> None:
    domain.check_operation(True, [], "朗逸", "MNT-10K", "lines.0.operation_code")
    domain.check_operation(True, ["朗逸"], "朗逸", "MNT-10K", "lines.0.operation_code")
    with pytest.raises(ValidationFailed) as caught:
        domain.check_operation(False, None, "朗逸", "NOPE", "lines.2.operation_code")
    assert caught.value.code == "OPERATION_UNKNOWN"
    assert caught.value.fields == {
        "lines": {"2": {"operation_code": ["NOPE is not in the labor-time catalog"]}}
    }
    with pytest.raises(ValidationFailed) as caught:
        domain.check_operation(True, ["途观L"], "朗逸", "X", "operations.0")
    assert caught.value.code == "OPERATION_NOT_FOR_MODEL"
    assert domain.check_rate(Decimal("180.00"), "customer", "lines.0.payer") == Decimal("180.00")
    with pytest.raises(ValidationFailed) as caught:
        domain.check_rate(None, "insurance", "lines.1.payer")
    assert caught.value.code == "LABOR_RATE_MISSING"


def test_quotes_name_the_unknown_part_on_its_line() -> None:
    domain.check_quote(["A", "B"], {"A", "B"}, "lines")
    with pytest.raises(ValidationFailed) as caught:
        domain.check_quote(["A", "B"], {"A"}, "lines", positions=[1, 3])
    assert caught.value.code == "PART_UNKNOWN"
    assert caught.value.fields == {
        "lines": {"3": {"part_number": ["B is not in the parts catalog"]}}
    }
    said = ["unknown part number B"]
    with pytest.raises(ValidationFailed) as caught:
        domain.check_quote(["A", "B"], set(), "parts", refusal=("unknown part number: B", said))
    assert list(caught.value.fields["parts"]) == ["1"]
    with pytest.raises(ValidationFailed) as caught:
        domain.check_quote(["A"], set(), "parts", refusal=("site closed", []))
    assert caught.value.code == "PART_QUOTE_REFUSED"


# ---------------------------------------------------------------- reference data and look-ups


def test_sites_are_known_from_the_import_and_of_the_group() -> None:
    domain.check_site("grp-a", "grp-a", "site-1", "site_id")
    for known in (None, "grp-b"):
        with pytest.raises(ValidationFailed) as caught:
            domain.check_site(known, "grp-a", "site-1", "labor_rates.0.site_id")
        assert caught.value.code == "SITE_UNKNOWN"
        assert list(caught.value.fields["labor_rates"]["0"]) == ["site_id"]
    domain.check_imported_site(0, "site-1", "grp-a", None, "grp-a")
    domain.check_imported_site(0, "site-1", "grp-a", "grp-a", "grp-a")
    for listed, known, field in (("grp-b", None, "group_id"), ("grp-a", "grp-b", "site_id")):
        with pytest.raises(ValidationFailed) as caught:
            domain.check_imported_site(2, "site-1", listed, known, "grp-a")
        assert caught.value.code == "SITE_OF_ANOTHER_GROUP"
        assert list(caught.value.fields["sites"]["2"]) == [field]


def test_an_imported_entrys_refusal_points_at_the_entry() -> None:
    with pytest.raises(ValidationFailed) as caught:
        with domain.within("labor operation X", "labor_operations", 4):
            domain.hours("0.05")
    assert caught.value.message.startswith("labor operation X: ")
    assert list(caught.value.fields["labor_operations"]["4"]) == ["standard_hours"]


def test_look_ups_need_something_to_look_for() -> None:
    domain.check_lookup("LSV", None)
    domain.check_lookup(None, "沪A·12345")
    with pytest.raises(ValidationFailed) as caught:
        domain.check_lookup(None, "")
    assert caught.value.code == "LOOKUP_EMPTY"
    domain.check_vin_free(False, "LSV")
    with pytest.raises(Conflict) as caught:
        domain.check_vin_free(True, "LSV")
    assert caught.value.fields == {"vin": ["LSV"]}


def test_periods_and_appointment_days() -> None:
    today, d1, d2 = date(2026, 12, 2), date(2026, 12, 1), date(2026, 12, 9)
    assert domain.appointment_days(None, None, None, today) == (today, today)
    assert domain.appointment_days(d1, None, None, today) == (d1, d1)
    assert domain.appointment_days(None, d1, d2, today) == (d1, d2)
    assert domain.appointment_days(None, d1, None, today) == (d1, date.max)
    assert domain.period(None, d2) == (date.min, d2)
    with pytest.raises(ValidationFailed) as caught:
        domain.appointment_days(None, d2, d1, today)
    assert (caught.value.code, list(caught.value.fields)) == ("INVALID_PERIOD", ["to"])
    with pytest.raises(ValidationFailed) as caught:
        domain.appointment_days(d1, d1, None, today)
    assert list(caught.value.fields) == ["day"]


def test_a_local_days_bounds_are_china_time() -> None:
    start, end = domain.start_of_local_day(d := date(2026, 12, 2)), domain.end_of_local_day(d)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-12-01T16:00:00+00:00", "2026-12-02T16:00:00+00:00")  # fmt: skip


def test_periods_and_slots_stay_within_a_dealers_calendar() -> None:
    for name, bounds in (("from", (date(1, 1, 1), None)), ("to", (None, date(9999, 12, 31)))):
        with pytest.raises(ValidationFailed) as caught:
            domain.period(*bounds)
        assert (caught.value.code, list(caught.value.fields)) == ("INVALID_PERIOD", [name])
    now = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    domain.check_slot(now + timedelta(days=365), now)
    with pytest.raises(ValidationFailed) as caught:
        domain.check_slot(now + timedelta(days=400), now)
    assert caught.value.code == "SLOT_TOO_FAR"
    with pytest.raises(ValidationFailed) as caught:
        domain.check_slot(datetime(1, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))), now)
    assert caught.value.code == "SLOT_IN_PAST"


def test_a_promised_time_is_within_a_year() -> None:
    now = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    for promised in (None, now + timedelta(hours=5), now - timedelta(days=2)):
        domain.check_promise(promised, now)
    for promised in (now + timedelta(days=400), datetime(1, 1, 2, tzinfo=UTC)):
        with pytest.raises(ValidationFailed) as caught:
            domain.check_promise(promised, now)
        assert (caught.value.code, list(caught.value.fields)) == (
            "PROMISE_OUT_OF_RANGE", ["promised_at"])  # fmt: skip
