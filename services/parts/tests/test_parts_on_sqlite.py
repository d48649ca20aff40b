"""The quick start keeps parts on SQLite (`var/parts.db`): the migrations and the
main path (reserve, back-order, issue, receive, return, stocktake) work there too,
with exact decimals and balanced books."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from aftersales_cli.parts_testing import HQ, KEEPER_PD, MANAGER_PD, Parts
from aftersales_cli.processes import PROCESSES
from aftersales_cli.seed_data import PUDONG
from aftersales_core.migrate import upgrade
from aftersales_parts.base import BUSINESS_TZ
from aftersales_parts.service import PartsService


@pytest.fixture
def sqlite_parts(tmp_path: Path, run_services: Any, amqp_uri: str, rpc: Any) -> Iterator[Parts]:
    url = f"sqlite:///{tmp_path / 'parts.db'}"
    upgrade(PROCESSES["parts"].migrations_dir(), url)
    [runner] = run_services({PartsService: url})
    engine = create_engine(url)
    yield Parts(url, engine, runner.service_map["parts"], amqp_uri, rpc)
    engine.dispose()


def test_the_main_path_on_sqlite(sqlite_parts: Parts) -> None:
    parts = sqlite_parts
    parts.seed()
    parts.request_parts("ro-lite-1", [("5Q0819653", "3"), ("04E198119A", "3")])
    [requisition] = parts.rpc(HQ).list_requisitions({"order_id": "ro-lite-1"})["items"]
    req_id = requisition["requisition_id"]
    [backorder] = parts.rpc(HQ).list_backorders({"order_id": "ro-lite-1"})["items"]
    issued = parts.rpc(KEEPER_PD).issue_parts(
        req_id,
        {"lines": [{"line_id": "ln-1", "quantity": "3"}, {"line_id": "ln-2", "quantity": "2"}]},
    )
    assert [i["unit_cost"] for i in issued["issued"]] == ["45.00", "680.00"]
    receipt = parts.rpc(KEEPER_PD).receive_goods(
        backorder["po_id"],
        {"lines": [{"line_no": 1, "counted": "1", "accepted": "1", "unit_cost": "699.99"}]},
    )
    assert receipt["served"][0]["order_id"] == "ro-lite-1"
    parts.rpc(KEEPER_PD).issue_parts(req_id, {"lines": [{"line_id": "ln-2", "quantity": "1"}]})
    parts.rpc(KEEPER_PD).return_parts(req_id, {"lines": [{"line_id": "ln-1", "quantity": "1"}]})
    item = parts.item(PUDONG, "5Q0819653")
    # 24 @ 45.00 = 1 080.00; out 3 at 135.00, one back: 1 080.00 - 90.00
    assert (item["on_hand"], item["value"]) == ("22.000", "990.00")
    [warehouse] = parts.rpc(KEEPER_PD).list_warehouses({"site_id": PUDONG})["items"]
    sheet = parts.rpc(KEEPER_PD).start_stocktake(
        {"site_id": PUDONG, "warehouse_id": warehouse["warehouse_id"]}
    )
    counts = [
        {"bin": ln["bin"], "part_number": ln["part_number"],
         "counted": "21" if ln["part_number"] == "5Q0819653" else ln["book"]}
        for ln in sheet["lines"]
    ]  # fmt: skip
    parts.rpc(KEEPER_PD).record_counts(sheet["stocktake_id"], {"lines": counts})
    parts.rpc(KEEPER_PD).submit_stocktake(sheet["stocktake_id"])
    approved = parts.rpc(MANAGER_PD).decide_stocktake(
        sheet["stocktake_id"], {"decision": "approve"}
    )
    assert approved["report"]["net_value"] == "-45.00"
    assert parts.item(PUDONG, "5Q0819653")["value"] == "945.00"
    result = parts.rpc(HQ).reconcile({"site_id": PUDONG})
    assert result["balanced"], result["mismatches"]
    today = datetime.now(BUSINESS_TZ).date()
    figures = parts.rpc(HQ).figures({"from": today.isoformat(), "to": today.isoformat()})
    pudong = next(s for s in figures["sites"] if s["site_id"] == PUDONG)
    assert (pudong["lines_requested"], pudong["lines_filled_at_once"]) == (2, 1)
    # 3 air-con filters at 45.00 + 3 timing belts (2 at 680.00, 1 at the new average)
    # - 1 filter returned at 45.00
    assert pudong["cost_of_issues"] == str(D("135.00") + D("1360.00") + D("699.99") - D("45.00"))
    assert pudong["stock_value"] == result["stock_value"]
