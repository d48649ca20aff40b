"""Parts' routes over HTTP, with every service running (one system for the module) on
real RabbitMQ and PostgreSQL: the warehouse's day through the gateway, its tenancy
and its error shape.

Reception's `part_requested` is published on reception's exchange as its outbox would,
so these tests do not depend on how reception is driven.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from kombu import Connection, Producer
from nameko.standalone.rpc import ClusterRpcProxy

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
    SUPPLIERS,
)
from aftersales_cli.seed_data import GROUP_ID, HANGZHOU, PUDONG, SUZHOU, demo_group
from aftersales_cli.testing import System, wait_for
from aftersales_core.envelope import Envelope
from aftersales_core.messaging import event_exchange
from aftersales_core.tenancy import Tenant
from aftersales_parts.base import BUSINESS_TZ

P = "/api/v1/parts"
OIL_FILTER, AIR_FILTER, PADS, TIMING, WASH, WIPER = (
    "04E115561H", "04E129620", "5Q0698151B", "04E198119A", "WASH-2L", "WIPER-2426",
)  # fmt: skip


@pytest.fixture(scope="module")
def system(gateway_system: System) -> System:
    """The demo group with the parts warehouse's suppliers and opening stock loaded
    (idempotent: nothing is added twice if the seed loader already did it)."""
    data = demo_group()
    config = {"AMQP_URI": gateway_system.amqp_uri, "serializer": "json"}
    with ClusterRpcProxy(config, context_data=Tenant.system(GROUP_ID).to_context()) as rpc:
        rpc.parts.import_reference_data(
            {"group_id": GROUP_ID, "suppliers": copy.deepcopy(SUPPLIERS), "stock": data["stock"]}
        )
    return gateway_system


# ---------------------------------------------------------------- helpers


def _ok(resp: requests.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    assert resp.headers["Content-Type"].startswith("application/json")
    return resp.json()


def _error(resp: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape; returns the inner object."""
    assert resp.status_code == status, (resp.status_code, resp.text[:800])
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "fields"}, body
    assert isinstance(body["error"]["fields"], dict)
    assert "Traceback" not in resp.text
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def _request_parts(system: System, lines: list[tuple[str, str]], site: str = PUDONG) -> str:
    """Reception approves an RO's part lines; returns the RO's id once parts has it."""
    order_id = f"ro-{uuid.uuid4().hex[:10]}"
    payload = {
        "order_id": order_id,
        "order_number": f"PD-{order_id[-6:]}",
        "vin": "LSVAL618XK2187342",
        "approved_by": "sa.wang.pd",
        "lines": [
            {"line_id": f"ln-{n}", "part_number": number, "quantity": qty, "payer": "customer"}
            for n, (number, qty) in enumerate(lines, 1)
        ],
    }
    envelope = Envelope("part_requested", GROUP_ID, site, payload, order_id)
    with Connection(system.amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.channel()).publish(
            envelope.to_dict(), exchange=event_exchange("reception"),
            routing_key="part_requested", serializer="json", delivery_mode=2,
        )  # fmt: skip
    wait_for(
        lambda: system.get(f"{P}/requisitions", HQ, params={"order_id": order_id}).json()["items"],
        20,
        "parts made the requisition",
    )
    return order_id


def _requisition(system: System, order_id: str) -> dict[str, Any]:
    [found] = _ok(system.get(f"{P}/requisitions", KEEPER_PD, params={"order_id": order_id}))[
        "items"
    ]
    return found


def _patch(system: System, path: str, tenant: Tenant, **kwargs: Any) -> requests.Response:
    return system.request("PATCH", path, tenant, **kwargs)


# ---------------------------------------------------------------- catalog


