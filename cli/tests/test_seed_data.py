"""The demo dealer group loaded by `aftersales seed` must be valid, complete and stable."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from aftersales_cli.seed_data import SITE_ROLES, demo_group, users_by_id
from aftersales_core.identifiers import validate_plate, validate_vin
from aftersales_core.tenancy import ROLES


@pytest.fixture(scope="module")
def group() -> dict[str, Any]:
    return demo_group()


def _vehicles(group: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for c in group["customers"] for v in c["vehicles"]]


def _site_ids(group: dict[str, Any]) -> set[str]:
    return {s["site_id"] for s in group["sites"]}


def _unique(values: list[Any]) -> None:
    duplicates = [v for v, n in Counter(values).items() if n > 1]
    assert not duplicates, f"duplicated: {duplicates}"


def test_top_level_shape(group: dict[str, Any]) -> None:
    assert list(group) == [
        "group", "sites", "staff", "labor_operations", "labor_rates", "parts", "stock",
        "customers", "teams", "technicians", "warranty_terms", "suppliers",
    ]  # fmt: skip
    assert group["group"] == {"group_id": "grp-huadong", "name": "华东汽车服务集团"}
    assert len(group["sites"]) == 3
    assert {s["kind"] for s in group["sites"]} == {"4s", "service_station"}
    for site in group["sites"]:
        assert site["group_id"] == "grp-huadong"
        assert Decimal(site["daily_technician_hours"]) > 0


def test_every_vin_is_valid(group: dict[str, Any]) -> None:
    vehicles = _vehicles(group)
    assert vehicles
    for vehicle in vehicles:
        assert validate_vin(vehicle["vin"]) == vehicle["vin"]
    assert {v["vin"][:3] for v in vehicles} >= {"LSV", "LFV", "LVG"}


def test_every_plate_is_valid_and_normalised(group: dict[str, Any]) -> None:
    vehicles = _vehicles(group)
    for vehicle in vehicles:
        assert validate_plate(vehicle["plate"]) == vehicle["plate"]
    new_energy = [v["plate"] for v in vehicles if len(v["plate"]) == 9]
    assert len(new_energy) >= 2


def test_customers_and_vehicles(group: dict[str, Any]) -> None:
    sites = _site_ids(group)
    per_site = Counter(c["site_id"] for c in group["customers"])
    assert set(per_site) == sites
    assert all(n >= 6 for n in per_site.values())
    for customer in group["customers"]:
        assert customer["class"] in {"member", "regular", "fleet"}
        assert customer["phones"]
        assert 1 <= len(customer["vehicles"]) <= 2
        for vehicle in customer["vehicles"]:
            assert isinstance(vehicle["mileage"], int) and vehicle["mileage"] >= 0
            assert len(vehicle["sale_date"]) == 10 and vehicle["sale_date"][4] == "-"
    assert {c["class"] for c in group["customers"]} == {"member", "regular", "fleet"}


def test_every_role_except_system_appears(group: dict[str, Any]) -> None:
    held = {role for user in group["staff"] for role in user["roles"]}
    assert held == set(ROLES) - {"system"}
    assert set(SITE_ROLES) == set(ROLES) - {"system", "oem", "hq_manager", "group_admin"}


def test_every_site_has_each_site_role(group: dict[str, Any]) -> None:
    for site_id in _site_ids(group):
        held = {
            role
            for user in group["staff"]
            if user["site_ids"] == [site_id]
            for role in user["roles"]
        }
        missing = set(SITE_ROLES) - held
        assert not missing, f"{site_id} lacks {sorted(missing)}"


def test_hq_and_oem_users(group: dict[str, Any]) -> None:
    hq = [u for u in group["staff"] if "hq_manager" in u["roles"]]
    assert len(hq) == 1
    assert set(hq[0]["site_ids"]) == _site_ids(group)
    oem = [u for u in group["staff"] if "oem" in u["roles"]]
    assert len(oem) == 1
    assert oem[0]["roles"] == ["oem"]
    assert oem[0]["oem_id"] == "oem-saic-vw"
    for user in group["staff"]:
        assert user["group_id"] == "grp-huadong"
        assert set(user["site_ids"]) <= _site_ids(group)
        assert set(user["roles"]) <= set(ROLES)
        assert user["user_id"].isascii()
        assert ("oem_id" in user) == ("oem" in user["roles"])


def test_cost_below_price_for_every_part(group: dict[str, Any]) -> None:
    assert len(group["parts"]) >= 15
    for part in group["parts"]:
        assert Decimal(0) < Decimal(part["cost"]) < Decimal(part["price"]), part["part_number"]
        assert Decimal(part["price"]) == Decimal(part["price"]).quantize(Decimal("0.01"))


def test_every_stock_row_refers_to_a_part_and_a_site(group: dict[str, Any]) -> None:
    parts = {p["part_number"]: p for p in group["parts"]}
    for row in group["stock"]:
        assert row["part_number"] in parts
        assert row["site_id"] in _site_ids(group)
        assert isinstance(row["quantity"], int) and row["quantity"] >= 0
        assert row["unit_cost"] == parts[row["part_number"]]["cost"]
    assert {row["site_id"] for row in group["stock"]} == _site_ids(group)
    _unique([(r["site_id"], r["warehouse"], r["bin"]) for r in group["stock"]])
    _unique([(r["site_id"], r["part_number"]) for r in group["stock"]])


def test_labor_catalog_and_rates(group: dict[str, Any]) -> None:
    assert len(group["labor_operations"]) >= 12
    for op in group["labor_operations"]:
        hours = Decimal(op["standard_hours"])
        assert hours > 0 and hours == hours.quantize(Decimal("0.1"))
    rates = {(r["site_id"], r["payer"]) for r in group["labor_rates"]}
    payers = {"customer", "warranty", "insurance", "internal"}
    assert rates == {(s, p) for s in _site_ids(group) for p in payers}
    assert all(Decimal(r["rate"]) > 0 for r in group["labor_rates"])


def test_teams_and_technicians(group: dict[str, Any]) -> None:
    teams = {t["team_id"]: t for t in group["teams"]}
    users = users_by_id()
    for site_id in _site_ids(group):
        assert sum(t["site_id"] == site_id for t in group["teams"]) == 2
    for tech in group["technicians"]:
        assert teams[tech["team_id"]]["site_id"] == tech["site_id"]
        assert tech["skills"]
        user = users[tech["technician_id"]]
        assert "technician" in user["roles"]
        assert user["site_ids"] == [tech["site_id"]]
    staffed_teams = {t["team_id"] for t in group["technicians"]}
    assert staffed_teams == set(teams)


def test_ids_are_unique(group: dict[str, Any]) -> None:
    _unique([s["site_id"] for s in group["sites"]])
    _unique([u["user_id"] for u in group["staff"]])
    _unique([op["code"] for op in group["labor_operations"]])
    _unique([p["part_number"] for p in group["parts"]])
    _unique([c["customer_id"] for c in group["customers"]])
    _unique([v["vin"] for v in _vehicles(group)])
    _unique([v["plate"] for v in _vehicles(group)])
    _unique([t["team_id"] for t in group["teams"]])
    _unique([t["technician_id"] for t in group["technicians"]])


def test_users_by_id(group: dict[str, Any]) -> None:
    users = users_by_id()
    assert list(users) == [u["user_id"] for u in group["staff"]]
    assert users["sa.wang.pd"]["roles"] == ["service_advisor"]
    assert users["sa.wang.pd"]["site_ids"] == ["site-pudong"]


def test_deterministic_and_fresh() -> None:
    first, second = demo_group(), demo_group()
    assert first == second
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)
    first["customers"][0]["vehicles"].clear()
    first["staff"][0]["roles"].append("cashier")
    assert demo_group() == second


def test_json_serialisable_with_primitives_only(group: dict[str, Any]) -> None:
    assert json.loads(json.dumps(group, ensure_ascii=False)) == group

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            assert all(isinstance(k, str) for k in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        else:
            assert value is None or type(value) in (str, int, bool), repr(value)

    walk(group)
