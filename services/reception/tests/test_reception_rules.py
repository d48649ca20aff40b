"""Reception's rules in plain Python: state machines, workshop progress, pricing with split
payers and tax, discounts within a role's authority, payments, numbering and dates.

Worked examples are computed by hand in the comments next to them.
"""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from aftersales_contracts.api.reception_orders import DiscountIn, PaymentIn
from aftersales_core.errors import Conflict, Forbidden, ValidationFailed
from aftersales_core.validation import load
from aftersales_reception import domain
from aftersales_reception.domain import JobFact, PricedLine, QcFact

D = Decimal
T0 = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


# ---------------------------------------------------------------- repair-order state machine

LEGAL = {
    ("draft", "send_for_approval"): "awaiting_approval",
    ("awaiting_approval", "revise"): "draft",
    ("awaiting_approval", "approve"): "approved",
    ("draft", "cancel"): "cancelled",
    ("awaiting_approval", "cancel"): "cancelled",
    ("approved", "cancel"): "cancelled",
    ("ready_for_delivery", "settle"): "settled",
    ("settled", "deliver"): "delivered",
}


@pytest.mark.parametrize(
    ("status", "action"), list(itertools.product(domain.ORDER_STATUSES, domain.ORDER_TRANSITIONS))
)
def test_every_order_transition_is_legal_or_a_409(status: str, action: str) -> None:
    if (status, action) in LEGAL:
        assert domain.order_transition(status, action) == LEGAL[(status, action)]
        return
    with pytest.raises(Conflict) as caught:
        domain.order_transition(status, action)
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert caught.value.fields == {"status": [status], "action": [action]}


def test_the_happy_path_walks_every_status() -> None:
    status = "draft"
    for action in ("send_for_approval", "approve"):
        status = domain.order_transition(status, action)
    assert status == "approved"
    # the workshop's events take it to ready_for_delivery (see workshop_status below)
    status = "ready_for_delivery"
    for action in ("settle", "deliver"):
        status = domain.order_transition(status, action)
    assert status == "delivered"
    with pytest.raises(Conflict):
        domain.order_transition("delivered", "cancel")


def test_require_order_status() -> None:
    domain.require_order_status("approved", domain.WORKSHOP_STATUSES, "decide")
    with pytest.raises(Conflict) as caught:
        domain.require_order_status("draft", domain.WORKSHOP_STATUSES, "decide additional work")
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert "draft" in caught.value.message


# ---------------------------------------------------------------- appointments


@pytest.mark.parametrize("action", ["reschedule", "arrive", "cancel", "no_show"])
def test_only_a_booked_appointment_moves(action: str) -> None:
    assert domain.appointment_transition("booked", action) in domain.APPOINTMENT_STATUSES
    for status in ("arrived", "cancelled", "no_show"):
        with pytest.raises(Conflict) as caught:
            domain.appointment_transition(status, action)
        assert caught.value.code == "ILLEGAL_TRANSITION"


def test_capacity_worked_example() -> None:
    # 6 technicians x 8 h = 48 h; 45.5 h booked: 2.5 h fit exactly, 2.6 h do not.
    domain.check_capacity(D("48.0"), D("45.5"), D("2.5"))
    with pytest.raises(Conflict) as caught:
        domain.check_capacity(D("48.0"), D("45.5"), D("2.6"))
    assert caught.value.code == "CAPACITY_EXCEEDED"
    assert caught.value.fields == {"estimated_hours": ["at most 2.5 h free that day"]}
    with pytest.raises(Conflict) as caught:
        domain.check_capacity(D("0"), D("0"), D("0.1"))  # nobody at work that day
    assert caught.value.code == "CAPACITY_EXCEEDED"


def test_slots_and_no_shows() -> None:
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    domain.check_slot(datetime(2026, 11, 24, 16, 0, tzinfo=UTC), now)  # 00:00 today, local
    with pytest.raises(ValidationFailed) as caught:
        domain.check_slot(datetime(2026, 11, 24, 15, 59, tzinfo=UTC), now)  # 23:59 yesterday
    assert caught.value.code == "SLOT_IN_PAST"
    domain.check_no_show(now - timedelta(minutes=1), now)
    with pytest.raises(Conflict) as caught:
        domain.check_no_show(now + timedelta(minutes=1), now)
    assert caught.value.code == "SLOT_NOT_BEGUN"


