"""Counter sales with special orders, the group locator, transfers between sites
and the parts figures, on the real broker and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal as D

import pytest
from sqlalchemy import update

from aftersales_cli.parts_testing import (
    ADVISOR_PD,
    CLERK_PD,
    HQ,
    KEEPER_HZ,
    KEEPER_PD,
    KEEPER_SZ,
    MANAGER_PD,
    OEM,
    OTHER_HQ,
    OTHER_KEEPER,
    PLANNER_PD,
    Parts,
    stock_at,
)
from aftersales_cli.seed_data import HANGZHOU, PUDONG, SUZHOU, demo_group
from aftersales_core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales_parts import domain
from aftersales_parts.base import BUSINESS_TZ
from aftersales_parts.models import LedgerEntry

OIL_FILTER, TIMING, WIPER, WASH, BATTERY = (
    "04E115561H", "04E198119A", "WIPER-2426", "WASH-2L", "BAT-6QW60",
)  # fmt: skip


def _sale(**overrides: object) -> dict[str, object]:
    return {
        "site_id": PUDONG,
        "customer_name": "刘女士",
        "phone": "13761234567",
        "lines": [{"part_number": WIPER, "quantity": "2"}, {"part_number": TIMING,
                                                             "quantity": "3"}],
        **overrides,
    }  # fmt: skip


def test_counter_sale_with_a_special_order(parts: Parts) -> None:
    parts.seed()
    clerk = parts.rpc(CLERK_PD)
    with pytest.raises(ValidationFailed) as caught:
        clerk.create_counter_sale(_sale())
    assert caught.value.code == "DEPOSIT_REQUIRED"
    with pytest.raises(Forbidden):
        parts.rpc(KEEPER_PD).create_counter_sale(_sale(deposit="500.00"))
    with pytest.raises(ValidationFailed) as caught:
        clerk.create_counter_sale(_sale(deposit="5000.00"))
    assert caught.value.code == "DEPOSIT_TOO_HIGH"

    sale = clerk.create_counter_sale(_sale(deposit="500.00"))
    # 2 x 128.00 + 3 x 1 180.00 = 256.00 + 3 540.00
    assert (sale["status"], sale["total"], sale["deposit"], sale["balance_due"]) == (
        "waiting", "3796.00", "500.00", "3296.00",
    )  # fmt: skip
    assert [(ln["reserved"], ln["special_ordered"]) for ln in sale["lines"]] == [
        ("2.000", "0.000"), ("2.000", "1.000"),
    ]  # fmt: skip
    [backorder] = sale["backorders"]
    with pytest.raises(Conflict) as caught:
        clerk.complete_counter_sale(sale["sale_id"], {"paid": "3296.00"})
    assert caught.value.code == "ILLEGAL_TRANSITION"

    po = parts.rpc(HQ).list_backorders({"status": "open"})["items"][0]["po_id"]
    parts.rpc(KEEPER_PD).receive_goods(
        po, {"lines": [{"line_no": 1, "counted": "1", "accepted": "1"}]}
    )
    [arrived] = parts.payloads("special_order_arrived")
    assert arrived == {
        "sale_id": sale["sale_id"], "customer_id": None, "customer_name": "刘女士",
        "phone": "13761234567", "part_number": TIMING, "quantity": "1", "ready": True,
    }  # fmt: skip
    ready = clerk.get_counter_sale(sale["sale_id"])
    assert ready["status"] == "ready" and ready["backorders"][0]["status"] == "arrived"
    assert ready["backorders"][0]["backorder_id"] == backorder["backorder_id"]

    with pytest.raises(ValidationFailed) as caught:
        clerk.complete_counter_sale(sale["sale_id"], {"paid": "3796.00"})
    assert caught.value.code == "PAYMENT_MISMATCH"
    done = clerk.complete_counter_sale(sale["sale_id"], {"paid": "3296.00"})
    assert (done["status"], done["paid"]) == ("completed", "3296.00")
    assert parts.item(PUDONG, TIMING)["on_hand"] == "0.000"
    assert parts.item(PUDONG, WIPER)["on_hand"] == f"{stock_at(PUDONG)[WIPER] - 2}.000"
    movements = [
        e["movement"]
        for e in parts.rpc(HQ).ledger({"site_id": PUDONG, "part_number": TIMING})["items"]
    ]
    assert movements[:2] == ["counter_sale", "counter_sale"]  # the opening lot, then the new
    assert [h["action"] for h in clerk.get_counter_sale(sale["sale_id"])["history"]] == [
        "created", "completed",
    ]  # fmt: skip
    parts.balanced(PUDONG)


def test_a_cancelled_sale_gives_its_stock_back(parts: Parts) -> None:
    parts.seed()
    clerk = parts.rpc(CLERK_PD)
    sale = clerk.create_counter_sale(
        _sale(lines=[{"part_number": WASH, "quantity": "5"}], customer_id="cus-pd-001")
    )
    assert sale["status"] == "ready" and sale["deposit"] == "0.00"
    assert parts.item(PUDONG, WASH)["reserved"] == "5.000"
    with pytest.raises(NotFound):
        parts.rpc(KEEPER_SZ).get_counter_sale(sale["sale_id"])
    cancelled = clerk.cancel_counter_sale(sale["sale_id"], {"reason": "客户不要了"})
    assert cancelled["status"] == "cancelled"
    assert parts.item(PUDONG, WASH)["reserved"] == "0.000"
    with pytest.raises(Conflict):
        clerk.complete_counter_sale(sale["sale_id"], {"paid": "100.00"})
    assert [s["sale_id"] for s in parts.rpc(HQ).list_counter_sales()["items"]] == [sale["sale_id"]]
    assert parts.rpc(KEEPER_SZ).list_counter_sales()["items"] == []
    with pytest.raises(ValidationFailed) as caught:
        clerk.create_counter_sale(_sale(phone="call me"))
    assert list(caught.value.fields) == ["phone"]


def test_the_locator_sees_the_group_and_never_another(parts: Parts) -> None:
    parts.seed()
    found = parts.rpc(ADVISOR_PD).locate_part(OIL_FILTER)
    assert [(s["site_id"], s["available"], s["yours"]) for s in found["sites"]] == [
        (PUDONG, "60.000", True),
        (HANGZHOU, "30.000", False),
    ]
    assert found["sites"][1]["bins"][0]["bin"] == "A-01-01"
    # A superseded part: the locator also shows where its replacement is.
    parts.rpc(MANAGER_PD).add_part(
        {"part_number": "04E115561K", "name": "机油滤清器（新款）", "unit": "个",
         "cost": "29.00", "price": "50.00"}
    )  # fmt: skip
    parts.rpc(HQ).update_part(OIL_FILTER, {"superseded_by": "04E115561K"})
    assert parts.rpc(KEEPER_SZ).locate_part(OIL_FILTER)["superseded_by"] == "04E115561K"
    with pytest.raises(NotFound):
        parts.rpc(OTHER_HQ).locate_part(OIL_FILTER)
    with pytest.raises(Forbidden):
        parts.rpc(OEM).locate_part(OIL_FILTER)


def test_a_transfer_between_two_sites_of_the_group(parts: Parts) -> None:
    parts.seed()
    assert TIMING not in stock_at(HANGZHOU)
    parts.request_parts("ro-hz-01", [(TIMING, "1")], site_id=HANGZHOU, approved_by="sa.fu.hz")
    with pytest.raises(NotFound) as caught:
        parts.rpc(OTHER_KEEPER).request_transfer(
            {"from_site_id": PUDONG, "to_site_id": "site-other",
             "lines": [{"part_number": TIMING, "quantity": "1"}]}
        )  # fmt: skip
    assert caught.value.code == "SITE_NOT_FOUND"
    with pytest.raises(Forbidden) as caught:
        parts.rpc(KEEPER_HZ).request_transfer(
            {"from_site_id": HANGZHOU, "to_site_id": PUDONG,
             "lines": [{"part_number": TIMING, "quantity": "1"}]}
        )  # fmt: skip
    assert caught.value.code == "SITE_FORBIDDEN", "a site asks for itself"

    transfer = parts.rpc(KEEPER_HZ).request_transfer(
        {"from_site_id": PUDONG, "to_site_id": HANGZHOU, "reason": "客户车辆等件",
         "lines": [{"part_number": TIMING, "quantity": "2"}]}
    )  # fmt: skip
    assert transfer["status"] == "requested"
    assert (
        parts.rpc(KEEPER_PD).list_transfers()["items"][0]["transfer_id"] == transfer["transfer_id"]
    )
    with pytest.raises(NotFound):
        parts.rpc(KEEPER_SZ).get_transfer(transfer["transfer_id"])
    with pytest.raises(Forbidden):
        parts.rpc(KEEPER_HZ).ship_transfer(transfer["transfer_id"])

    shipped = parts.rpc(KEEPER_PD).ship_transfer(transfer["transfer_id"])
    assert shipped["status"] == "shipped"
    assert shipped["lines"][0]["value"] == "1360.00"
    assert parts.item(PUDONG, TIMING)["on_hand"] == "0.000"
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(KEEPER_HZ).receive_transfer(transfer["transfer_id"], {})
    assert caught.value.code == "BIN_REQUIRED"
    received = parts.rpc(KEEPER_HZ).receive_transfer(transfer["transfer_id"], {"bin": "B-01-02"})
    assert received["status"] == "received" and received["received_by"] == "wh.mao.hz"
    timing = parts.item(HANGZHOU, TIMING)
    assert (timing["on_hand"], timing["value"], timing["reserved"]) == ("2.000", "1360.00", "1.000")
    [arrived] = parts.payloads("backorder_arrived")
    assert arrived["order_id"] == "ro-hz-01"
    assert [h["action"] for h in parts.rpc(HQ).get_transfer(transfer["transfer_id"])["history"]] == [  # noqa: E501
        "requested", "shipped", "received",
    ]  # fmt: skip
    parts.balanced(PUDONG, HANGZHOU)


def test_transfers_refused_short_or_withdrawn(parts: Parts) -> None:
    parts.seed()
    ask = {"from_site_id": PUDONG, "to_site_id": HANGZHOU,
           "lines": [{"part_number": TIMING, "quantity": "3"}]}  # fmt: skip
    too_many = parts.rpc(KEEPER_HZ).request_transfer(ask)
    with pytest.raises(Conflict) as caught:
        parts.rpc(KEEPER_PD).ship_transfer(too_many["transfer_id"])
    assert caught.value.code == "INSUFFICIENT_STOCK"
    rejected = parts.rpc(KEEPER_PD).reject_transfer(too_many["transfer_id"], {"reason": "库存不足"})
    assert rejected["status"] == "rejected"
    withdrawn = parts.rpc(KEEPER_HZ).request_transfer({**ask, "lines": [
        {"part_number": OIL_FILTER, "quantity": "5"}]})  # fmt: skip
    assert parts.rpc(KEEPER_HZ).reject_transfer(withdrawn["transfer_id"])["status"] == "cancelled"

    short = parts.rpc(KEEPER_HZ).request_transfer(
        {**ask, "lines": [{"part_number": OIL_FILTER, "quantity": "5"}]}
    )
    parts.rpc(KEEPER_PD).ship_transfer(short["transfer_id"])
    with pytest.raises(Conflict) as caught:
        parts.rpc(KEEPER_HZ).receive_transfer(
            short["transfer_id"], {"lines": [{"part_number": OIL_FILTER, "received": "6"}]}
        )
    assert caught.value.code == "OVER_RECEIPT"
    received = parts.rpc(KEEPER_HZ).receive_transfer(
        short["transfer_id"], {"lines": [{"part_number": OIL_FILTER, "received": "4"}]}
    )
    assert received["note"] == f"{OIL_FILTER}: 1 missing"
    # 4 of 5 arrived, at the cost they left with: 4 x 28.00
    assert parts.item(HANGZHOU, OIL_FILTER)["value"] == str(D(30 * 28 + 4 * 28) + D("0.00"))
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(KEEPER_HZ).request_transfer({**ask, "from_site_id": HANGZHOU})
    assert list(caught.value.fields) == ["to_site_id"]
    parts.balanced(PUDONG, HANGZHOU)


def test_figures_per_site_and_for_headquarters(parts: Parts) -> None:
    parts.seed()
    # Wash fluid last moved 13 months ago (obsolete), batteries 7 months ago (slow).
    today = datetime.now(BUSINESS_TZ).date()
    with parts.engine.begin() as conn:
        for number, months in ((WASH, 13), (BATTERY, 7)):
            moment = datetime.now(BUSINESS_TZ) - timedelta(days=31 * months)
            conn.execute(
                update(LedgerEntry)
                .where(LedgerEntry.site_id == PUDONG, LedgerEntry.part_number == number)
                .values(occurred_at=moment)
            )
    parts.request_parts("ro-4001", [(OIL_FILTER, "2"), (TIMING, "3")])
    req_id = parts.rpc(HQ).list_requisitions({"order_id": "ro-4001"})["items"][0]["requisition_id"]
    parts.rpc(KEEPER_PD).issue_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "2"}]})
    regular = parts.rpc(PLANNER_PD).create_purchase_order(
        {"site_id": PUDONG, "lines": [{"part_number": WASH, "quantity": "10"}]}
    )
    parts.rpc(PLANNER_PD).send_purchase_order(regular["po_id"])

    period = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    mine = parts.rpc(KEEPER_PD).figures(period)
    assert "total" not in mine
    [pudong] = mine["sites"]
    opening_value = D("50") * D("8.00") + D("6") * D("420.00")  # only these moved before
    all_value = sum(
        (D(r["quantity"]) * D(r["unit_cost"]) for r in demo_group()["stock"]
         if r["site_id"] == PUDONG),
        D("0.00"),
    )  # fmt: skip
    closing_value = all_value - D("56.00")  # two filters issued at 28.00
    assert pudong["opening_stock_value"] == str(opening_value) == "2920.00"
    assert pudong["stock_value"] == str(closing_value)
    assert pudong["cost_of_issues"] == "56.00"
    assert pudong["turnover"] == str(
        domain.turnover(D("56.00"), (opening_value + closing_value) / 2, 30)
    )
    assert (pudong["lines_requested"], pudong["lines_filled_at_once"]) == (2, 1)
    assert pudong["first_time_fill_rate"] == "0.5000"
    # Orders sent: an emergency timing belt (680.00) and a regular 10 x 8.00 = 80.00.
    assert (pudong["order_value"], pudong["emergency_order_value"]) == ("760.00", "680.00")
    assert pudong["emergency_order_share"] == "0.8947"
    assert [(r["part_number"], r["value"]) for r in pudong["obsolete"]] == [(WASH, "400.00")]
    assert [(r["part_number"], r["value"]) for r in pudong["slow_moving"]] == [(BATTERY, "2520.00")]
    assert pudong["obsolete_share"] == str(domain.share(D("400.00"), closing_value))

    group = parts.rpc(HQ).figures(period)
    assert [s["site_id"] for s in group["sites"]] == sorted([PUDONG, SUZHOU, HANGZHOU])
    assert group["total"]["lines_requested"] == 2
    assert D(group["total"]["stock_value"]) == sum(D(s["stock_value"]) for s in group["sites"])
    with pytest.raises(Forbidden):
        parts.rpc(KEEPER_PD).figures({**period, "site_id": SUZHOU})
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(HQ).figures({"from": period["to"], "to": period["from"]})
    assert list(caught.value.fields) == ["to"]
    assert parts.rpc(OTHER_HQ).figures(period) == {**period, "sites": []}
