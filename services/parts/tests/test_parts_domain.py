"""The parts rules on worked examples computed by hand (no broker, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

import pytest

from aftersales_core.errors import Conflict, ValidationFailed
from aftersales_parts import domain
from aftersales_parts.domain import (
    CountLine,
    LineState,
    Lot,
    PlanningRow,
    Valuation,
    ageing,
    allocate,
    check_issue,
    check_receipt_line,
    check_return,
    excess_reservations,
    fifo,
    months_before,
    normal,
    proposed_quantity,
    reserve,
    split_value,
    transition,
    turnover,
    variance_report,
)


def _t(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


# ---------------------------------------------------------------- moving-average cost


def test_moving_average_worked_example() -> None:
    """Receipts and issues of one part, each line checked by hand.

    | step            | qty | value  | average  |
    | receive 10 @ 40 | 10  | 400.00 | 40.0000  |
    | receive 5 @ 43  | 15  | 615.00 | 41.0000  |  (400 + 215) / 15
    | issue 4         | 11  | 451.00 | 41.0000  |  takes 615 x 4/15 = 164.00
    | receive 9 @45.5 | 20  | 860.50 | 43.0250  |  (451 + 409.50) / 20
    | issue 3         | 17  | 731.42 | 43.0247  |  takes 860.50 x 3/20 = 129.075 -> 129.08
    | issue 17        | 0   | 0.00   | -        |  the last unit out takes what is left
    """
    item = Valuation()
    assert item.receive(D("10"), D("40.00")) == D("400.00")
    assert (item.on_hand, item.value, item.average_cost) == (D("10"), D("400.00"), D("40.0000"))
    assert item.receive(D("5"), D("43.00")) == D("215.00")
    assert (item.on_hand, item.value, item.average_cost) == (D("15"), D("615.00"), D("41.0000"))
    assert item.take(D("4")) == D("164.00")
    assert (item.on_hand, item.value, item.average_cost) == (D("11"), D("451.00"), D("41.0000"))
    assert item.receive(D("9"), D("45.50")) == D("409.50")
    assert (item.on_hand, item.value, item.average_cost) == (D("20"), D("860.50"), D("43.0250"))
    assert item.take(D("3")) == D("129.08")
    assert (item.on_hand, item.value, item.average_cost) == (D("17"), D("731.42"), D("43.0247"))
    assert item.take(D("17")) == D("731.42")
    assert (item.on_hand, item.value, item.average_cost) == (D("0"), D("0.00"), None)


def test_value_of_the_movements_sums_to_the_item_value() -> None:
    """The ledger's value column (signed) always sums to the item's value: 账实相符."""
    item = Valuation()
    ledger = [
        item.receive(D("3"), D("33.33")),
        -item.take(D("1")),
        item.receive(D("7"), D("10.01")),
        -item.take(D("2")),
        -item.take(D("0.5")),
        item.receive(D("1.25"), D("19.99")),
        -item.take(D("4")),
    ]
    assert sum(ledger) == item.value
    assert item.on_hand == D("3.75")
    assert -item.take(D("3.75")) + sum(ledger) == 0


def test_ledger_invariants_hold_over_random_movements() -> None:
    """Over many random sequences of receipts and issues (and refused over-issues):
    the signed quantities and values of the movements sum to the item's on hand and
    value, neither goes negative, and an empty item is worth exactly nothing."""
    import random

    rng = random.Random(20261125)
    for _ in range(300):
        item = Valuation()
        quantities: list[D] = []
        values: list[D] = []
        for _ in range(rng.randint(1, 40)):
            qty = D(rng.randint(1, 5000)) / D(1000) * rng.choice([1, 1, 10])
            if rng.random() < 0.45:
                cost = D(rng.randint(1, 99_999)) / D(100)
                values.append(item.receive(qty, cost))
                quantities.append(qty)
            elif qty <= item.on_hand:
                values.append(-item.take(qty))
                quantities.append(-qty)
            else:
                with pytest.raises(Conflict):
                    item.take(qty)
            assert item.on_hand >= 0 and item.value >= 0
            assert sum(quantities, D(0)) == item.on_hand
            assert sum(values, D(0)) == item.value
            assert item.on_hand > 0 or item.value == 0


def test_on_hand_never_goes_negative() -> None:
    item = Valuation()
    item.receive(D("2"), D("10.00"))
    with pytest.raises(Conflict) as caught:
        item.take(D("3"))
    assert caught.value.code == "INSUFFICIENT_STOCK"
    assert caught.value.fields == {"quantity": ["at most 2"]}
    assert (item.on_hand, item.value) == (D("2"), D("20.00")), "a refused take changes nothing"
    with pytest.raises(ValidationFailed):
        item.receive(D("1"), D("-1.00"))


def test_split_value_puts_the_rounding_on_the_last_part() -> None:
    assert split_value(D("100.00"), [D("1"), D("1"), D("1")]) == [
        D("33.33"),
        D("33.33"),
        D("33.34"),
    ]
    assert split_value(D("129.08"), [D("1"), D("2")]) == [D("43.03"), D("86.05")]
    assert split_value(D("5.00"), [D("4")]) == [D("5.00")]


# ---------------------------------------------------------------- FIFO lots


def test_fifo_takes_the_oldest_receipt_first() -> None:
    lots = [
        Lot(7, _t("2026-02-10"), D("2")),  # same day as lot 4, booked later
        Lot(4, _t("2026-02-10"), D("5")),
        Lot(2, _t("2026-01-05"), D("3")),
        Lot(9, _t("2025-12-01"), D("0")),  # empty: skipped
    ]
    plan = fifo(lots, D("6"))
    assert [(lot.lot_id, qty) for lot, qty in plan] == [(2, D("3")), (4, D("3"))]
    plan = fifo(lots, D("10"))
    assert [(lot.lot_id, qty) for lot, qty in plan] == [(2, D("3")), (4, D("5")), (7, D("2"))]
    with pytest.raises(Conflict) as caught:
        fifo(lots, D("10.5"))
    assert caught.value.code == "INSUFFICIENT_STOCK"
    assert caught.value.fields == {"quantity": ["at most 10"]}


# ---------------------------------------------------------------- reservations


def test_reserve_what_is_available_and_backorder_the_rest() -> None:
    assert reserve(D("5"), D("2"), D("2")) == domain.Split(D("2"), D("0"))
    assert reserve(D("5"), D("2"), D("4")) == domain.Split(D("3"), D("1"))
    assert reserve(D("1"), D("1"), D("1")) == domain.Split(D("0"), D("1"))
    assert reserve(D("0"), D("0"), D("2.5")) == domain.Split(D("0"), D("2.5"))


def test_arrivals_serve_waiting_demands_in_order() -> None:
    waiting = [("bo-1", D("2")), ("bo-2", D("3")), ("bo-3", D("1"))]
    assert allocate(D("4"), waiting) == [("bo-1", D("2")), ("bo-2", D("2"))]
    assert allocate(D("10"), waiting) == waiting
    assert allocate(D("0"), waiting) == []


def test_a_loss_cuts_the_newest_reservations_first() -> None:
    held = [("r-old", D("2")), ("r-mid", D("1")), ("r-new", D("2"))]
    assert excess_reservations(D("5"), held) == []
    assert excess_reservations(D("4"), held) == [("r-new", D("1"))]
    assert excess_reservations(D("1"), held) == [
        ("r-new", D("2")),
        ("r-mid", D("1")),
        ("r-old", D("1")),
    ]


# ---------------------------------------------------------------- issue and return


def test_issue_only_what_the_line_has_reserved() -> None:
    line = LineState(D("3"), reserved=D("2"), issued=D("0"), returned=D("0"), backordered=D("1"))
    assert line.status == "backordered"
    check_issue(line, D("2"), "customer", None)
    with pytest.raises(Conflict) as caught:
        check_issue(line, D("3"), "customer", None)
    assert caught.value.code == "NOT_RESERVED"


def test_a_warranty_part_goes_out_only_against_the_old_part() -> None:
    line = LineState(D("1"), reserved=D("1"), issued=D("0"), returned=D("0"), backordered=D("0"))
    with pytest.raises(ValidationFailed) as caught:
        check_issue(line, D("1"), "warranty", None)
    assert caught.value.code == "OLD_PART_REQUIRED"
    with pytest.raises(ValidationFailed):
        check_issue(line, D("1"), "warranty", "scrap")
    check_issue(line, D("1"), "warranty", "keep_for_warranty")
    with pytest.raises(ValidationFailed):
        check_issue(line, D("1"), "customer", "eaten")


def test_return_at_most_what_was_issued() -> None:
    line = LineState(D("4"), reserved=D("0"), issued=D("4"), returned=D("1"), backordered=D("0"))
    assert line.status == "issued"
    check_return(line, D("3"))
    with pytest.raises(Conflict) as caught:
        check_return(line, D("3.5"))
    assert caught.value.code == "NOT_ISSUED"
    assert LineState(D("2"), D("0"), D("2"), D("2"), D("0")).status == "returned"
    assert LineState(D("2"), D("1"), D("1"), D("0"), D("0")).status == "partly_issued"
    assert LineState(D("2"), D("2"), D("0"), D("0"), D("0")).status == "reserved"
    assert LineState(D("2"), D("0"), D("0"), D("0"), D("0"), D("2")).status == "cancelled"


# ---------------------------------------------------------------- min/max proposal


@pytest.mark.parametrize(
    ("on_hand", "reserved", "on_order", "waiting", "min_qty", "max_qty", "expected"),
    [
        # position 5 - 2 = 3 < min 4: order up to 12 -> 9
        ("5", "2", "0", "0", "4", "12", "9"),
        # position 4 is not below min 4: nothing
        ("6", "2", "0", "0", "4", "12", "0"),
        # an open order counts: 1 + 6 = 7 >= 4
        ("1", "0", "6", "0", "4", "12", "0"),
        # a back order waits on the open order: 0 + 2 - 5 = -3 < 2 -> up to 6 = 9
        ("0", "0", "2", "5", "2", "6", "9"),
        # no min/max, but waiting demand not covered by any order: buy the gap
        ("0", "0", "2", "5", None, None, "3"),
        # no min/max, nothing waiting: nothing
        ("3", "1", "0", "0", None, None, "0"),
        # fractional stock (litres) rounds the order up to a whole unit
        ("1.5", "0", "0", "0", "2", "4", "3"),
    ],
)
def test_min_max_proposal(
    on_hand: str,
    reserved: str,
    on_order: str,
    waiting: str,
    min_qty: str | None,
    max_qty: str | None,
    expected: str,
) -> None:
    row = PlanningRow(
        "04E115561H",
        D(on_hand),
        D(reserved),
        D(on_order),
        D(waiting),
        D(min_qty) if min_qty else None,
        D(max_qty) if max_qty else None,
    )
    assert proposed_quantity(row) == D(expected)


def test_min_max_must_make_sense() -> None:
    domain.check_min_max(D("0"), D("1"))
    for low, high in (("-1", "5"), ("5", "4"), ("0", "0")):
        with pytest.raises(ValidationFailed) as caught:
            domain.check_min_max(D(low), D(high))
        assert caught.value.code == "INVALID_MIN_MAX"


# ---------------------------------------------------------------- receiving


def test_receiving_counted_accepted_rejected() -> None:
    check = check_receipt_line(
        outstanding=D("10"),
        expected=D("10"),
        counted=D("9"),
        accepted=D("8"),
        rejected=D("1"),
        reason="damaged",
    )
    assert check.variance == D("-1")
    with pytest.raises(ValidationFailed) as caught:
        check_receipt_line(
            outstanding=D("10"),
            expected=D("10"),
            counted=D("9"),
            accepted=D("9"),
            rejected=D("1"),
            reason="damaged",
        )
    assert caught.value.code == "RECEIPT_MISMATCH"
    with pytest.raises(ValidationFailed) as caught:
        check_receipt_line(
            outstanding=D("10"),
            expected=D("10"),
            counted=D("10"),
            accepted=D("9"),
            rejected=D("1"),
            reason=None,
        )
    assert caught.value.code == "REASON_REQUIRED"
    with pytest.raises(Conflict) as caught:
        check_receipt_line(
            outstanding=D("2"),
            expected=D("2"),
            counted=D("3"),
            accepted=D("3"),
            rejected=D("0"),
            reason=None,
        )
    assert caught.value.code == "OVER_RECEIPT"
    excess = check_receipt_line(
        outstanding=D("2"),
        expected=D("2"),
        counted=D("3"),
        accepted=D("2"),
        rejected=D("1"),
        reason="excess",
    )
    assert excess.variance == D("1")


# ---------------------------------------------------------------- stocktake


def test_variance_report() -> None:
    lines = [
        CountLine("A-01-01", "04E115561H", D("60"), D("58"), D("28.00")),  # -2 x 28 = -56
        CountLine("A-02-01", "G052195M4", D("48"), D("48"), D("260.00")),
        CountLine("A-03-01", "04E129620", D("20"), D("21"), D("52.00")),  # +1 x 52 = +52
        CountLine("A-04-01", "5Q0819653", D("24"), None, D("45.00")),  # not counted yet
    ]
    report = variance_report(lines)
    assert report == {
        "lines": 4,
        "counted": 3,
        "uncounted": 1,
        "with_variance": 2,
        # 60x28 + 48x260 + 20x52 + 24x45 = 1680 + 12480 + 1040 + 1080
        "book_value": D("16280.00"),
        "gain_value": D("52.00"),
        "loss_value": D("-56.00"),
        "net_value": D("-4.00"),
        "accuracy": D("0.3333"),
    }


# ---------------------------------------------------------------- figures


def test_months_before_clamps_to_the_end_of_the_month() -> None:
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)
    assert months_before(date(2026, 3, 15), 12) == date(2025, 3, 15)
    assert months_before(date(2026, 1, 10), 1) == date(2025, 12, 10)


def test_ageing_slow_moving_and_obsolete() -> None:
    as_of = date(2026, 11, 25)
    assert ageing(date(2026, 6, 1), as_of) == "active"
    assert ageing(date(2026, 5, 25), as_of) == "slow_moving"  # exactly 6 months
    assert ageing(date(2025, 11, 26), as_of) == "slow_moving"
    assert ageing(date(2025, 11, 25), as_of) == "obsolete"  # exactly 12 months
    assert ageing(None, as_of) == "obsolete"


def test_turnover_is_annualised() -> None:
    # 30 days: 1 000 issued at cost, average stock 6 083.33 -> 12 166.67 a year / 6 083.33 = 2
    assert turnover(D("1000.00"), D("6083.33"), 30) == D("2.00")
    assert turnover(D("45000"), D("10000"), 365) == D("4.50")
    assert turnover(D("100"), D("0"), 30) == D("0.00")
    assert domain.share(D("2"), D("3")) == D("0.6667")
    assert domain.share(D("0"), D("0")) == D("0.0000")


# ---------------------------------------------------------------- numbers and states


def test_quantities_are_positive_to_a_thousandth() -> None:
    assert domain.quantity("2") == D("2.000")
    assert domain.quantity("1.5") == D("1.500")
    for bad in ("0", "-1", "0.0001", "abc", "NaN", "Infinity", "1e400", "1000001"):
        with pytest.raises(ValidationFailed) as caught:
            domain.quantity(bad)
        assert caught.value.code == "INVALID_QUANTITY"
    assert normal(D("2.000")) == "2" and normal(D("1.500")) == "1.5" and normal(D("0")) == "0"


def test_state_machines_refuse_illegal_transitions() -> None:
    assert transition("purchase_order", "draft", "send") == "sent"
    assert transition("purchase_order", "sent", "receive_part") == "partly_received"
    with pytest.raises(Conflict) as caught:
        transition("purchase_order", "received", "cancel")
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert caught.value.fields == {"status": ["received"]}
    assert transition("stocktake", "counted", "approve") == "approved"
    with pytest.raises(Conflict):
        transition("stocktake", "counting", "approve")
    assert transition("transfer", "requested", "ship") == "shipped"
    with pytest.raises(Conflict):
        transition("transfer", "received", "ship")
    with pytest.raises(Conflict):
        transition("counter_sale", "completed", "cancel")


# ---------------------------------------------------------------- input fields


def test_money_and_quantity_fields_refuse_rather_than_round() -> None:
    from aftersales_contracts.api.parts import CounterSaleIn, PartIn
    from aftersales_core.validation import load

    part = {"part_number": "X-1", "name": "测试件", "cost": "1", "price": "2.5"}
    loaded = load(PartIn(), part)
    assert (loaded["cost"], loaded["price"]) == (D("1.00"), D("2.50"))
    assert PartIn().dump(loaded)["price"] == "2.50"
    for bad, message in (
        ("1.005", "an amount to at most 2 decimal places"),
        ("-1", "an amount must be at least 0"),
        ("100000000.01", "an amount must be less than 100000000"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            load(PartIn(), {**part, "cost": bad})
        assert caught.value.fields == {"cost": [message]}
    sale = {"site_id": "site-pudong", "customer_name": "刘女士", "phone": "13761234567",
            "lines": [{"part_number": "X-1", "quantity": "1.5"}]}  # fmt: skip
    assert load(CounterSaleIn(), sale)["lines"][0]["quantity"] == D("1.500")
    for bad, message in (
        ("0", "a quantity must be more than 0"),
        ("1.0001", "a quantity to at most 3 decimal places"),
        ("1000000.001", "a quantity must be less than 100000"),
        (True, "a quantity must be a decimal string"),
        ("1e400", "a quantity must be less than 100000"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            load(CounterSaleIn(), {**sale, "lines": [{"part_number": "X-1", "quantity": bad}]})
        assert caught.value.fields == {"lines": {0: {"quantity": [message]}}}, bad