def test_catalog_prices_and_quote(system: System) -> None:
    catalog = _ok(system.get(P, ADVISOR_PD, params={"q": "制动片"}))["items"]
    assert {p["part_number"] for p in catalog} == {PADS, "5Q0698451", "04465-02220"}
    part = _ok(system.get(f"{P}/catalog/{OIL_FILTER}", ADVISOR_PD))
    assert (part["price"], part["cost"]) == ("48.00", "28.00")
    _error(system.get(f"{P}/catalog/NOPE", ADVISOR_PD), 404, "PART_NOT_FOUND")
    _error(system.get(P, ADVISOR_PD, params={"colour": "red"}), 400, "VALIDATION_ERROR")

    new = {"part_number": f"T-{uuid.uuid4().hex[:6]}", "name": "测试件", "unit": "个",
           "cost": "10.00", "price": "15.00"}  # fmt: skip
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = _ok(system.post(P, MANAGER_PD, json=new, headers=key), 201)
    assert _ok(system.post(P, MANAGER_PD, json=new, headers=key), 201) == first, "replayed"
    _error(system.post(P, MANAGER_PD, json=new), 409, "PART_EXISTS")
    _error(system.post(P, KEEPER_PD, json={**new, "part_number": "T-x"}), 403, "ROLE_FORBIDDEN")
    error = _error(system.post(P, MANAGER_PD, json={**new, "price": "9.99"}), 400)
    assert error["fields"] == {"price": ["price is below cost"]}
    updated = _ok(_patch(system, f"{P}/catalog/{new['part_number']}", HQ,
                         json={"models": ["朗逸"]}))  # fmt: skip
    assert updated["models"] == ["朗逸"]

    change = _ok(system.post(f"{P}/catalog/{new['part_number']}/price-changes", MANAGER_PD,
                             json={"price": "16.50", "reason": "调价"}), 201)  # fmt: skip
    assert (change["old_price"], change["new_price"]) == ("15.00", "16.50")
    history = _ok(system.get(f"{P}/catalog/{new['part_number']}/price-changes", ADVISOR_PD))[
        "items"
    ]
    assert [h["new_price"] for h in history] == ["15.00", "16.50"]

    quote = _ok(system.post(f"{P}/quote", ADVISOR_PD,
                            json={"site_id": PUDONG, "part_numbers": [OIL_FILTER]}))  # fmt: skip
    assert quote[0]["price"] == "48.00" and Decimal(quote[0]["available"]) > 0
    error = _error(
        system.post(f"{P}/quote", ADVISOR_PD, json={"site_id": PUDONG, "part_numbers": ["NOPE"]}),
        400, "UNKNOWN_PART",
    )  # fmt: skip
    assert error["fields"] == {"part_numbers": ["unknown part number NOPE"]}
    _error(system.post(f"{P}/quote", ADVISOR_PD, json={"site_id": SUZHOU,
                                                        "part_numbers": [OIL_FILTER]}),
           403, "SITE_FORBIDDEN")  # fmt: skip
    assert _ok(system.get(P, OTHER_HQ)) == {"items": [], "next_cursor": None}


# ---------------------------------------------------------------- the warehouse's day


