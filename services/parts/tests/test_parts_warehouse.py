"""Stock by site, warehouse and bin, the ledger and its reconciliation, relocation,
scrap and stocktake, on the real broker and PostgreSQL."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from aftersales_cli.parts_testing import (
    ADVISOR_PD,
    HQ,
    KEEPER_PD,
    KEEPER_SZ,
    MANAGER_PD,
    OEM,
    OTHER_HQ,
    SYSTEM,
    Parts,
    stock_at,
)
from aftersales_cli.seed_data import HANGZHOU, PUDONG, SUZHOU, demo_group
from aftersales_core.errors import Conflict, Forbidden, ValidationFailed

OIL_FILTER, AIR_FILTER, TIMING, DOT4 = "04E115561H", "04E129620", "04E198119A", "DOT4-1L"


def _opening_value(site_id: str) -> D:
    return sum(
        (D(row["quantity"]) * D(row["unit_cost"]) for row in demo_group()["stock"]
         if row["site_id"] == site_id),
        D("0.00"),
    )  # fmt: skip


def test_opening_stock_is_booked_once_and_balances(parts: Parts) -> None:
    assert parts.seed() == {"parts": 21, "suppliers": 4, "stock": 39}
    assert parts.seed() == {"parts": 0, "suppliers": 0, "stock": 0}, "idempotent"
    for site in (PUDONG, SUZHOU, HANGZHOU):
        result = parts.rpc(HQ).reconcile({"site_id": site})
        assert result["balanced"] and result["items"] == len(stock_at(site))
        assert D(result["stock_value"]) == _opening_value(site)

    items = parts.rpc(KEEPER_PD).list_stock({})["items"]
    assert {i["site_id"] for i in items} == {PUDONG}, "a keeper sees their own site"
    filter_item = next(i for i in items if i["part_number"] == OIL_FILTER)
    assert filter_item == {
        "site_id": PUDONG, "stock_class": "usable", "part_number": OIL_FILTER,
        "name": "机油滤清器", "on_hand": "60.000", "reserved": "0.000", "available": "60.000",
        "average_cost": "28.0000", "value": "1680.00", "min_qty": None, "max_qty": None,
        "last_movement_at": filter_item["last_movement_at"],
    }  # fmt: skip
    assert len(parts.rpc(HQ).list_stock({})["items"]) == 39
    assert parts.rpc(OTHER_HQ).list_stock({})["items"] == []
    with pytest.raises(Forbidden):
        parts.rpc(KEEPER_SZ).list_stock({"site_id": PUDONG})["items"]
    with pytest.raises(Forbidden):
        parts.rpc(OEM).list_stock({})["items"]

    [where] = parts.rpc(KEEPER_PD).bin_stock({"part_number": OIL_FILTER})["items"]
    assert (where["bin"], where["quantity"], where["stock_class"]) == (
        "A-01-01",
        "60.000",
        "usable",
    )
    [warehouse] = parts.rpc(KEEPER_PD).list_warehouses()["items"]
    assert (warehouse["name"], warehouse["kind"]) == ("配件主库", "main")
    assert where["warehouse_id"] == warehouse["warehouse_id"]

    [entry] = parts.rpc(KEEPER_PD).ledger({"site_id": PUDONG, "part_number": OIL_FILTER})["items"]
    assert (entry["movement"], entry["quantity"], entry["value"], entry["balance_after"]) == (
        "opening", "60.000", "1680.00", "60.000",
    )  # fmt: skip
    assert entry["user_id"] == "system"
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(KEEPER_PD).ledger({"site_id": PUDONG, "part_number": OIL_FILTER, "limit": 0})[
            "items"
        ]
    assert caught.value.fields == {
        "limit": ["Must be greater than or equal to 1 and less than or equal to 200."]
    }

    # A bad row refuses the whole load.
    data = {"group_id": "grp-huadong", "stock": [{**demo_group()["stock"][0],
                                                  "part_number": "NOPE"}]}  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(SYSTEM).import_reference_data(data)
    assert caught.value.code == "UNKNOWN_PART"


def test_relocation_moves_stock_between_bins_keeping_its_age(parts: Parts) -> None:
    parts.seed()
    [warehouse] = parts.rpc(KEEPER_PD).list_warehouses()["items"]
    wh = warehouse["warehouse_id"]
    second = parts.rpc(KEEPER_PD).add_warehouse({"site_id": PUDONG, "name": "二楼配件库"})
    with pytest.raises(Conflict) as caught:
        parts.rpc(KEEPER_PD).add_warehouse({"site_id": PUDONG, "name": "二楼配件库"})
    assert caught.value.code == "WAREHOUSE_EXISTS"
    [before] = parts.rpc(KEEPER_PD).bin_stock({"part_number": OIL_FILTER})["items"]
    moved = parts.rpc(KEEPER_PD).relocate_stock(
        {"site_id": PUDONG, "part_number": OIL_FILTER, "from_warehouse_id": wh,
         "from_bin": "A-01-01", "to_warehouse_id": second["warehouse_id"], "to_bin": "F-01-01",
         "quantity": "10"},
    )  # fmt: skip
    assert moved["quantity"] == "10.000"
    bins = {(b["warehouse_id"], b["bin"]): b for b in
            parts.rpc(KEEPER_PD).bin_stock({"part_number": OIL_FILTER})["items"]}  # fmt: skip
    assert bins[(wh, "A-01-01")]["quantity"] == "50.000"
    assert bins[(second["warehouse_id"], "F-01-01")]["quantity"] == "10.000"
    assert (
        bins[(second["warehouse_id"], "F-01-01")]["oldest_receipt_at"]
        == before["oldest_receipt_at"]
    )
    item = parts.item(PUDONG, OIL_FILTER)
    assert (item["on_hand"], item["value"]) == ("60.000", "1680.00")
    with pytest.raises(Conflict) as caught:
        parts.rpc(KEEPER_PD).relocate_stock(
            {"site_id": PUDONG, "part_number": OIL_FILTER, "from_warehouse_id": wh,
             "from_bin": "A-01-01", "to_warehouse_id": wh, "to_bin": "A-09-09",
             "quantity": "51"},
        )  # fmt: skip
    assert caught.value.code == "INSUFFICIENT_STOCK"
    with pytest.raises(Forbidden):
        parts.rpc(ADVISOR_PD).relocate_stock(
            {"site_id": PUDONG, "part_number": OIL_FILTER, "from_warehouse_id": wh,
             "from_bin": "A-01-01", "to_warehouse_id": wh, "to_bin": "A-09-09",
             "quantity": "1"},
        )  # fmt: skip
    parts.balanced(PUDONG)


def test_scrap_is_a_managers_act_and_reservations_give_way(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-2001", [(TIMING, "1")])
    parts.request_parts("ro-2002", [(TIMING, "1")])
    scrap = {"site_id": PUDONG, "part_number": TIMING, "quantity": "1", "reason": "包装受潮"}
    with pytest.raises(Forbidden):
        parts.rpc(KEEPER_PD).scrap_stock(scrap)
    result = parts.rpc(MANAGER_PD).scrap_stock(scrap)
    assert (result["value"], result["item"]["on_hand"], result["item"]["reserved"]) == (
        "680.00", "1.000", "1.000",
    )  # fmt: skip
    # The newest reservation gave way: its RO now waits for a back order.
    [event] = parts.payloads("part_backordered")
    assert event["order_id"] == "ro-2002" and event["quantity"] == "1"
    [entry, *_] = parts.rpc(HQ).ledger({"site_id": PUDONG, "part_number": TIMING})["items"]
    assert (entry["movement"], entry["quantity"], entry["note"]) == ("scrap", "-1.000", "包装受潮")
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(MANAGER_PD).scrap_stock({**scrap, "movement": "supplier_return"})
    assert caught.value.code == "INVALID_MOVEMENT"
    with pytest.raises(Conflict) as caught:
        parts.rpc(MANAGER_PD).scrap_stock({**scrap, "quantity": "2"})
    assert caught.value.code == "INSUFFICIENT_STOCK"
    parts.balanced(PUDONG)


def test_stocktake_count_variance_and_manager_approval(parts: Parts) -> None:
    parts.seed()
    parts.request_parts("ro-3001", [(TIMING, "2")])
    keeper, manager = parts.rpc(KEEPER_PD), parts.rpc(MANAGER_PD)
    [warehouse] = keeper.list_warehouses({"site_id": PUDONG})["items"]
    wh = warehouse["warehouse_id"]
    sheet = keeper.start_stocktake({"site_id": PUDONG, "warehouse_id": wh, "kind": "monthly"})
    assert sheet["status"] == "counting"
    assert len(sheet["lines"]) == len(stock_at(PUDONG))
    assert all(line["counted"] is None for line in sheet["lines"])
    with pytest.raises(Conflict) as caught:
        keeper.start_stocktake({"site_id": PUDONG, "warehouse_id": wh})
    assert caught.value.code == "STOCKTAKE_OPEN"

    # The warehouse is frozen while it is counted.
    req_id = parts.rpc(HQ).list_requisitions({"order_id": "ro-3001"})["items"][0]["requisition_id"]
    with pytest.raises(Conflict) as caught:
        keeper.issue_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "1"}]})
    assert caught.value.code == "STOCKTAKE_IN_PROGRESS"

    counts = {(line["bin"], line["part_number"]): line["book"] for line in sheet["lines"]}
    oil_bin = next(b for b, p in counts if p == OIL_FILTER)
    air_bin = next(b for b, p in counts if p == AIR_FILTER)
    timing_bin = next(b for b, p in counts if p == TIMING)
    counts[(oil_bin, OIL_FILTER)] = "58"  # -2 x 28.00 = -56.00
    counts[(air_bin, AIR_FILTER)] = "21"  # +1 x 52.00 = +52.00
    counts[(timing_bin, TIMING)] = "1"  # -1 x 680.00 = -680.00
    first_half = [{"bin": b, "part_number": p, "counted": q} for (b, p), q in counts.items()]
    keeper.record_counts(sheet["stocktake_id"], {"lines": first_half[:5]})
    with pytest.raises(Conflict) as caught:
        keeper.submit_stocktake(sheet["stocktake_id"])
    assert caught.value.code == "UNCOUNTED_LINES"
    keeper.record_counts(
        sheet["stocktake_id"],
        {"lines": [*first_half[5:], {"bin": "D-05-02", "part_number": DOT4, "counted": "1"}]},
    )  # +1 x 45.00 found in a bin the book does not know
    counted = keeper.submit_stocktake(sheet["stocktake_id"])
    assert counted["status"] == "counted"
    book_value = _opening_value(PUDONG)
    assert counted["report"] == {
        "lines": 16, "counted": 16, "uncounted": 0, "with_variance": 4,
        "book_value": str(book_value), "gain_value": "97.00", "loss_value": "-736.00",
        "net_value": "-639.00", "accuracy": "0.7500",
    }  # fmt: skip
    with pytest.raises(Forbidden):
        keeper.decide_stocktake(sheet["stocktake_id"], {"decision": "approve"})
    with pytest.raises(Conflict) as caught:
        keeper.record_counts(sheet["stocktake_id"], {"lines": first_half[:1]})
    assert caught.value.code == "ILLEGAL_TRANSITION"
    assert parts.item(PUDONG, OIL_FILTER)["on_hand"] == "60.000", "nothing posted before approval"

    # Sent back, recounted (the filters were there after all), approved.
    manager.decide_stocktake(sheet["stocktake_id"], {"decision": "recount", "note": "复盘"})
    keeper.record_counts(
        sheet["stocktake_id"], {"lines": [{"bin": oil_bin, "part_number": OIL_FILTER,
                                           "counted": "59"}]}
    )  # fmt: skip
    keeper.submit_stocktake(sheet["stocktake_id"])
    approved = manager.decide_stocktake(sheet["stocktake_id"], {"decision": "approve"})
    assert approved["status"] == "approved" and approved["approved_by"] == "pm.guo.pd"
    assert approved["report"]["net_value"] == "-611.00"
    assert [h["action"] for h in approved["history"]] == [
        "started", "counted", "counted", "submitted", "recount", "counted", "submitted",
        "approved",
    ]  # fmt: skip

    assert parts.item(PUDONG, OIL_FILTER)["on_hand"] == "59.000"
    assert parts.item(PUDONG, AIR_FILTER)["on_hand"] == "21.000"
    dot4 = {b["bin"]: b["quantity"] for b in keeper.bin_stock({"part_number": DOT4})["items"]}
    assert dot4["D-05-02"] == "1.000"
    timing = parts.item(PUDONG, TIMING)
    assert (timing["on_hand"], timing["reserved"]) == ("1.000", "1.000")
    [event] = parts.payloads("part_backordered")
    assert (event["order_id"], event["quantity"]) == ("ro-3001", "1")
    entries = [
        e
        for e in parts.rpc(HQ).ledger({"site_id": PUDONG})["items"]
        if e["movement"] == "adjustment"
    ]
    assert sorted((e["part_number"], e["quantity"]) for e in entries) == sorted(
        [(AIR_FILTER, "1.000"), (TIMING, "-1.000"), (OIL_FILTER, "-1.000"), (DOT4, "1.000")]
    )
    # The warehouse moves again.
    keeper.issue_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "1"}]})
    parts.balanced(PUDONG)
    assert [s["status"] for s in parts.rpc(HQ).list_stocktakes({"site_id": PUDONG})["items"]] == [
        "approved"
    ]