def test_local_day_is_china_time() -> None:
    assert domain.local_day(datetime(2026, 11, 24, 16, 30, tzinfo=UTC)) == date(2026, 11, 25)
    assert domain.local_day(datetime(2026, 11, 24, 15, 59, tzinfo=UTC)) == date(2026, 11, 24)
    assert domain.start_of_local_day(date(2026, 11, 25)) == datetime(
        2026, 11, 24, 16, 0, tzinfo=UTC
    )


# ---------------------------------------------------------------- workshop progress

LINES = ["ln-1", "ln-2"]


def test_nothing_started_is_approved() -> None:
    assert domain.workshop_status(LINES, [], []) == "approved"
    assert domain.workshop_status(LINES, [JobFact("j1", "ln-1")], []) == "approved"  # dispatched


def test_first_clock_on_is_in_progress() -> None:
    jobs = [JobFact("j1", "ln-1", started_at=at(1))]
    assert domain.workshop_status(LINES, jobs, []) == "in_progress"


def test_ready_only_when_every_line_is_done_and_qc_passed_after() -> None:
    j1 = JobFact("j1", "ln-1", at(1), at(10))
    j2 = JobFact("j2", "ln-2", at(2), at(20))
    passed = QcFact(True, at(30), ("j1", "j2"))
    assert domain.workshop_status(LINES, [j1, j2], [passed]) == "ready_for_delivery"
    # one line still open
    open_j2 = JobFact("j2", "ln-2", at(2), None)
    assert domain.workshop_status(LINES, [j1, open_j2], [passed]) == "in_progress"
    # all done, no QC yet
    assert domain.workshop_status(LINES, [j1, j2], []) == "in_progress"


def test_qc_passed_handled_before_the_job_done_it_follows() -> None:
    """Different queues: the pass may be seen first. The status follows the facts."""
    j1 = JobFact("j1", "ln-1", at(1), at(10))
    j2_started = JobFact("j2", "ln-2", at(2), None)
    passed = QcFact(True, at(30), ("j1", "j2"))
    assert domain.workshop_status(LINES, [j1, j2_started], [passed]) == "in_progress"
    j2_done = JobFact("j2", "ln-2", at(2), at(20))
    assert domain.workshop_status(LINES, [j1, j2_done], [passed]) == "ready_for_delivery"


def test_qc_failed_sends_it_back_until_rework_is_done_and_passed() -> None:
    j1 = JobFact("j1", "ln-1", at(1), at(10))
    j2 = JobFact("j2", "ln-2", at(2), at(20))
    failed = QcFact(False, at(30), ("j2",))
    assert domain.line_done_at("ln-1", [j1, j2], [failed]) == at(10)
    assert domain.line_done_at("ln-2", [j1, j2], [failed]) is None  # sent back
    assert domain.workshop_status(LINES, [j1, j2], [failed]) == "in_progress"
    # an earlier pass does not count against a later failure
    early_pass = QcFact(True, at(25), ("j1", "j2"))
    assert domain.workshop_status(LINES, [j1, j2], [early_pass, failed]) == "in_progress"
    # rework: clocked on again at 40, off at 50, then passed at 60
    rework = JobFact("j2", "ln-2", at(40), at(50))
    assert domain.workshop_status(LINES, [j1, rework], [failed]) == "in_progress"
    passed = QcFact(True, at(60), ("j1", "j2"))
    assert domain.workshop_status(LINES, [j1, rework], [failed, passed]) == "ready_for_delivery"
    # clocked on again but not yet off: not done
    reopened = JobFact("j2", "ln-2", at(40), at(20))
    assert domain.line_done_at("ln-2", [j1, reopened], []) is None


def test_a_failure_after_the_last_pass_holds_it_even_for_a_job_not_heard_of_yet() -> None:
    # The failure names a job whose job_done has not been handled yet: every line
    # reception knows looks done, but the last QC word is a failure.
    j1 = JobFact("j1", "ln-1", at(1), at(10))
    j2 = JobFact("j2", "ln-2", at(2), at(20))
    passed, failed = QcFact(True, at(30)), QcFact(False, at(40), ("j9",))
    assert domain.workshop_status(LINES, [j1, j2], [passed, failed]) == "in_progress"
    again = QcFact(True, at(50))
    assert domain.workshop_status(LINES, [j1, j2], [passed, failed, again]) == (
        "ready_for_delivery"
    )