def test_requested_issued_backordered_and_received_later(system: System) -> None:
    order_id = _request_parts(system, [(OIL_FILTER, "1"), (TIMING, "3")])
    requisition = _requisition(system, order_id)
    lines = {ln["line_id"]: ln for ln in requisition["lines"]}
    assert (lines["ln-1"]["status"], lines["ln-2"]["status"]) == ("reserved", "backordered")
    [backorder] = _ok(system.get(f"{P}/backorders", ADVISOR_PD, params={"order_id": order_id}))[
        "items"
    ]
    assert (backorder["outstanding"], backorder["status"]) == ("1.000", "open")
    po = _ok(system.get(f"{P}/purchase-orders/{backorder['po_id']}", PLANNER_PD))
    assert (po["kind"], po["status"], po["supplier_id"]) == ("emergency", "sent", "sup-saic-vw")

    # Issue what is there: once, even if the keeper's tablet sends it twice.
    req_id = requisition["requisition_id"]
    body = {"lines": [{"line_id": "ln-1", "quantity": "1", "old_part": "scrap"},
                      {"line_id": "ln-2", "quantity": "2"}]}  # fmt: skip
    key = {"Idempotency-Key": uuid.uuid4().hex}
    issued = _ok(system.post(f"{P}/requisitions/{req_id}/issues", KEEPER_PD, json=body,
                             headers=key), 201)  # fmt: skip
    again = _ok(system.post(f"{P}/requisitions/{req_id}/issues", KEEPER_PD, json=body,
                            headers=key), 201)  # fmt: skip
    assert again == issued
    detail = _ok(system.get(f"{P}/requisitions/{req_id}", ADVISOR_PD))
    assert len(detail["issues"]) == 2
    issues = sorted((i["part_number"], i["quantity"], i["unit_price"]) for i in detail["issues"])
    assert issues == [(OIL_FILTER, "1.000", "48.00"), (TIMING, "2.000", "1180.00")]
    error = _error(system.post(f"{P}/requisitions/{req_id}/issues", KEEPER_PD,
                               json={"lines": [{"line_id": "ln-2", "quantity": "1"}]}),
                   409, "NOT_RESERVED")  # fmt: skip
    assert error["fields"] == {"lines": {"0": {"quantity": ["at most 0"]}}}
    _error(system.post(f"{P}/requisitions/{req_id}/issues", ADVISOR_PD, json=body), 403)
    _error(system.get(f"{P}/requisitions/{req_id}", KEEPER_SZ), 404, "REQUISITION_NOT_FOUND")

    # The OEM's shipment arrives; the keeper receives it and it is reserved for the RO.
    receipt = _ok(system.post(f"{P}/purchase-orders/{po['po_id']}/receipts", KEEPER_PD,
                              json={"lines": [{"line_no": 1, "counted": "1",
                                               "accepted": "1"}]}), 201)  # fmt: skip
    assert receipt["served"][0]["order_id"] == order_id
    line = {ln["line_id"]: ln for ln in _requisition(system, order_id)["lines"]}["ln-2"]
    assert (line["reserved"], line["backordered"], line["issued"]) == ("1.000", "0.000", "2.000")
    _ok(system.post(f"{P}/requisitions/{req_id}/issues", KEEPER_PD,
                    json={"lines": [{"line_id": "ln-2", "quantity": "1"}]}), 201)  # fmt: skip

    # One timing belt was not needed after all.
    unused = {"lines": [{"line_id": "ln-2", "quantity": "1"}]}
    back = _ok(system.post(f"{P}/requisitions/{req_id}/returns", KEEPER_PD, json=unused), 201)
    assert back["returned"][0]["unit_price"] == "1180.00"
    ledger = _ok(system.get(f"{P}/ledger", KEEPER_PD, params={"site_id": PUDONG,
                                                               "part_number": TIMING}))  # fmt: skip
    assert [e["movement"] for e in ledger["items"]][:3] == ["return", "issue", "receipt"]
    assert _ok(system.get(f"{P}/reconciliation", KEEPER_PD,
                          params={"site_id": PUDONG}))["balanced"]  # fmt: skip
    error = _error(system.get(f"{P}/ledger", KEEPER_PD, params={"site_id": PUDONG, "limit": "x"}),
                   400, "VALIDATION_ERROR")  # fmt: skip
    assert list(error["fields"]) == ["limit"]


def test_stock_views_and_their_tenancy(system: System) -> None:
    stock = _ok(system.get(f"{P}/stock", KEEPER_PD, params={"part_number": WASH}))["items"]
    assert [(s["site_id"], s["stock_class"]) for s in stock] == [(PUDONG, "usable")]
    everywhere = _ok(system.get(f"{P}/stock", HQ, params={"part_number": WASH}))["items"]
    assert {s["site_id"] for s in everywhere} == {PUDONG, SUZHOU, HANGZHOU}
    bins = _ok(system.get(f"{P}/bins", KEEPER_SZ, params={"part_number": WASH}))["items"]
    assert [(b["site_id"], b["quantity"]) for b in bins] == [(SUZHOU, "40.000")]
    _error(system.get(f"{P}/stock", KEEPER_SZ, params={"site_id": PUDONG}), 403, "SITE_FORBIDDEN")
    _error(system.get(f"{P}/stock", OEM), 403, "ROLE_FORBIDDEN")
    assert _ok(system.get(f"{P}/stock", OTHER_HQ))["items"] == []
    _error(system.get(f"{P}/stock", KEEPER_PD, params={"stock_class": "gold"}), 400)
    warehouses = _ok(system.get(f"{P}/warehouses", KEEPER_PD))["items"]
    assert [w["name"] for w in warehouses] == ["配件主库"]
    _error(system.get(f"{P}/reconciliation", KEEPER_PD), 400)


