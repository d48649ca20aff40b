"""Replenishment on the real broker and PostgreSQL: min/max and the proposal,
purchase orders to an OEM (on the OEM exchange) and to a local supplier,
shipment notices, receiving with rejections, and supplier claims."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from aftersales_cli.parts_testing import (
    HQ,
    KEEPER_PD,
    KEEPER_SZ,
    MANAGER_SZ,
    OTHER_HQ,
    PLANNER_PD,
    Parts,
    stock_at,
)
from aftersales_cli.seed_data import PUDONG, SUZHOU
from aftersales_core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from aftersales_parts.base import BUSINESS_TZ

OIL_FILTER, TIMING, WIPER, WASH = "04E115561H", "04E198119A", "WIPER-2426", "WASH-2L"


def _today() -> str:
    return datetime.now(BUSINESS_TZ).strftime("%Y%m%d")


def test_min_max_drives_the_proposed_order(parts: Parts, oem_inbox: Any) -> None:
    parts.seed()
    planner = parts.rpc(PLANNER_PD)
    item = planner.set_stock_levels(
        {"site_id": PUDONG, "part_number": OIL_FILTER, "min_qty": "70", "max_qty": "100"}
    )
    assert (item["min_qty"], item["max_qty"], item["on_hand"]) == ("70.000", "100.000", "60.000")
    planner.set_stock_levels(
        {"site_id": PUDONG, "part_number": WASH, "min_qty": "20", "max_qty": "60"}
    )
    planner.set_stock_levels(
        {"site_id": PUDONG, "part_number": TIMING, "min_qty": "1", "max_qty": "3"}
    )
    parts.request_parts("ro-1001", [(OIL_FILTER, "5"), (TIMING, "3")])
    emergency = oem_inbox.get()
    assert emergency["payload"]["order_kind"] == "emergency"

    proposal = planner.order_proposal({"site_id": PUDONG})
    assert proposal["supplier_id"] == "sup-saic-vw"
    by_part = {line["part_number"]: line for line in proposal["lines"]}
    # Oil filter: 60 on hand - 5 reserved = 55 < 70 -> up to 100: 45 @ 28.00
    assert by_part[OIL_FILTER] == {
        "part_number": OIL_FILTER, "name": "机油滤清器", "on_hand": "60.000", "reserved": "5.000",
        "on_order": "0.000", "waiting": "0.000", "position": "55.000", "min_qty": "70.000",
        "max_qty": "100.000",
        "quantity": "45.000", "unit_cost": "28.00", "amount": "1260.00",
    }  # fmt: skip
    # Timing belt: 2 on hand, 2 reserved, 1 on the emergency order, 1 waiting for it:
    # position 0 < 1 -> up to 3: 3 @ 680.00
    assert (by_part[TIMING]["position"], by_part[TIMING]["quantity"]) == ("0.000", "3.000")
    assert set(by_part) == {OIL_FILTER, TIMING}, "washer fluid 50 >= 20: nothing"
    assert proposal["total"] == "3300.00"

    po = planner.create_purchase_order({"site_id": PUDONG, "from_proposal": True})
    assert (po["status"], po["kind"], po["supplier_id"]) == ("draft", "regular", "sup-saic-vw")
    assert po["po_number"] == f"PUDONG-PO-{_today()}-002"
    assert [(ln["part_number"], ln["quantity"], ln["unit_cost"]) for ln in po["lines"]] == [
        (OIL_FILTER, "45.000", "28.00"),
        (TIMING, "3.000", "680.00"),
    ]
    assert oem_inbox.get(timeout=0.5) is None, "a draft is not sent"
    sent = planner.send_purchase_order(po["po_id"])
    assert sent["status"] == "sent"
    expected = (datetime.now(BUSINESS_TZ).date() + timedelta(days=5)).isoformat()
    assert sent["expected_at"] == expected
    order = oem_inbox.get()
    assert order["routing_key"] == "to-oem.oem-saic-vw.parts_order"
    assert order["correlation_id"] == po["po_id"]
    assert order["payload"]["order_kind"] == "regular"
    assert order["payload"]["lines"] == [
        {"line_no": 1, "part_number": OIL_FILTER, "quantity": "45"},
        {"line_no": 2, "part_number": TIMING, "quantity": "3"},
    ]
    with pytest.raises(Conflict) as caught:
        planner.send_purchase_order(po["po_id"])
    assert caught.value.code == "ILLEGAL_TRANSITION"

    # What is on order now counts: nothing more to propose.
    assert planner.order_proposal({"site_id": PUDONG})["lines"] == []
    with pytest.raises(Conflict) as caught:
        planner.create_purchase_order({"site_id": PUDONG, "from_proposal": True})
    assert caught.value.code == "NOTHING_TO_ORDER"
    history = planner.get_purchase_order(po["po_id"])["history"]
    assert [(h["action"], h["user_id"]) for h in history] == [
        ("created", "pp.he.pd"), ("sent", "pp.he.pd"),
    ]  # fmt: skip
    emergency_po = parts.rpc(HQ).list_backorders({"order_id": "ro-1001"})["items"][0]["po_id"]
    history = planner.get_purchase_order(emergency_po)["history"]
    assert [(h["action"], h["user_id"]) for h in history] == [
        ("created", "system"), ("sent", "system"),
    ]  # fmt: skip

    for bad, field in (
        ({"min_qty": "5", "max_qty": "4"}, "max_qty"),
        ({"min_qty": "-1", "max_qty": "4"}, "min_qty"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            planner.set_stock_levels({"site_id": PUDONG, "part_number": WASH, **bad})
        assert list(caught.value.fields) == [field]


def test_receiving_with_rejections_and_a_supplier_claim(parts: Parts, oem_inbox: Any) -> None:
    parts.seed()
    planner, keeper = parts.rpc(PLANNER_PD), parts.rpc(KEEPER_PD)
    po = planner.create_purchase_order(
        {
            "site_id": PUDONG,
            "supplier_id": "sup-local-hd",
            "lines": [
                {"part_number": WIPER, "quantity": "10", "unit_cost": "60.00"},
                {"part_number": "90915-YZZJ1", "quantity": "5"},
            ],
        }
    )
    planner.send_purchase_order(po["po_id"])
    assert oem_inbox.get(timeout=0.5) is None, "a local supplier's order is not on the OEM bus"
    with pytest.raises(Forbidden):
        planner.receive_goods(po["po_id"], {"lines": [{"line_no": 1, "counted": "1",
                                                        "accepted": "1"}]})  # fmt: skip

    lines = [
        {"line_no": 1, "counted": "10", "accepted": "9", "rejected": "1",
         "reject_reason": "damaged"},
        {"line_no": 2, "counted": "5", "accepted": "5"},
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        keeper.receive_goods(po["po_id"], {"lines": lines})
    assert caught.value.code == "BIN_REQUIRED"
    assert list(caught.value.fields["lines"]) == ["1"]
    assert parts.item(PUDONG, WIPER)["on_hand"] == f"{stock_at(PUDONG)[WIPER]}.000", (
        "nothing booked"
    )

    lines[1]["bin"] = "D-05-01"
    receipt = keeper.receive_goods(po["po_id"], {"lines": lines})
    assert receipt["purchase_order_status"] == "partly_received"
    first, second = receipt["lines"]
    assert (first["accepted"], first["rejected"], first["reject_reason"], first["variance"]) == (
        "9.000", "1.000", "damaged", "0.000",
    )  # fmt: skip
    assert first["bin"] == "C-03-01" and first["unit_cost"] == "60.00"
    assert (second["bin"], second["unit_cost"]) == ("D-05-01", "22.00")
    # Wipers: 15 @ 65.00 + 9 @ 60.00 = 975 + 540 = 1 515.00 over 24.
    wiper = parts.item(PUDONG, WIPER)
    assert (wiper["on_hand"], wiper["value"], wiper["average_cost"]) == (
        "24.000", "1515.00", "63.1250",
    )  # fmt: skip

    for bad, code in (
        ([{"line_no": 1, "counted": "2", "accepted": "2"}], "OVER_RECEIPT"),
        ([{"line_no": 1, "counted": "2", "accepted": "1"}], "RECEIPT_MISMATCH"),
        ([{"line_no": 1, "counted": "1", "accepted": "0", "rejected": "1"}], "REASON_REQUIRED"),
        ([{"line_no": 9, "counted": "1", "accepted": "1"}], "UNKNOWN_LINE"),
    ):
        with pytest.raises((Conflict, ValidationFailed)) as caught:
            keeper.receive_goods(po["po_id"], {"lines": bad})
        assert caught.value.code == code
    receipt2 = keeper.receive_goods(
        po["po_id"],
        {"lines": [{"line_no": 1, "counted": "2", "accepted": "1", "rejected": "1",
                    "reject_reason": "excess"}]},
    )  # fmt: skip
    assert receipt2["purchase_order_status"] == "received"
    assert receipt2["lines"][0]["variance"] == "1.000", "two counted, one was outstanding"

    # The damaged wiper is claimed from the supplier; the excess one is not claimable.
    claim = planner.create_supplier_claim(
        {"receipt_id": receipt["receipt_id"],
         "lines": [{"receipt_line_id": first["receipt_line_id"], "quantity": "1"}],
         "note": "外包装破损"},
    )  # fmt: skip
    assert (claim["status"], claim["amount"], claim["supplier_id"]) == (
        "submitted", "60.00", "sup-local-hd",
    )  # fmt: skip
    assert claim["lines"][0]["reason"] == "damaged"
    with pytest.raises(Conflict) as caught:
        planner.create_supplier_claim(
            {"receipt_id": receipt["receipt_id"],
             "lines": [{"receipt_line_id": first["receipt_line_id"], "quantity": "1"}]},
        )  # fmt: skip
    assert caught.value.code == "OVER_CLAIM"
    with pytest.raises(ValidationFailed) as caught:
        planner.create_supplier_claim(
            {"receipt_id": receipt2["receipt_id"],
             "lines": [{"receipt_line_id": receipt2["lines"][0]["receipt_line_id"],
                        "quantity": "1"}]},
        )  # fmt: skip
    assert caught.value.code == "NOT_CLAIMABLE"
    with pytest.raises(ValidationFailed) as caught:
        planner.decide_supplier_claim(claim["claim_id"], {"decision": "accepted",
                                                         "credited": "61.00"})  # fmt: skip
    assert caught.value.code == "OVER_CREDIT"
    decided = planner.decide_supplier_claim(claim["claim_id"], {"decision": "accepted"})
    assert (decided["status"], decided["credited"]) == ("accepted", "60.00")
    with pytest.raises(Conflict) as caught:
        planner.decide_supplier_claim(claim["claim_id"], {"decision": "rejected"})
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert [c["claim_id"] for c in parts.rpc(HQ).list_supplier_claims()["items"]] == [
        claim["claim_id"]
    ]
    assert parts.rpc(KEEPER_SZ).list_supplier_claims()["items"] == []
    parts.balanced()


def test_cancel_and_short_close(parts: Parts) -> None:
    parts.seed()
    planner, keeper = parts.rpc(PLANNER_PD), parts.rpc(KEEPER_PD)
    parts.request_parts("ro-1002", [(TIMING, "3")])
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-1002"})["items"]
    emergency = planner.cancel_purchase_order(backorder["po_id"], {"reason": "OEM 缺货"})
    assert emergency["status"] == "cancelled"
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-1002"})["items"]
    assert (backorder["po_id"], backorder["expected_at"], backorder["status"]) == (
        None, None, "open",
    )  # fmt: skip
    # The planner sees the waiting demand no order covers, and buys it elsewhere.
    [line] = planner.order_proposal({"site_id": PUDONG})["lines"]
    assert (line["part_number"], line["waiting"], line["quantity"]) == (TIMING, "1.000", "1.000")

    po = planner.create_purchase_order(
        {"site_id": PUDONG, "supplier_id": "sup-local-hd", "kind": "emergency",
         "lines": [{"part_number": TIMING, "quantity": "2"}]},
    )  # fmt: skip
    planner.send_purchase_order(po["po_id"])
    receipt = keeper.receive_goods(
        po["po_id"], {"lines": [{"line_no": 1, "counted": "1", "accepted": "1"}]}
    )
    assert [s["order_id"] for s in receipt["served"]] == ["ro-1002"], "any receipt serves it"
    with pytest.raises(Conflict) as caught:
        planner.cancel_purchase_order(po["po_id"])
    assert caught.value.code == "ILLEGAL_TRANSITION"
    closed = planner.close_purchase_order(po["po_id"], {"reason": "供应商停产"})
    assert closed["status"] == "closed"
    with pytest.raises(Conflict):
        keeper.receive_goods(po["po_id"], {"lines": [{"line_no": 1, "counted": "1",
                                                       "accepted": "1"}]})  # fmt: skip
    parts.balanced()


def _notice(po_id: str, **overrides: Any) -> dict[str, Any]:
    return {
        "shipment_id": "shp-0100",
        "po_id": po_id,
        "oem_id": "oem-saic-vw",
        "shipped_at": "2026-11-26T01:00:00+00:00",
        "expected_at": "2026-11-29",
        "lines": [{"line_no": 1, "part_number": TIMING, "quantity_shipped": "1",
                   "unit_cost": None}],
        **overrides,
    }  # fmt: skip


def test_shipment_notices_are_matched_or_kept_aside(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-1003", [(TIMING, "3")])
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-1003"})["items"]
    po_id = backorder["po_id"]
    wait = "on_shipment_notice"
    parts.publish("oem", "shipment_notice", _notice(po_id), wait=wait)
    # Sent twice by the OEM (a new message id): kept once.
    parts.publish("oem", "shipment_notice", _notice(po_id), wait=wait)
    parts.publish("oem", "shipment_notice", _notice("po-nowhere", shipment_id="shp-0101"),
                  wait=wait)  # fmt: skip
    parts.publish(
        "oem", "shipment_notice",
        _notice(po_id, shipment_id="shp-0102", oem_id="oem-gac-toyota"), wait=wait,
    )  # fmt: skip
    parts.publish(
        "oem", "shipment_notice",
        _notice(po_id, shipment_id="shp-0104", lines=[
            {"line_no": 1, "part_number": TIMING, "quantity_shipped": "1e400", "unit_cost": None}
        ]), wait=wait,
    )  # fmt: skip
    # Another group's notice naming our order does not touch it.
    parts.publish(
        "oem", "shipment_notice", _notice(po_id, shipment_id="shp-0103", expected_at="2027-01-01"),
        group_id="grp-other", site_id=None, wait=wait,
    )  # fmt: skip
    shipments = {s["shipment_id"]: s for s in parts.rpc(HQ).list_shipments()["items"]}
    assert set(shipments) == {"shp-0100", "shp-0101", "shp-0102", "shp-0104"}
    assert shipments["shp-0104"]["note"] == "line 1: quantity shipped out of range"
    assert (shipments["shp-0100"]["status"], shipments["shp-0100"]["site_id"]) == (
        "in_transit", PUDONG,
    )  # fmt: skip
    assert shipments["shp-0101"]["status"] == "unmatched"
    assert shipments["shp-0102"]["note"] == "the order is not with this OEM"
    assert parts.rpc(OTHER_HQ).list_shipments()["items"] == [
        {**shipments["shp-0100"], "shipment_id": "shp-0103", "status": "unmatched",
         "site_id": None, "expected_at": "2027-01-01", "note": "no such purchase order"},
    ]  # fmt: skip
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-1003"})["items"]
    assert backorder["expected_at"] == "2026-11-29"
    assert parts.rpc(KEEPER_SZ).list_shipments()["items"] == []

    keeper = parts.rpc(KEEPER_PD)
    with pytest.raises(NotFound) as caught:
        keeper.receive_goods(po_id, {"shipment_id": "shp-0101",
                                     "lines": [{"line_no": 1, "counted": "1", "accepted": "1"}]})  # fmt: skip  # noqa: E501
    assert caught.value.code == "SHIPMENT_NOT_FOUND"
    receipt = keeper.receive_goods(
        po_id, {"shipment_id": "shp-0100",
                "lines": [{"line_no": 1, "counted": "1", "accepted": "1"}]},
    )  # fmt: skip
    assert receipt["lines"][0]["unit_cost"] == "680.00", "no cost on the notice: the order's"
    by_id = {
        s["shipment_id"]: s["status"]
        for s in parts.rpc(HQ).list_shipments({"po_id": po_id})["items"]
    }
    assert by_id == {"shp-0100": "received", "shp-0102": "unmatched", "shp-0104": "unmatched"}


def test_purchase_orders_belong_to_their_site(parts: Parts) -> None:
    parts.seed()
    po = parts.rpc(PLANNER_PD).create_purchase_order(
        {"site_id": PUDONG, "lines": [{"part_number": WASH, "quantity": "10"}]}
    )
    for stranger in (KEEPER_SZ, MANAGER_SZ, OTHER_HQ):
        with pytest.raises(NotFound) as caught:
            parts.rpc(stranger).get_purchase_order(po["po_id"])
        assert caught.value.code == "PURCHASE_ORDER_NOT_FOUND"
    with pytest.raises(Forbidden) as caught:
        parts.rpc(MANAGER_SZ).create_purchase_order(
            {"site_id": PUDONG, "lines": [{"part_number": WASH, "quantity": "1"}]}
        )
    assert caught.value.code == "SITE_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        parts.rpc(KEEPER_PD).create_purchase_order(
            {"site_id": PUDONG, "lines": [{"part_number": WASH, "quantity": "1"}]}
        )
    assert caught.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(NotFound) as caught:
        parts.rpc(PLANNER_PD).create_purchase_order(
            {"site_id": PUDONG, "supplier_id": "sup-nowhere",
             "lines": [{"part_number": WASH, "quantity": "1"}]}
        )  # fmt: skip
    assert caught.value.code == "SUPPLIER_NOT_FOUND"
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(PLANNER_PD).create_purchase_order(
            {"site_id": PUDONG, "lines": [{"part_number": "NOPE", "quantity": "1"}]}
        )
    assert caught.value.fields == {"lines.0.part_number": ["unknown part number NOPE"]}
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(PLANNER_PD).create_purchase_order({"site_id": PUDONG})
    assert list(caught.value.fields) == ["lines"]
    assert [p["po_id"] for p in parts.rpc(HQ).list_purchase_orders({})["items"]] == [po["po_id"]]
    # Extreme but valid input is a 400, never an overflowing column.
    huge = parts.rpc(PLANNER_PD).create_purchase_order(
        {"site_id": PUDONG, "supplier_id": "sup-local-hd",
         "lines": [{"part_number": WASH, "quantity": "99999", "unit_cost": "99999999.99"}]}
    )  # fmt: skip
    parts.rpc(PLANNER_PD).send_purchase_order(huge["po_id"])
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(KEEPER_PD).receive_goods(
            huge["po_id"], {"lines": [{"line_no": 1, "counted": "99999", "accepted": "99999"}]}
        )
    assert caught.value.code == "VALUE_TOO_LARGE"
    parts.balanced(PUDONG)
    assert parts.rpc(MANAGER_SZ).list_purchase_orders({})["items"] == []
    assert SUZHOU