def test_added_work_after_qc_needs_a_new_pass() -> None:
    j1 = JobFact("j1", "ln-1", at(1), at(10))
    j2 = JobFact("j2", "ln-2", at(2), at(20))
    passed = QcFact(True, at(30))
    lines = [*LINES, "ln-5"]
    assert domain.workshop_status(lines, [j1, j2], [passed]) == "in_progress"
    j5 = JobFact("j5", "ln-5", at(40), at(45))
    assert domain.workshop_status(lines, [j1, j2, j5], [passed]) == "in_progress"
    again = QcFact(True, at(50))
    assert domain.workshop_status(lines, [j1, j2, j5], [passed, again]) == "ready_for_delivery"


def test_a_second_job_on_a_line_counts_when_it_is_done() -> None:
    first = JobFact("j1", "ln-1", at(1), None)
    second = JobFact("j1b", "ln-1", at(5), at(9))
    assert domain.line_done_at("ln-1", [first, second], []) == at(9)


# ---------------------------------------------------------------- pricing


def _line(line_id: str, kind: str, payer: str, qty: str, price: str, **kw: object) -> PricedLine:
    return PricedLine(
        line_id, kind, f"C-{line_id}", f"desc {line_id}", payer, D(qty), D(price), **kw
    )


def test_contract_example_statement() -> None:
    # The order_settled contract example: prices include 13 % VAT.
    # customer: 1.0 h x 180 + 68 = 248.00; warranty: 1.2 h x 180 = 216 + 520 = 736.00
    # total 984.00; VAT in it: 984 - 984 / 1.13 = 113.20 (28.53 + 84.67 per payer)
    statement = domain.build_statement(
        [
            _line("ln-1", "labor", "customer", "1.0", "180.00"),
            _line("ln-2", "labor", "warranty", "1.2", "180.00"),
            _line("ln-3", "part", "customer", "1", "68.00"),
            _line("ln-4", "part", "warranty", "1", "520.00"),
        ],
        tax_rate=D("0.13"),
    )
    assert statement.totals_by_payer == {"customer": D("248.00"), "warranty": D("736.00")}
    assert statement.by_payer["customer"].tax == D("28.53")
    assert statement.by_payer["warranty"].tax == D("84.67")
    assert statement.tax_total == D("113.20")
    assert statement.total == D("984.00")
    assert statement.discount_total == D("0.00")


def test_split_payers_free_items_and_a_discount_worked_example() -> None:
    # Pudong rates: customer 180/h, warranty 120/h.
    # customer: labor 1.0 h x 180 = 180.00, parts 48.00 + 398.00 = 446.00 -> 626.00
    #           wash (misc, free) worth 30.00 charges nothing
    #           discount 31.30 (5 %) -> 594.70; VAT 594.70 - 594.70/1.13 = 68.42
    # warranty: labor 1.0 h x 120 = 120.00, part 520.00 -> 640.00; VAT 73.63
    # total 1234.70, VAT 142.05
    lines = [
        _line("ln-1", "labor", "customer", "1.0", "180.00"),
        _line("ln-2", "labor", "warranty", "1.0", "120.00"),
        _line("ln-3", "part", "customer", "1", "48.00"),
        _line("ln-4", "part", "customer", "1", "398.00"),
        _line("ln-5", "part", "warranty", "1", "520.00"),
        _line("ln-6", "misc", "customer", "1", "30.00", free=True),
    ]
    statement = domain.build_statement(lines, tax_rate=D("0.13"), discount=D("31.30"))
    customer, warranty = statement.by_payer["customer"], statement.by_payer["warranty"]
    assert (customer.labor, customer.parts, customer.misc) == (D("180.00"), D("446.00"), D(0))
    assert customer.free == D("30.00")
    assert customer.gross == D("626.00")
    assert customer.discount == D("31.30")
    assert customer.total == D("594.70")
    assert customer.tax == D("68.42")
    assert (warranty.labor, warranty.parts, warranty.total, warranty.tax) == (
        D("120.00"), D("520.00"), D("640.00"), D("73.63"),
    )  # fmt: skip
    assert statement.total == D("1234.70")
    assert statement.tax_total == D("142.05")
    assert statement.discount_total == D("31.30")
    assert statement.due("customer") == D("594.70")
    assert statement.due("insurance") == D("0")
    assert lines[5].value == D("30.00") and lines[5].amount == D("0.00")