def test_min_max_proposal_and_purchase_orders(system: System) -> None:
    levels = _ok(system.post(f"{P}/stock-levels", PLANNER_PD, json={
        "site_id": PUDONG, "part_number": WIPER, "min_qty": "20", "max_qty": "30"}))  # fmt: skip
    assert (levels["min_qty"], levels["max_qty"]) == ("20.000", "30.000")
    proposal = _ok(system.get(f"{P}/order-proposal", PLANNER_PD, params={"site_id": PUDONG}))
    wiper = next(line for line in proposal["lines"] if line["part_number"] == WIPER)
    assert Decimal(wiper["quantity"]) == 30 - Decimal(wiper["on_hand"]) + Decimal(wiper["reserved"])
    po = _ok(system.post(f"{P}/purchase-orders", PLANNER_PD, json={
        "site_id": PUDONG, "supplier_id": "sup-local-hd",
        "lines": [{"part_number": WIPER, "quantity": wiper["quantity"]}]}), 201)  # fmt: skip
    assert po["status"] == "draft"
    sent = _ok(system.post(f"{P}/purchase-orders/{po['po_id']}/send", PLANNER_PD))
    assert sent["status"] == "sent"
    _error(system.post(f"{P}/purchase-orders/{po['po_id']}/send", PLANNER_PD), 409,
           "ILLEGAL_TRANSITION")  # fmt: skip
    cancelled = _ok(system.post(f"{P}/purchase-orders/{po['po_id']}/cancel", PLANNER_PD,
                                json={"reason": "改从主机厂订"}))  # fmt: skip
    assert cancelled["status"] == "cancelled"
    _error(system.post(f"{P}/purchase-orders/{po['po_id']}/cancel", PLANNER_PD,
                       json={"why": "x"}), 400)  # fmt: skip
    listed = _ok(system.get(f"{P}/purchase-orders", PLANNER_PD, params={"status": "cancelled"}))
    assert po["po_id"] in {p["po_id"] for p in listed["items"]}
    _error(system.get(f"{P}/purchase-orders/{po['po_id']}", KEEPER_SZ), 404)
    _error(system.post(f"{P}/purchase-orders", KEEPER_PD, json={
        "site_id": PUDONG, "lines": [{"part_number": WIPER, "quantity": "1"}]}), 403)  # fmt: skip
    error = _error(system.post(f"{P}/purchase-orders", PLANNER_PD, json={
        "site_id": PUDONG, "lines": [{"part_number": WIPER, "quantity": "0"}]}), 400)  # fmt: skip
    assert error["fields"] == {"lines": {"0": {"quantity": ["a quantity must be more than 0"]}}}


def test_receiving_rejection_and_supplier_claim(system: System) -> None:
    po = _ok(system.post(f"{P}/purchase-orders", PLANNER_PD, json={
        "site_id": PUDONG, "supplier_id": "sup-local-hd",
        "lines": [{"part_number": AIR_FILTER, "quantity": "4"}]}), 201)  # fmt: skip
    _ok(system.post(f"{P}/purchase-orders/{po['po_id']}/send", PLANNER_PD))
    receipt = _ok(system.post(f"{P}/purchase-orders/{po['po_id']}/receipts", KEEPER_PD, json={
        "lines": [{"line_no": 1, "counted": "4", "accepted": "3", "rejected": "1",
                   "reject_reason": "wrong_part"}]}), 201)  # fmt: skip
    assert receipt["purchase_order_status"] == "partly_received"
    line = receipt["lines"][0]
    wanted = {
        "receipt_id": receipt["receipt_id"],
        "lines": [{"receipt_line_id": line["receipt_line_id"], "quantity": "1"}],
    }
    claim = _ok(system.post(f"{P}/supplier-claims", PLANNER_PD, json=wanted), 201)
    assert (claim["amount"], claim["lines"][0]["reason"]) == ("52.00", "wrong_part")
    decided = _ok(system.post(f"{P}/supplier-claims/{claim['claim_id']}/decision", PLANNER_PD,
                              json={"decision": "rejected", "note": "非质量问题"}))  # fmt: skip
    assert (decided["status"], decided["credited"]) == ("rejected", None)
    assert (
        _ok(system.get(f"{P}/receipts/{receipt['receipt_id']}", KEEPER_PD))["lines"][0]["claimed"]
        == "1.000"
    )
    closed = _ok(system.post(f"{P}/purchase-orders/{po['po_id']}/close", PLANNER_PD))
    assert closed["status"] == "closed"
    error = _error(system.post(f"{P}/purchase-orders/{po['po_id']}/receipts", KEEPER_PD, json={
        "lines": [{"line_no": 1, "counted": "x", "accepted": "1"}]}), 400)  # fmt: skip
    assert error["fields"] == {"lines": {"0": {"counted": ["a quantity must be a decimal string"]}}}
    assert _ok(system.get(f"{P}/shipments", HQ)) is not None


