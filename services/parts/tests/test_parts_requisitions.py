"""Requisitions on the real broker and PostgreSQL: `part_requested` reserves or
back-orders, issue and return against the requisition, back orders arriving, the
race for the last unit, and the RO leaving with parts still reserved."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import eventlet
import pytest
from sqlalchemy import func, select

from aftersales_cli.parts_testing import (
    ADVISOR_PD,
    CLERK_PD,
    HQ,
    KEEPER_PD,
    KEEPER_SZ,
    MANAGER_PD,
    OEM,
    OTHER_HQ,
    Parts,
    stock_at,
)
from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU
from aftersales_core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales_parts.models import LedgerEntry, StockItem

OIL_FILTER, OIL, PADS, TIMING = "04E115561H", "G052195M4", "5Q0698151B", "04E198119A"


def _line(requisition: dict[str, Any], line_id: str) -> dict[str, Any]:
    return next(line for line in requisition["lines"] if line["line_id"] == line_id)


def _requisition_of(parts: Parts, order_id: str) -> dict[str, Any]:
    [found] = parts.rpc(HQ).list_requisitions({"order_id": order_id})["items"]
    return found


def test_requested_parts_are_reserved_or_backordered(parts: Parts, oem_inbox: Any) -> None:
    parts.seed()
    assert stock_at(PUDONG)[TIMING] == 2
    parts.request_parts("ro-0001", [(OIL_FILTER, "1"), (OIL, "1"), (TIMING, "3", "warranty")])
    requisition = _requisition_of(parts, "ro-0001")
    assert requisition["site_id"] == PUDONG
    assert requisition["approved_by"] == "sa.wang.pd"
    assert [
        (ln["line_id"], ln["status"], ln["reserved"], ln["backordered"])
        for ln in requisition["lines"]
    ] == [  # noqa: E501
        ("ln-1", "reserved", "1.000", "0.000"),
        ("ln-2", "reserved", "1.000", "0.000"),
        ("ln-3", "backordered", "2.000", "1.000"),
    ]
    assert _line(requisition, "ln-3")["filled_at_once"] is False
    assert _line(requisition, "ln-1")["filled_at_once"] is True

    timing = parts.item(PUDONG, TIMING)
    assert (timing["on_hand"], timing["reserved"], timing["available"]) == (
        "2.000",
        "2.000",
        "0.000",
    )

    # The shortfall: a back order, ordered at once from the site's OEM, announced.
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-0001"})["items"]
    assert (backorder["part_number"], backorder["quantity"], backorder["status"]) == (
        TIMING, "1.000", "open",
    )  # fmt: skip
    [announced] = parts.payloads("part_backordered")
    assert announced == {
        "order_id": "ro-0001",
        "requisition_id": requisition["requisition_id"],
        "line_id": "ln-3",
        "part_number": TIMING,
        "quantity": "1",
        "expected_at": backorder["expected_at"],
        "backorder_id": backorder["backorder_id"],
        "po_id": backorder["po_id"],
    }
    po = parts.rpc(HQ).get_purchase_order(backorder["po_id"])
    assert (po["kind"], po["status"], po["supplier_id"]) == ("emergency", "sent", "sup-saic-vw")
    assert [(ln["part_number"], ln["quantity"]) for ln in po["lines"]] == [(TIMING, "1.000")]
    order = oem_inbox.get()
    assert order is not None, "the emergency order did not reach the OEM"
    assert order["routing_key"] == "to-oem.oem-saic-vw.parts_order"
    assert order["payload"] == {
        "po_id": po["po_id"],
        "po_number": po["po_number"],
        "oem_id": "oem-saic-vw",
        "dealer_code": PUDONG,
        "order_kind": "emergency",
        "lines": [{"line_no": 1, "part_number": TIMING, "quantity": "1"}],
    }
    parts.balanced()


def test_issue_and_return_against_the_requisition(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0002", [(OIL_FILTER, "2"), (PADS, "1", "warranty")])
    requisition = _requisition_of(parts, "ro-0002")
    req_id = requisition["requisition_id"]
    keeper = parts.rpc(KEEPER_PD)

    # Partial issue: one of two filters, with the old one recorded against the new.
    result = keeper.issue_parts(
        req_id, {"lines": [{"line_id": "ln-1", "quantity": "1", "old_part": "scrap"}]}
    )
    assert _line(result["requisition"], "ln-1")["status"] == "partly_issued"
    [issued] = result["issued"]
    assert (issued["unit_price"], issued["unit_cost"]) == ("48.00", "28.00")
    assert issued["bins"] == [{"warehouse_id": issued["bins"][0]["warehouse_id"],
                               "bin": "A-01-01", "quantity": "1.000"}]  # fmt: skip
    [event] = parts.payloads("part_issued")
    assert event["order_id"] == "ro-0002" and event["line_id"] == "ln-1"
    assert (event["quantity"], event["unit_price"], event["unit_cost"]) == ("1", "48.00", "28.00")
    assert event["old_part_recorded"] is True
    assert event["issue_id"] == issued["issue_id"]

    # A warranty part goes out only against the old part, kept for the OEM.
    with pytest.raises(ValidationFailed) as caught:
        keeper.issue_parts(req_id, {"lines": [{"line_id": "ln-2", "quantity": "1"}]})
    assert caught.value.code == "OLD_PART_REQUIRED"
    assert caught.value.fields == {"lines": {"0": {"old_part": [caught.value.message]}}}
    # Never more than the line holds reserved.
    with pytest.raises(Conflict) as caught:
        keeper.issue_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "2"}]})
    assert caught.value.code == "NOT_RESERVED"
    assert len(parts.payloads("part_issued")) == 1, "a refused issue published nothing"

    keeper.issue_parts(
        req_id,
        {
            "lines": [
                {"line_id": "ln-1", "quantity": "1"},
                {"line_id": "ln-2", "quantity": "1", "old_part": "keep_for_warranty"},
            ]
        },
    )
    assert parts.item(PUDONG, OIL_FILTER)["on_hand"] == f"{stock_at(PUDONG)[OIL_FILTER] - 2}.000"
    assert parts.item(PUDONG, PADS)["reserved"] == "0.000"

    # One filter was not needed: back to its bin, at the cost it went out at.
    back = keeper.return_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "1"}]})
    assert _line(back["requisition"], "ln-1")["returned"] == "1.000"
    [returned] = parts.payloads("part_returned")
    assert returned["quantity"] == "1" and returned["unit_price"] == "48.00"
    assert returned["condition"] == "good"
    assert parts.item(PUDONG, OIL_FILTER)["on_hand"] == f"{stock_at(PUDONG)[OIL_FILTER] - 1}.000"
    with pytest.raises(Conflict) as caught:
        keeper.return_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "2"}]})
    assert caught.value.code == "NOT_ISSUED"
    parts.balanced()


def test_a_backorder_is_reserved_for_its_ro_when_it_arrives(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0003", [(TIMING, "4")])
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-0003"})["items"]
    assert backorder["quantity"] == "2.000"
    # Another RO wants the same part later: it waits behind the first.
    parts.request_parts("ro-0004", [(TIMING, "1")])
    assert len(parts.rpc(HQ).list_backorders({"status": "open"})["items"]) == 2

    # The OEM ships, the notice gives a new date, and the keeper receives it.
    po = parts.rpc(HQ).get_purchase_order(backorder["po_id"])
    parts.publish(
        "oem",
        "shipment_notice",
        {
            "shipment_id": "shp-0001",
            "po_id": po["po_id"],
            "oem_id": "oem-saic-vw",
            "shipped_at": "2026-11-26T01:00:00+00:00",
            "expected_at": "2026-11-28",
            "lines": [{"line_no": 1, "part_number": TIMING, "quantity_shipped": "2",
                       "unit_cost": "700.00"}],
        },
        wait="on_shipment_notice",
    )  # fmt: skip
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-0003"})["items"]
    assert backorder["expected_at"] == "2026-11-28"

    receipt = parts.rpc(KEEPER_PD).receive_goods(
        po["po_id"],
        {"shipment_id": "shp-0001",
         "lines": [{"line_no": 1, "counted": "2", "accepted": "2"}]},
    )  # fmt: skip
    assert receipt["purchase_order_status"] == "received"
    assert receipt["lines"][0]["bin"] == "B-04-01", "put away where the part lives"
    assert receipt["served"] == [
        {"backorder_id": backorder["backorder_id"], "demand": "requisition",
         "order_id": "ro-0003", "sale_id": None, "part_number": TIMING, "quantity": "2.000"},
    ]  # fmt: skip
    [arrived] = parts.payloads("backorder_arrived")
    assert arrived == {
        "order_id": "ro-0003",
        "requisition_id": _requisition_of(parts, "ro-0003")["requisition_id"],
        "line_id": "ln-1",
        "part_number": TIMING,
        "quantity": "2",
        "backorder_id": backorder["backorder_id"],
    }
    line = _line(_requisition_of(parts, "ro-0003"), "ln-1")
    assert (line["reserved"], line["backordered"], line["status"]) == ("4.000", "0.000", "reserved")
    assert parts.rpc(HQ).list_backorders({"order_id": "ro-0004"})["items"][0]["status"] == "open"

    # Moving-average cost: 2 @ 680.00 + 2 @ 700.00 = 2 760.00 / 4 = 690.00 each.
    timing = parts.item(PUDONG, TIMING)
    assert (timing["on_hand"], timing["value"], timing["average_cost"]) == (
        "4.000", "2760.00", "690.0000",
    )  # fmt: skip
    issued = parts.rpc(KEEPER_PD).issue_parts(
        line and _requisition_of(parts, "ro-0003")["requisition_id"],
        {"lines": [{"line_id": "ln-1", "quantity": "3", "old_part": "scrap"}]},
    )
    [out] = issued["issued"]
    assert out["unit_cost"] == "690.00"
    # FIFO: the two opening units first, then one of the new lot (same bin, newer lot).
    assert [b["quantity"] for b in out["bins"]] == ["2.000", "1.000"]
    parts.balanced()


def test_two_requisitions_race_for_the_last_unit(parts: Parts, monkeypatch: Any) -> None:
    """Both handlers read the stock at the same moment (the reservation is slowed down
    so that they overlap); the row lock lets exactly one have the unit."""
    from aftersales_parts.stock import StockBook

    parts.seed()
    parts.request_parts("ro-0010", [(TIMING, "1")])  # leaves exactly one unit
    assert parts.item(PUDONG, TIMING)["available"] == "1.000"

    original = StockBook.reserve
    inside = {"now": 0, "most": 0}

    def slow_reserve(self: StockBook, item: Any, wanted: Any) -> Any:
        inside["now"] += 1
        inside["most"] = max(inside["most"], inside["now"])
        eventlet.sleep(0.3)
        try:
            return original(self, item, wanted)
        finally:
            inside["now"] -= 1

    monkeypatch.setattr(StockBook, "reserve", slow_reserve)
    racers = [parts.request_parts(f"ro-00{n}", [(TIMING, "1")], wait=False) for n in (11, 12)]
    wait_until(lambda: len(parts.rpc(HQ).list_requisitions({"site_id": PUDONG})["items"]) == 3)
    monkeypatch.setattr(StockBook, "reserve", original)

    lines = [_line(_requisition_of(parts, e.payload["order_id"]), "ln-1") for e in racers]
    assert sorted((ln["reserved"], ln["backordered"]) for ln in lines) == [
        ("0.000", "1.000"),
        ("1.000", "0.000"),
    ]
    assert len(parts.payloads("part_backordered")) == 1
    timing = parts.item(PUDONG, TIMING)
    assert (timing["on_hand"], timing["reserved"], timing["available"]) == (
        "2.000",
        "2.000",
        "0.000",
    )
    with parts.engine.connect() as conn:
        ledger = conn.execute(
            select(func.sum(LedgerEntry.quantity)).where(
                LedgerEntry.site_id == PUDONG, LedgerEntry.part_number == TIMING
            )
        ).scalar_one()
        on_hand = conn.execute(
            select(StockItem.on_hand).where(
                StockItem.site_id == PUDONG, StockItem.part_number == TIMING
            )
        ).scalar_one()
    assert ledger == on_hand == D("2.000")
    parts.balanced()
    assert inside["most"] == 1, "the second reservation waited for the first to commit"


def test_many_requisitions_race_and_exactly_the_stock_is_served(parts: Parts) -> None:
    parts.seed()
    assert stock_at(PUDONG)["5Q0615301F"] == 4
    events = [
        parts.request_parts(f"ro-01{n:02d}", [("5Q0615301F", "1")], wait=False) for n in range(9)
    ]
    wait_until(lambda: len(parts.rpc(HQ).list_requisitions({"site_id": PUDONG})["items"]) == 9)
    served = [
        _line(_requisition_of(parts, e.payload["order_id"]), "ln-1")["reserved"] for e in events
    ]
    assert sorted(served) == ["0.000"] * 5 + ["1.000"] * 4
    assert len(parts.payloads("part_backordered")) == 5
    disc = parts.item(PUDONG, "5Q0615301F")
    assert (disc["on_hand"], disc["reserved"]) == ("4.000", "4.000")
    parts.balanced()


def wait_until(predicate: Any, timeout: float = 20) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.1)


def test_a_repeated_event_makes_one_requisition(parts: Parts) -> None:
    parts.seed()
    first = parts.request_parts("ro-0020", [(OIL_FILTER, "2")])
    parts.publish(
        "reception", "part_requested", first.payload, event_id=first.event_id,
        wait="on_part_requested",
    )  # fmt: skip
    assert len(parts.rpc(HQ).list_requisitions({"order_id": "ro-0020"})["items"]) == 1
    assert parts.item(PUDONG, OIL_FILTER)["reserved"] == "2.000"


def test_an_unknown_part_is_kept_but_reserves_nothing(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0021", [("NO-SUCH-PART", "1"), (OIL_FILTER, "1")])
    requisition = _requisition_of(parts, "ro-0021")
    assert [ln["status"] for ln in requisition["lines"]] == ["unknown_part", "reserved"]
    assert parts.payloads("part_backordered") == []
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(KEEPER_PD).issue_parts(
            requisition["requisition_id"], {"lines": [{"line_id": "ln-1", "quantity": "1"}]}
        )
    assert caught.value.code == "UNKNOWN_LINE"


def test_cancelling_a_line_frees_stock_for_whoever_waits(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0030", [(TIMING, "2")])
    parts.request_parts("ro-0031", [(TIMING, "1")])  # back-ordered
    first = _requisition_of(parts, "ro-0030")["requisition_id"]
    with pytest.raises(Forbidden):
        parts.rpc(KEEPER_PD).cancel_requisition_line(first, "ln-1", {})
    result = parts.rpc(ADVISOR_PD).cancel_requisition_line(
        first, "ln-1", {"quantity": "1", "reason": "客户只换一侧"}
    )
    line = _line(result, "ln-1")
    assert (line["reserved"], line["cancelled"]) == ("1.000", "1.000")
    # The freed unit went to the RO that was waiting for it.
    waiting = _line(_requisition_of(parts, "ro-0031"), "ln-1")
    assert (waiting["reserved"], waiting["backordered"]) == ("1.000", "0.000")
    [arrived] = parts.payloads("backorder_arrived")
    assert arrived["order_id"] == "ro-0031"
    with pytest.raises(Conflict) as caught:
        parts.rpc(ADVISOR_PD).cancel_requisition_line(first, "ln-1", {"quantity": "2"})
    assert caught.value.code == "NOTHING_TO_CANCEL"
    history = parts.rpc(HQ).get_requisition(first)["history"]
    assert [h["action"] for h in history] == ["requested", "line_cancelled"]
    assert history[1]["user_id"] == "sa.wang.pd" and history[1]["note"] == "客户只换一侧"
    parts.balanced()


def test_delivery_releases_what_was_never_issued(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0040", [(OIL_FILTER, "2"), (TIMING, "3")])
    requisition = _requisition_of(parts, "ro-0040")
    parts.rpc(KEEPER_PD).issue_parts(
        requisition["requisition_id"], {"lines": [{"line_id": "ln-1", "quantity": "1"}]}
    )
    parts.publish(
        "reception",
        "vehicle_delivered",
        {
            "order_id": "ro-0040", "order_number": "PD-0040", "order_type": "repair",
            "customer_id": "cus-pd-001", "vehicle_id": "veh-1", "vin": "LSVAL618XK2187342",
            "plate": "沪A·K6R21", "mileage": 62400, "complaint": "异响",
            "delivered_at": "2026-11-25T10:00:00+00:00", "next_service_date": None,
            "next_service_mileage": None, "service_advisor_id": "sa.wang.pd",
        },
        wait="on_vehicle_delivered",
    )  # fmt: skip
    requisition = _requisition_of(parts, "ro-0040")
    assert requisition["status"] == "closed"
    assert [
        (ln["issued"], ln["reserved"], ln["backordered"], ln["cancelled"])
        for ln in requisition["lines"]
    ] == [  # noqa: E501
        ("1.000", "0.000", "0.000", "1.000"),
        ("0.000", "0.000", "0.000", "3.000"),
    ]
    assert parts.item(PUDONG, TIMING)["reserved"] == "0.000"
    assert parts.item(PUDONG, OIL_FILTER)["reserved"] == "0.000"
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-0040"})["items"]
    assert backorder["status"] == "cancelled"
    with pytest.raises(Conflict) as caught:
        parts.rpc(KEEPER_PD).issue_parts(
            requisition["requisition_id"], {"lines": [{"line_id": "ln-1", "quantity": "1"}]}
        )
    assert caught.value.code == "REQUISITION_CLOSED"
    parts.balanced()


def test_a_defective_return_goes_to_the_defective_stock(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0050", [(PADS, "2")])
    req_id = _requisition_of(parts, "ro-0050")["requisition_id"]
    parts.rpc(KEEPER_PD).issue_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "2"}]})
    parts.rpc(KEEPER_PD).return_parts(
        req_id, {"lines": [{"line_id": "ln-1", "quantity": "1", "condition": "defective"}]}
    )
    defective = parts.item(PUDONG, PADS, "defective")
    assert (defective["on_hand"], defective["value"], defective["available"]) == (
        "1.000", "320.00", "1.000",
    )  # fmt: skip
    usable = parts.item(PUDONG, PADS)
    assert usable["on_hand"] == f"{stock_at(PUDONG)[PADS] - 2}.000"
    [event] = parts.payloads("part_returned")
    assert (event["condition"], event["unit_cost"], event["unit_price"]) == (
        "defective", "320.00", "520.00",
    )  # fmt: skip
    parts.balanced()


def test_requisitions_are_seen_only_by_their_site_and_group(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0060", [(OIL_FILTER, "1")])
    req_id = _requisition_of(parts, "ro-0060")["requisition_id"]
    assert parts.rpc(KEEPER_PD).get_requisition(req_id)["order_id"] == "ro-0060"
    for stranger in (KEEPER_SZ, OTHER_HQ):
        with pytest.raises(NotFound) as caught:
            parts.rpc(stranger).get_requisition(req_id)
        assert caught.value.code == "REQUISITION_NOT_FOUND"
        with pytest.raises(NotFound):
            parts.rpc(stranger).issue_parts(
                req_id, {"lines": [{"line_id": "ln-1", "quantity": "1"}]}
            )
    assert parts.rpc(KEEPER_SZ).list_requisitions({})["items"] == []
    assert parts.rpc(OTHER_HQ).list_requisitions({})["items"] == []
    with pytest.raises(Forbidden) as caught:
        parts.rpc(KEEPER_SZ).list_requisitions({"site_id": PUDONG})["items"]
    assert caught.value.code == "SITE_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        parts.rpc(OEM).list_requisitions({})["items"]
    assert caught.value.code == "ROLE_FORBIDDEN"
    # Only a warehouse keeper (or the parts manager) hands parts out.
    for not_keeper in (ADVISOR_PD, CLERK_PD, HQ):
        with pytest.raises(Forbidden):
            parts.rpc(not_keeper).issue_parts(
                req_id, {"lines": [{"line_id": "ln-1", "quantity": "1"}]}
            )
    parts.rpc(MANAGER_PD).issue_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "1"}]})
    # Bad input is named, field by field.
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(KEEPER_PD).issue_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "-1"}]})
    assert caught.value.fields == {"lines": {"0": {"quantity": ["a quantity must be more than 0"]}}}
    assert GROUP_ID and SUZHOU


def test_a_cancelled_ro_drops_its_reservations_and_back_orders(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-0070", [(PADS, "2"), (TIMING, "3")])
    parts.request_parts("ro-0071", [(TIMING, "1")])  # waits behind ro-0070
    parts.publish(
        "reception",
        "order_cancelled",
        {"order_id": "ro-0070", "order_number": "PD-0070", "vehicle_id": "veh-1",
         "reason": "客户决定暂不维修", "cancelled_by": "sa.wang.pd", "was_approved": True},
        wait="on_order_cancelled",
    )  # fmt: skip
    requisition = _requisition_of(parts, "ro-0070")
    assert requisition["status"] == "closed"
    assert [ln["cancelled"] for ln in requisition["lines"]] == ["2.000", "3.000"]
    assert parts.item(PUDONG, PADS)["reserved"] == "0.000"
    # The two freed timing belts: one to the RO that waited, one free again.
    waiting = _line(_requisition_of(parts, "ro-0071"), "ln-1")
    assert (waiting["reserved"], waiting["backordered"]) == ("1.000", "0.000")
    assert parts.item(PUDONG, TIMING)["available"] == "1.000"
    statuses = {b["order_id"]: b["status"] for b in parts.rpc(HQ).list_backorders({})["items"]}
    assert statuses == {"ro-0070": "cancelled", "ro-0071": "arrived"}
    history = parts.rpc(HQ).get_requisition(requisition["requisition_id"])["history"]
    assert history[-1]["note"] == "RO cancelled: 客户决定暂不维修"
    assert history[-1]["user_id"] == "sa.wang.pd"
    parts.balanced(PUDONG)


def test_the_same_fact_under_a_new_event_id_makes_one_requisition(parts: Parts) -> None:
    """Reception retried its announcement with a new event id: the inbox cannot tell,
    the RO line can — stock is reserved once."""
    parts.seed()
    before = D(parts.item(PUDONG, OIL_FILTER)["reserved"])
    first = parts.request_parts("ro-0024", [(OIL_FILTER, "2")])
    parts.publish("reception", "part_requested", first.payload, wait="on_part_requested")
    assert len(parts.rpc(HQ).list_requisitions({"order_id": "ro-0024"})["items"]) == 1
    assert D(parts.item(PUDONG, OIL_FILTER)["reserved"]) == before + 2