def test_prices_without_tax_add_it_per_payer() -> None:
    # 6 % added: customer 100.00 -> 6.00 -> 106.00; internal 33.33 -> 2.00 -> 35.33
    statement = domain.build_statement(
        [
            _line("a", "sublet", "customer", "1", "100.00"),
            _line("b", "misc", "internal", "3", "11.11"),
        ],
        tax_rate=D("0.06"),
        prices_include_tax=False,
    )
    assert statement.by_payer["customer"].sublet == D("100.00")
    assert statement.by_payer["customer"].total == D("106.00")
    assert statement.by_payer["internal"].tax == D("2.00")
    assert statement.by_payer["internal"].total == D("35.33")
    assert statement.total == D("141.33")
    assert statement.tax_total == D("8.00")


def test_amounts_round_half_up_to_the_fen() -> None:
    assert _line("x", "labor", "customer", "0.3", "133.33").amount == D("40.00")  # 39.999
    assert _line("x", "part", "customer", "3", "0.335").amount == D("1.01")  # 1.005
    assert domain.tax_of(D("100.00"), D("0.13"), True) == D("11.50")  # 100 - 88.4956
    assert domain.tax_of(D("0.05"), D("0.13"), False) == D("0.01")  # 0.0065


def test_a_discount_is_on_the_customers_share_only() -> None:
    warranty_only = [_line("a", "labor", "warranty", "1.0", "120.00")]
    with pytest.raises(Conflict) as caught:
        domain.build_statement(warranty_only, tax_rate=D("0.13"), discount=D("1.00"))
    assert caught.value.code == "DISCOUNT_EXCEEDS_SHARE"
    customer = [_line("a", "labor", "customer", "1.0", "180.00")]
    with pytest.raises(Conflict):
        domain.build_statement(customer, tax_rate=D("0.13"), discount=D("180.01"))
    whole = domain.build_statement(customer, tax_rate=D("0.13"), discount=D("180.00"))
    assert whole.total == D("0.00") and whole.tax_total == D("0.00")
    with pytest.raises(ValidationFailed):
        domain.build_statement(customer, tax_rate=D("0.13"), discount=D("-1"))


def test_parts_actually_used() -> None:
    # 2 issued at 48.00, 1 returned: 1 used at 48.00
    assert domain.net_issued([(D("2"), D("48.00"))], D("1")) == (D("1"), D("48.00"))
    # issued twice at two prices: the weighted average
    assert domain.net_issued([(D("1"), D("100")), (D("1"), D("110"))], D("0")) == (
        D("2"), D("105.00"),
    )  # fmt: skip
    assert domain.net_issued([], D("0")) == (D("0"), D("0.00"))
    assert domain.net_issued([(D("1"), D("10"))], D("3"))[0] == D("0")


# ---------------------------------------------------------------- discounts and authority

LIMITS = domain.DEFAULT_DISCOUNT_LIMITS


def test_discount_within_the_advisors_limit_applies_at_once() -> None:
    # advisor: 5 % of 626.00 = 31.30
    assert domain.discount_decision(D("31.30"), D("626.00"), ["service_advisor"], LIMITS) == (
        "approved"
    )
    assert domain.discount_decision(D("31.31"), D("626.00"), ["service_advisor"], LIMITS) == (
        "pending"
    )
    assert domain.discount_decision(D("0"), D("0"), ["cashier"], LIMITS) == "approved"
    assert domain.discount_decision(D("1"), D("626.00"), ["cashier"], LIMITS) == "pending"
    with pytest.raises(Conflict) as caught:
        domain.discount_decision(D("626.01"), D("626.00"), ["service_director"], LIMITS)
    assert caught.value.code == "DISCOUNT_EXCEEDS_SHARE"