def test_stocktake_through_the_gateway(system: System) -> None:
    wh = _ok(system.post(f"{P}/warehouses", KEEPER_HZ, json={
        "site_id": HANGZHOU, "name": f"盘点库-{uuid.uuid4().hex[:4]}"}), 201)  # fmt: skip
    # A fresh warehouse with stock moved in, so the count is small and its own.
    warehouses = _ok(system.get(f"{P}/warehouses", KEEPER_HZ))["items"]
    main = next(w for w in warehouses if w["name"] == "配件主库")
    where = _ok(system.get(f"{P}/bins", KEEPER_HZ, params={"part_number": WASH}))["items"]
    move = {
        "site_id": HANGZHOU, "part_number": WASH, "from_warehouse_id": main["warehouse_id"],
        "from_bin": where[0]["bin"], "to_warehouse_id": wh["warehouse_id"], "to_bin": "Z-01-01",
        "quantity": "4",
    }  # fmt: skip
    _ok(system.post(f"{P}/relocations", KEEPER_HZ, json=move), 201)
    sheet = _ok(system.post(f"{P}/stocktakes", KEEPER_HZ, json={
        "site_id": HANGZHOU, "warehouse_id": wh["warehouse_id"], "kind": "spot"}), 201)  # fmt: skip
    assert [(ln["bin"], ln["part_number"], ln["book"]) for ln in sheet["lines"]] == [
        ("Z-01-01", WASH, "4.000")
    ]
    sid = sheet["stocktake_id"]
    _ok(system.post(f"{P}/stocktakes/{sid}/counts", KEEPER_HZ, json={
        "lines": [{"bin": "Z-01-01", "part_number": WASH, "counted": "3"}]}))  # fmt: skip
    counted = _ok(system.post(f"{P}/stocktakes/{sid}/submit", KEEPER_HZ))
    assert counted["report"]["loss_value"] == "-8.00"
    # The keeper who counted cannot approve; the manager (who also plans and buys) can.
    _error(system.post(f"{P}/stocktakes/{sid}/decision", KEEPER_HZ,
                       json={"decision": "approve"}), 403, "ROLE_FORBIDDEN")  # fmt: skip
    manager_hz = Tenant("pm.shao.hz", GROUP_ID, (HANGZHOU,), ("parts_manager",))
    approved = _ok(system.post(f"{P}/stocktakes/{sid}/decision", manager_hz,
                               json={"decision": "approve"}))  # fmt: skip
    assert approved["status"] == "approved"
    assert sid in {s["stocktake_id"] for s in _ok(system.get(f"{P}/stocktakes", HQ))["items"]}
    _error(system.get(f"{P}/stocktakes/{sid}", KEEPER_PD), 404, "STOCKTAKE_NOT_FOUND")
    assert _ok(system.get(f"{P}/reconciliation", HQ, params={"site_id": HANGZHOU}))["balanced"]


def test_counter_sale_locator_and_transfer(system: System) -> None:
    sale = _ok(system.post(f"{P}/counter-sales", CLERK_PD, json={
        "site_id": PUDONG, "customer_name": "赵先生", "phone": "13800000000",
        "lines": [{"part_number": WASH, "quantity": "2"}]}), 201)  # fmt: skip
    assert (sale["status"], sale["total"]) == ("ready", "40.00")
    done = _ok(system.post(f"{P}/counter-sales/{sale['sale_id']}/complete", CLERK_PD,
                           json={"paid": "40.00"}))  # fmt: skip
    assert done["status"] == "completed"
    _error(system.post(f"{P}/counter-sales/{sale['sale_id']}/cancel", CLERK_PD), 409)

    found = _ok(system.get(f"{P}/locator/{PADS}", KEEPER_HZ))
    assert {s["site_id"] for s in found["sites"]} >= {PUDONG, HANGZHOU}
    _error(system.get(f"{P}/locator/{PADS}", OTHER_HQ), 404)

    transfer = _ok(system.post(f"{P}/transfers", KEEPER_HZ, json={
        "from_site_id": PUDONG, "to_site_id": HANGZHOU,
        "lines": [{"part_number": PADS, "quantity": "1"}]}), 201)  # fmt: skip
    tid = transfer["transfer_id"]
    _ok(system.post(f"{P}/transfers/{tid}/ship", KEEPER_PD))
    received = _ok(system.post(f"{P}/transfers/{tid}/receive", KEEPER_HZ))
    assert received["status"] == "received"
    _error(system.get(f"{P}/transfers/{tid}", KEEPER_SZ), 404, "TRANSFER_NOT_FOUND")
    _error(system.post(f"{P}/transfers", OTHER_KEEPER, json={
        "from_site_id": PUDONG, "to_site_id": "site-other",
        "lines": [{"part_number": PADS, "quantity": "1"}]}), 404, "SITE_NOT_FOUND")  # fmt: skip


