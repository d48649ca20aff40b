"""The parts refusals that used to live in the entrypoints, as plain rules: receiving,
claims, sales, transfers, the catalog, requisitions and stock movements (no broker,
no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from aftersales_core.errors import Conflict, NotFound, ValidationFailed
from aftersales_parts import domain
from aftersales_parts.domain import LineState


def _refused(kind: type[Exception], code: str, call, *args, **kwargs):  # type: ignore[no-untyped-def]
    with pytest.raises(kind) as caught:
        call(*args, **kwargs)
    assert caught.value.code == code, caught.value
    return caught.value


# ---------------------------------------------------------------- requisitions


def test_an_event_names_its_site_and_each_line_once() -> None:
    domain.check_requested("site-pudong", ["ln-1", "ln-2"])
    _refused(ValidationFailed, "BAD_EVENT", domain.check_requested, None, ["ln-1"])
    _refused(ValidationFailed, "BAD_EVENT", domain.check_requested, "site-pudong", ["a", "a"])
    assert domain.check_cancelled_event("ro-1") == "ro-1"
    for bad in (None, "", 7):
        _refused(ValidationFailed, "BAD_EVENT", domain.check_cancelled_event, bad)


def test_lines_of_a_request_are_the_requisitions_and_named_once() -> None:
    domain.check_open("open")
    _refused(Conflict, "REQUISITION_CLOSED", domain.check_open, "closed")
    seen: set[str] = set()
    domain.check_line_choice(0, "ln-1", True, seen)
    error = _refused(
        ValidationFailed, "UNKNOWN_LINE", domain.check_line_choice, 1, "x", False, seen
    )
    assert error.fields == {"lines": {"1": {"line_id": ["not on this requisition"]}}}
    seen.add("ln-1")
    _refused(ValidationFailed, "DUPLICATE_LINE", domain.check_line_choice, 2, "ln-1", True, seen)
    error = _refused(
        ValidationFailed, "DUPLICATE_LINE", domain.check_no_repeats, ["A", "A"], "part"
    )
    assert error.fields == {"lines": ["a part appears twice"]}


def test_a_refusal_about_a_line_is_placed_under_it() -> None:
    line = LineState(D("1"), reserved=D("1"), issued=D("0"), returned=D("0"), backordered=D("0"))
    with pytest.raises(Conflict) as caught, domain.at_line(3):
        domain.check_issue(line, D("2"), "customer", None)
    assert caught.value.fields == {"lines": {"3": {"quantity": ["at most 1"]}}}


def test_a_cancel_takes_at_most_what_is_not_issued() -> None:
    line = LineState(D("3"), reserved=D("1"), issued=D("1"), returned=D("0"), backordered=D("1"))
    assert domain.cancel_quantity(line, None) == D("2")
    assert domain.cancel_quantity(line, D("1")) == D("1")
    error = _refused(Conflict, "NOTHING_TO_CANCEL", domain.cancel_quantity, line, D("3"))
    assert error.fields == {"quantity": ["at most 2"]}


def test_old_part_dispositions_are_the_vocabularys_and_the_old_spelling_is_mapped() -> None:
    assert [domain.disposition(v) for v in ("scrapped", "kept_for_warranty")] == [
        "scrap",
        "keep_for_warranty",
    ]
    assert domain.disposition("returned_to_customer") == "return_to_customer"
    assert domain.disposition("scrap") == "scrap" and domain.disposition(None) is None
    line = LineState(D("1"), reserved=D("1"), issued=D("0"), returned=D("0"), backordered=D("0"))
    domain.check_issue(line, D("1"), "customer", "return_to_customer")
    _refused(ValidationFailed, "INVALID_OLD_PART", domain.check_issue, line, D("1"), "customer",
             "scrapped")  # fmt: skip


# ---------------------------------------------------------------- stock movements


def test_stock_never_goes_below_zero_and_a_shelf_holds_at_most_10_to_the_12() -> None:
    domain.check_on_hand(D("2"), D("2"))
    _refused(Conflict, "INSUFFICIENT_STOCK", domain.check_on_hand, D("2"), D("3"))
    domain.check_item_value(D(10) ** 12 - 1)
    _refused(ValidationFailed, "VALUE_TOO_LARGE", domain.check_item_value, D(10) ** 12)


def test_warehouses_hold_their_own_class_and_freeze_while_counted() -> None:
    domain.check_warehouse_kind("wh-1", "main", "main")
    _refused(Conflict, "WRONG_WAREHOUSE", domain.check_warehouse_kind, "wh-1", "defective", "main")
    domain.check_holds_class("wh-1", "主库", "main", "usable")
    _refused(Conflict, "WRONG_WAREHOUSE", domain.check_holds_class, "wh-1", "主库", "main",
             "defective")  # fmt: skip
    domain.check_not_counting(None)
    _refused(Conflict, "STOCKTAKE_IN_PROGRESS", domain.check_not_counting, "wh-1")
    domain.check_new_warehouse("主库", False)
    _refused(Conflict, "WAREHOUSE_EXISTS", domain.check_new_warehouse, "主库", True)


def test_relocations_write_offs_and_bins() -> None:
    domain.check_relocation(("wh-1", "A"), ("wh-1", "B"))
    _refused(ValidationFailed, "SAME_BIN", domain.check_relocation, ("wh-1", "A"), ("wh-1", "A"))
    domain.check_write_off("supplier_return", "defective", D("1"), D("1"))
    _refused(ValidationFailed, "INVALID_MOVEMENT", domain.check_write_off, "supplier_return",
             "usable", D("1"), D("5"))  # fmt: skip
    _refused(Conflict, "INSUFFICIENT_STOCK", domain.check_write_off, "scrap", "usable", D("6"),
             D("5"))  # fmt: skip
    assert domain.require_bin("A-01", "X") == "A-01"
    error = _refused(ValidationFailed, "BIN_REQUIRED", domain.require_bin, None, "X")
    assert error.fields == {"bin": ["required for a part new to the warehouse"]}


# ---------------------------------------------------------------- purchasing and receiving


def test_an_order_needs_a_supplier_lines_once_and_something_to_order() -> None:
    assert domain.require_supplier("sup") == "sup"
    _refused(ValidationFailed, "NO_SUPPLIER", domain.require_supplier, None)
    _refused(Conflict, "NOTHING_TO_ORDER", domain.check_proposal, [])
    seen: set[str] = set()
    domain.check_unique_part(0, "A", seen)
    error = _refused(ValidationFailed, "DUPLICATE_LINE", domain.check_unique_part, 1, "A", seen)
    assert error.fields == {"lines": {"1": {"part_number": ["appears twice"]}}}


def test_a_notice_out_of_range_is_named_and_a_shipment_received_once() -> None:
    good = {"line_no": 1, "quantity_shipped": D("2"), "unit_cost": D("10")}
    assert domain.notice_problem([good]) is None
    assert domain.notice_problem([{**good, "quantity_shipped": D("0")}]) == (
        "line 1: quantity shipped out of range"
    )
    assert domain.notice_problem([{**good, "unit_cost": D("-1")}]) == (
        "line 1: unit cost out of range"
    )
    domain.check_shipment("shp-1", "in_transit")
    _refused(Conflict, "SHIPMENT_RECEIVED", domain.check_shipment, "shp-1", "received")


def test_receipt_lines_are_the_orders_once_each() -> None:
    domain.check_receipt_lines([1, 2], {1, 2, 3})
    error = _refused(ValidationFailed, "UNKNOWN_LINE", domain.check_receipt_lines, [1, 1], {1})
    assert error.fields == {"lines": {"1": {"line_no": ["not on this order, or twice"]}}}
    _refused(ValidationFailed, "UNKNOWN_LINE", domain.check_receipt_lines, [4], {1})


def test_a_claim_covers_rejected_parts_for_a_claimable_reason_once() -> None:
    assert domain.check_claim_line(0, True, "damaged", D("1"), D("2"), D("1")) == "damaged"
    _refused(ValidationFailed, "UNKNOWN_LINE", domain.check_claim_line, 0, False, None, D("1"),
             D("0"), D("0"))  # fmt: skip
    _refused(ValidationFailed, "NOT_CLAIMABLE", domain.check_claim_line, 0, True, "excess",
             D("1"), D("2"), D("0"))  # fmt: skip
    error = _refused(Conflict, "OVER_CLAIM", domain.check_claim_line, 2, True, "quality", D("2"),
                     D("2"), D("1"))  # fmt: skip
    assert error.fields == {"lines": {"2": {"quantity": ["at most 1"]}}}
    assert domain.credited(True, D("50.00"), None) == D("50.00")
    assert domain.credited(True, D("50.00"), D("20.00")) == D("20.00")
    assert domain.credited(False, D("50.00"), None) is None
    _refused(ValidationFailed, "OVER_CREDIT", domain.credited, True, D("50.00"), D("50.01"))
    _refused(ValidationFailed, "VALIDATION_ERROR", domain.credited, False, D("50.00"), D("1"))


# ---------------------------------------------------------------- stocktake


def test_one_count_at_a_time_and_every_line_counted_before_approval() -> None:
    domain.check_no_open_count(None)
    _refused(Conflict, "STOCKTAKE_OPEN", domain.check_no_open_count, "st-1")
    lines = [
        domain.CountLine("A", "X", D("2"), D("2"), D("1")),
        domain.CountLine("B", "Y", D("1"), None, D("1")),
    ]
    error = _refused(Conflict, "UNCOUNTED_LINES", domain.check_all_counted, lines)
    assert error.fields == {"lines": ["B/Y"]}
    domain.check_all_counted(lines[:1])


# ---------------------------------------------------------------- counter sales, transfers


def test_a_special_order_takes_a_deposit_never_more_than_the_sale() -> None:
    domain.check_sale(D("100.00"), D("0.00"), False)
    domain.check_sale(D("100.00"), D("20.00"), True)
    _refused(ValidationFailed, "DEPOSIT_REQUIRED", domain.check_sale, D("100"), D("0"), True)
    _refused(ValidationFailed, "DEPOSIT_TOO_HIGH", domain.check_sale, D("100"), D("101"), False)
    _refused(ValidationFailed, "TOTAL_TOO_LARGE", domain.check_sale, D(10) ** 10, D("0"), False)
    domain.check_payment(D("80.00"), D("80.00"))
    error = _refused(ValidationFailed, "PAYMENT_MISMATCH", domain.check_payment, D("1"), D("80"))
    assert error.fields == {"paid": ["the balance due is 80"]}


def test_transfers_stay_in_the_group_ship_free_stock_and_receive_what_was_shipped() -> None:
    domain.check_group_site("site-a", "from_site_id", "grp", "grp")
    _refused(NotFound, "SITE_NOT_FOUND", domain.check_group_site, "site-x", "from_site_id", "grp",
             None)  # fmt: skip
    domain.check_free_to_ship(0, "X", D("2"), D("2"))
    error = _refused(Conflict, "INSUFFICIENT_STOCK", domain.check_free_to_ship, 1, "X", D("3"),
                     D("2"))  # fmt: skip
    assert error.fields == {"lines": {"1": {"quantity": ["at most 2"]}}}
    domain.check_transfer_line(0, True)
    _refused(ValidationFailed, "UNKNOWN_LINE", domain.check_transfer_line, 0, False)
    domain.check_received(0, D("1"), D("1"))
    _refused(Conflict, "OVER_RECEIPT", domain.check_received, 0, D("2"), D("1"))


# ---------------------------------------------------------------- catalog


def test_catalog_rules() -> None:
    assert domain.require_part("part", "X") == "part"
    error = _refused(ValidationFailed, "UNKNOWN_PART", domain.require_part, None, "X", "lines.0")
    assert error.fields == {"lines.0": ["unknown part number X"]}
    domain.check_known_parts([])
    error = _refused(ValidationFailed, "UNKNOWN_PART", domain.check_known_parts, ["A", "B"])
    assert error.fields == {"part_numbers": ["unknown part number A", "unknown part number B"]}
    domain.check_new_part("X", False)
    _refused(Conflict, "PART_EXISTS", domain.check_new_part, "X", True)
    domain.check_supplier_id("sup", None, "grp")
    domain.check_supplier_id("sup", "grp", "grp")
    _refused(Conflict, "SUPPLIER_TAKEN", domain.check_supplier_id, "sup", "other", "grp")


def test_supersession_never_replaces_a_part_by_itself_or_in_a_circle() -> None:
    chain = {"B": "C", "C": None, "D": "A"}
    domain.check_supersession("A", "B", chain.get)
    _refused(ValidationFailed, "VALIDATION_ERROR", domain.check_supersession, "A", "A", chain.get)
    _refused(ValidationFailed, "SUPERSESSION_LOOP", domain.check_supersession, "A", "D", chain.get)


def test_a_price_change_changes_something_and_never_sells_below_cost() -> None:
    domain.check_price_change((D("15"), D("10")), (D("16"), D("10")))
    _refused(ValidationFailed, "PRICE_BELOW_COST", domain.check_price_change,
             (D("15"), D("10")), (D("9"), D("10")))  # fmt: skip
    _refused(Conflict, "NO_CHANGE", domain.check_price_change, (D("15"), D("10")),
             (D("15"), D("10")))  # fmt: skip