def test_a_supervisor_approves_within_their_own_limit() -> None:
    # supervisor 10 % of 626.00 = 62.60; manager 15 % = 93.90
    domain.check_discount_approver(
        D("62.60"), D("626.00"), ["front_desk_supervisor"], LIMITS, "fds.xu.pd", "sa.wang.pd"
    )
    with pytest.raises(Forbidden) as caught:
        domain.check_discount_approver(
            D("62.61"), D("626.00"), ["front_desk_supervisor"], LIMITS, "fds.xu.pd", "sa.wang.pd"
        )
    assert caught.value.code == "DISCOUNT_ABOVE_LIMIT"
    domain.check_discount_approver(
        D("93.90"), D("626.00"), ["service_manager"], LIMITS, "sm.chen.pd", "sa.wang.pd"
    )
    with pytest.raises(Forbidden) as caught:
        domain.check_discount_approver(
            D("10.00"), D("626.00"), ["front_desk_supervisor"], LIMITS, "fds.xu.pd", "fds.xu.pd"
        )
    assert caught.value.code == "DISCOUNT_SELF_APPROVAL"


def test_the_highest_role_limit_counts() -> None:
    roles = ["service_director", "service_manager"]
    assert domain.discount_limit(roles, LIMITS) == D("0.20")
    assert domain.discount_limit(["technician"], LIMITS) == D("0")


# ---------------------------------------------------------------- payments


def test_payments_up_to_what_is_due() -> None:
    domain.check_payment(D("500.00"), D("0"), D("594.70"))
    domain.check_payment(D("94.70"), D("500.00"), D("594.70"))
    with pytest.raises(Conflict) as caught:
        domain.check_payment(D("94.71"), D("500.00"), D("594.70"))
    assert caught.value.code == "OVERPAYMENT"
    assert caught.value.fields == {"amount": ["at most 94.70"]}
    with pytest.raises(ValidationFailed):
        domain.check_payment(D("0"), D("0"), D("10"))
    domain.check_paid_in_full(D("594.70"), D("594.70"))
    with pytest.raises(Conflict) as caught:
        domain.check_paid_in_full(D("500.00"), D("594.70"))
    assert caught.value.code == "PAYMENT_INCOMPLETE"


# ---------------------------------------------------------------- numbers and dates


def test_order_numbers() -> None:
    assert domain.site_code("site-pudong") == "PUDONG"
    assert domain.site_code("site-suzhou-2") == "SUZHOU"
    assert domain.order_number("PD", date(2026, 11, 25), 7) == "PD-20261125-0007"


def test_next_service_defaults() -> None:
    # the contract example: delivered 2026-11-25 at 10 230 km -> 2027-05-25, 20 000 km
    assert domain.next_service(date(2026, 11, 25), 10230) == (date(2027, 5, 25), 20000)
    assert domain.next_service(date(2026, 8, 31), 20000) == (date(2027, 2, 28), 30000)


def test_promised_time_moves_by_the_added_hours() -> None:
    now = at(0)
    assert domain.moved_promise(at(120), D("0.5"), now) == at(150)
    assert domain.moved_promise(at(-60), D("1.5"), now) == at(90)  # promise already passed
    assert domain.moved_promise(None, D("1.0"), now) == at(60)


def test_recalls_are_open_within_their_dates_until_done() -> None:
    today = date(2026, 12, 1)
    assert domain.recall_is_open(date(2026, 11, 20), date(2027, 11, 19), today, False)
    assert domain.recall_is_open(date(2026, 11, 20), None, today, False)
    assert not domain.recall_is_open(date(2026, 11, 20), None, today, True)
    assert not domain.recall_is_open(date(2026, 12, 2), None, today, False)
    assert not domain.recall_is_open(date(2026, 1, 1), date(2026, 11, 30), today, False)


# ---------------------------------------------------------------- hostile numbers


@pytest.mark.parametrize(
    "value", ["1e30", "NaN", "Infinity", "-1.00", "0.001", "1e-30", "100000000.00", 1e30, "x"]
)
def test_amounts_that_cannot_be_money_are_refused_on_their_field(value: object) -> None:
    for schema, body in ((PaymentIn(), {"method": "cash"}), (DiscountIn(), {"reason": "x"})):
        with pytest.raises(ValidationFailed) as caught:
            load(schema, {**body, "amount": value})
        assert list(caught.value.fields) == ["amount"]


@pytest.mark.parametrize("value", ["1000.0", "1e9", "-0.5", "0"])
def test_hours_beyond_any_operation_are_refused(value: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        domain.hours(value)
    assert caught.value.code == "HOURS_PRECISION"
    assert domain.hours("999.9") == D("999.9")