def test_figures_for_a_site_and_for_headquarters(system: System) -> None:
    today = datetime.now(BUSINESS_TZ).date()
    period = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat()}
    mine = _ok(system.get(f"{P}/figures", KEEPER_PD, params=period))
    assert [s["site_id"] for s in mine["sites"]] == [PUDONG] and "total" not in mine
    pudong = mine["sites"][0]
    assert int(pudong["lines_requested"]) >= 1
    assert set(pudong) >= {
        "stock_value", "turnover", "first_time_fill_rate", "emergency_order_share",
        "slow_moving_value", "obsolete_value", "obsolete_share",
    }  # fmt: skip
    group = _ok(system.get(f"{P}/figures", HQ, params=period))
    assert [s["site_id"] for s in group["sites"]] == sorted([PUDONG, SUZHOU, HANGZHOU])
    assert "total" in group
    _error(system.get(f"{P}/figures", HQ, params={"from": "yesterday", "to": period["to"]}), 400)
    _error(system.get(f"{P}/figures", KEEPER_PD, params={**period, "site_id": SUZHOU}), 403)


def test_documents_people_edit_carry_etags(system: System) -> None:
    """Catalog parts, suppliers, purchase orders and count sheets: a write with a stale
    `If-Match` is 412 and changes nothing."""
    number = f"T-{uuid.uuid4().hex[:6]}"
    _ok(system.post(P, MANAGER_PD, json={"part_number": number, "name": "测试件",
                                         "cost": "10.00", "price": "15.00"}), 201)  # fmt: skip
    path = f"{P}/catalog/{number}"
    read = system.get(path, ADVISOR_PD)
    old = read.headers["ETag"]
    changed = _patch(system, path, MANAGER_PD, json={"name": "新名称"}, headers={"If-Match": old})
    assert _ok(changed)["name"] == "新名称" and changed.headers["ETag"] != old
    assert changed.headers["ETag"] == system.get(path, ADVISOR_PD).headers["ETag"]
    _error(_patch(system, path, MANAGER_PD, json={"name": "又一个"}, headers={"If-Match": old}),
           412, "PRECONDITION_FAILED")  # fmt: skip
    assert _ok(system.get(path, ADVISOR_PD))["name"] == "新名称", "nothing changed"

    supplier = f"{P}/suppliers/sup-local-hd"
    read = system.get(supplier, PLANNER_PD)
    body = {k: v for k, v in _ok(read).items() if k != "supplier_id"}
    _error(system.request("PUT", supplier, MANAGER_PD, json={**body, "lead_time_days": 2},
                          headers={"If-Match": read.headers["ETag"]}), 403)  # fmt: skip
    put = system.request("PUT", supplier, HQ, json={**body, "lead_time_days": 2},
                         headers={"If-Match": read.headers["ETag"]})  # fmt: skip
    assert _ok(put)["lead_time_days"] == 2
    _error(system.request("PUT", supplier, HQ, json={**body, "lead_time_days": 9},
                          headers={"If-Match": read.headers["ETag"]}), 412)  # fmt: skip
    assert _ok(system.get(supplier, PLANNER_PD))["lead_time_days"] == 2

    po = _ok(system.post(f"{P}/purchase-orders", PLANNER_PD, json={
        "site_id": PUDONG, "supplier_id": "sup-local-hd",
        "lines": [{"part_number": WIPER, "quantity": "1"}]}), 201)  # fmt: skip
    read = system.get(f"{P}/purchase-orders/{po['po_id']}", PLANNER_PD)
    assert _ok(read) == po
    sent = system.post(f"{P}/purchase-orders/{po['po_id']}/send", PLANNER_PD,
                       headers={"If-Match": read.headers["ETag"]})  # fmt: skip
    assert _ok(sent)["status"] == "sent"
    _error(system.post(f"{P}/purchase-orders/{po['po_id']}/cancel", PLANNER_PD,
                       headers={"If-Match": read.headers["ETag"]}), 412)  # fmt: skip
    assert _ok(system.get(f"{P}/purchase-orders/{po['po_id']}", PLANNER_PD))["status"] == "sent"
    _ok(system.post(f"{P}/purchase-orders/{po['po_id']}/cancel", PLANNER_PD,
                    headers={"If-Match": sent.headers["ETag"]}))  # fmt: skip

    wh = _ok(system.post(f"{P}/warehouses", KEEPER_SZ, json={
        "site_id": SUZHOU, "name": f"盘点库-{uuid.uuid4().hex[:4]}"}), 201)  # fmt: skip
    sheet = _ok(system.post(f"{P}/stocktakes", KEEPER_SZ, json={
        "site_id": SUZHOU, "warehouse_id": wh["warehouse_id"], "kind": "spot"}), 201)  # fmt: skip
    sid = sheet["stocktake_id"]
    read = system.get(f"{P}/stocktakes/{sid}", KEEPER_SZ)
    count = {"lines": [{"bin": "Z-01-01", "part_number": WASH, "counted": "0"}]}
    counted = system.post(f"{P}/stocktakes/{sid}/counts", KEEPER_SZ, json=count,
                          headers={"If-Match": read.headers["ETag"]})  # fmt: skip
    assert [ln["counted"] for ln in _ok(counted)["lines"]] == ["0.000"]
    _error(system.post(f"{P}/stocktakes/{sid}/submit", KEEPER_SZ,
                       headers={"If-Match": read.headers["ETag"]}), 412)  # fmt: skip
    assert _ok(system.get(f"{P}/stocktakes/{sid}", KEEPER_SZ))["status"] == "counting"
    _ok(system.post(f"{P}/stocktakes/{sid}/submit", KEEPER_SZ,
                    headers={"If-Match": counted.headers["ETag"]}))  # fmt: skip
    manager_sz = Tenant("pm.yuan.sz", GROUP_ID, (SUZHOU,), ("parts_manager",))
    _ok(system.post(f"{P}/stocktakes/{sid}/decision", manager_sz, json={"decision": "approve"}))


def test_lists_are_pages(system: System) -> None:
    first = _ok(system.get(f"{P}/stock", HQ, params={"limit": "2"}))
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = _ok(
        system.get(f"{P}/stock", HQ, params={"limit": "2", "cursor": first["next_cursor"]})
    )
    keys = {(s["site_id"], s["stock_class"], s["part_number"]) for s in first["items"]}
    assert not keys & {(s["site_id"], s["stock_class"], s["part_number"]) for s in second["items"]}
    bins = _ok(system.get(f"{P}/bins", HQ, params={"limit": "3"}))
    more = _ok(system.get(f"{P}/bins", HQ, params={"limit": "3", "cursor": bins["next_cursor"]}))
    assert bins["items"][-1] != more["items"][0]
    _error(system.get(f"{P}/stock", HQ, params={"cursor": "nope"}), 400, "INVALID_CURSOR")
    _error(system.get(f"{P}/stock", HQ, params={"limit": "201"}), 400, "VALIDATION_ERROR")
    catalog = _ok(system.get(P, ADVISOR_PD, params={"limit": "5"}))
    rest = _ok(system.get(P, ADVISOR_PD, params={"limit": "200", "cursor": catalog["next_cursor"]}))
    numbers = [p["part_number"] for p in catalog["items"] + rest["items"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def test_parts_routes_are_documented(system: System) -> None:
    paths = _ok(system.get("/openapi.json"))["paths"]
    for path in (
        P, f"{P}/requisitions/{{requisition_id}}/issues", f"{P}/purchase-orders/{{po_id}}/receipts",
        f"{P}/stocktakes/{{stocktake_id}}/decision", f"{P}/transfers", f"{P}/figures",
        f"{P}/locator/{{part_number}}", f"{P}/counter-sales", f"{P}/supplier-claims",
    ):  # fmt: skip
        assert path in paths, path
    issue = paths[f"{P}/requisitions/{{requisition_id}}/issues"]["post"]
    assert any(p.get("name") == "Idempotency-Key" for p in issue["parameters"])
    _error(system.get(f"{P}/requisitions"), 401, "TOKEN_MISSING")
