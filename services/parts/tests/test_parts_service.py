"""PartsService on the real broker and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU, demo_group
from aftersales_core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from aftersales_core.tenancy import Tenant
from aftersales_parts.models import Part
from aftersales_parts.service import PartsService

OTHER_GROUP = "grp-other"
PARTS_MANAGER_A = Tenant("pm.guo.pd", GROUP_ID, (PUDONG,), ("parts_manager",))
CLERK_B = Tenant("pc.dai.sz", GROUP_ID, (SUZHOU,), ("parts_counter_clerk",))
HQ = Tenant("hq.chen", GROUP_ID, (), ("hq_manager",))
OTHER_HQ = Tenant("hq.other", OTHER_GROUP, (), ("hq_manager",))
SYSTEM = Tenant.system(GROUP_ID)


@pytest.fixture
def db(migrated_database: Any, run_services: Any) -> Iterator[Engine]:
    url = migrated_database("parts")
    run_services({PartsService: url})
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Part.__table__)).scalar_one()


def _slice(group_id: str = GROUP_ID, n: int = 6) -> dict[str, Any]:
    return {"group_id": group_id, "parts": demo_group()["parts"][:n]}


def test_import_reference_data_is_idempotent_and_lists_by_group(db: Engine, rpc: Any) -> None:
    data = _slice()
    assert rpc(SYSTEM).parts.import_reference_data(copy.deepcopy(data)) == {
        "parts": 6,
        "suppliers": 0,
        "stock": 0,
    }
    assert rpc(HQ).parts.import_reference_data(copy.deepcopy(data)) == {
        "parts": 0,
        "suppliers": 0,
        "stock": 0,
    }
    assert _count(db) == 6
    assert rpc(SYSTEM).parts.import_reference_data(_slice(n=8)) == {
        "parts": 2,
        "suppliers": 0,
        "stock": 0,
    }

    listed = rpc(PARTS_MANAGER_A).parts.list_parts()["items"]
    expected = demo_group()["parts"][:8]
    assert [p["part_number"] for p in listed] == sorted(p["part_number"] for p in expected)
    by_number = {p["part_number"]: p for p in listed}
    assert by_number["04E115561H"] == {
        "part_number": "04E115561H",
        "name": "机油滤清器",
        "unit": "个",
        "cost": "28.00",
        "price": "48.00",
        "models": ["朗逸", "帕萨特", "途观L", "凌渡", "速腾", "迈腾", "宝来", "探岳"],
        "superseded_by": None,
    }
    # The catalog is the group's: every site of it sees the same parts.
    assert rpc(CLERK_B).parts.list_parts()["items"] == listed

    # Another group has its own catalog, even with the same part numbers.
    other = _slice(OTHER_GROUP, n=2)
    other["parts"][0]["price"] = "55.00"
    assert rpc(Tenant.system(OTHER_GROUP)).parts.import_reference_data(other) == {
        "parts": 2,
        "suppliers": 0,
        "stock": 0,
    }
    theirs = rpc(OTHER_HQ).parts.list_parts()["items"]
    assert [(p["part_number"], p["price"]) for p in theirs] == [
        ("04E115561H", "55.00"),
        ("G052195M4", "398.00"),
    ]
    assert rpc(PARTS_MANAGER_A).parts.list_parts()["items"] == listed
    assert _count(db) == 10


def test_import_reference_data_is_for_loaders_of_the_group(db: Engine, rpc: Any) -> None:
    data = _slice()
    with pytest.raises(Forbidden) as caught:
        rpc(PARTS_MANAGER_A).parts.import_reference_data(copy.deepcopy(data))
    assert caught.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        rpc(OTHER_HQ).parts.import_reference_data(copy.deepcopy(data))
    assert caught.value.code == "GROUP_FORBIDDEN"
    with pytest.raises(Unauthorized):
        rpc().parts.import_reference_data(copy.deepcopy(data))
    with pytest.raises(Unauthorized):
        rpc().parts.list_parts()["items"]
    assert _count(db) == 0
    assert rpc(OTHER_HQ).parts.list_parts()["items"] == []


def test_price_below_cost_is_refused(db: Engine, rpc: Any) -> None:
    data = _slice()
    data["parts"][2]["price"] = "51.99"  # cost 52.00
    with pytest.raises(ValidationFailed) as caught:
        rpc(SYSTEM).parts.import_reference_data(data)
    assert caught.value.code == "VALIDATION_ERROR"
    assert caught.value.fields == {"parts": {"2": {"price": ["price is below cost"]}}}
    assert _count(db) == 0, "one bad part refuses the whole load"

    data["parts"][2]["price"] = "52.00"  # selling at cost is allowed
    assert rpc(SYSTEM).parts.import_reference_data(data) == {"parts": 6, "suppliers": 0, "stock": 0}

    for bad in ({"cost": "-1.00", "price": "1.00"}, {"cost": "abc"}):
        part = {**demo_group()["parts"][10], **bad}
        with pytest.raises(ValidationFailed) as caught:
            rpc(SYSTEM).parts.import_reference_data({"group_id": GROUP_ID, "parts": [part]})
        assert list(caught.value.fields["parts"]["0"]) == ["cost"]
    assert _count(db) == 6


def test_health(db: Engine, rpc: Any) -> None:
    health = rpc().parts.health()
    assert health["service"] == "parts"
    assert health["status"] == "up"
    assert health["database"] == {"ok": True, "dialect": "postgresql"}
    assert health["outbox_pending"] == 0


# ---------------------------------------------------------------- with the harness


def test_catalog_changes_and_price_history(parts: Any) -> None:
    from aftersales_cli.parts_testing import ADVISOR_PD, KEEPER_PD, MANAGER_PD

    parts.seed(stock=False)
    manager = parts.rpc(MANAGER_PD)
    added = manager.add_part(
        {"part_number": "5Q0698151C", "name": "前制动片（陶瓷）", "unit": "套",
         "cost": "350.00", "price": "580.00", "models": ["途观L"]}
    )  # fmt: skip
    assert added["superseded_by"] is None
    with pytest.raises(Conflict) as caught:
        manager.add_part({**added, "superseded_by": None})
    assert caught.value.code == "PART_EXISTS"
    with pytest.raises(Forbidden):
        parts.rpc(KEEPER_PD).add_part({**added, "part_number": "X-1"})

    updated = manager.update_part("5Q0698151B", {"superseded_by": "5Q0698151C"})
    assert updated["superseded_by"] == "5Q0698151C"
    with pytest.raises(ValidationFailed) as caught:
        manager.update_part("5Q0698151C", {"superseded_by": "5Q0698151B"})
    assert caught.value.code == "SUPERSESSION_LOOP"
    with pytest.raises(ValidationFailed) as caught:
        manager.update_part("5Q0698151C", {"superseded_by": "NOPE"})
    assert caught.value.code == "UNKNOWN_PART"

    change = manager.change_price("04E115561H", {"price": "52.00", "reason": "2027 价格表"})
    assert (change["old_price"], change["new_price"], change["old_cost"], change["new_cost"]) == (
        "48.00", "52.00", "28.00", "28.00",
    )  # fmt: skip
    parts.rpc(HQ).change_price("04E115561H", {"cost": "30.00"})
    history = parts.rpc(ADVISOR_PD).price_history("04E115561H")["items"]
    assert [(h["new_price"], h["new_cost"], h["changed_by"]) for h in history] == [
        ("52.00", "28.00", "pm.guo.pd"),
        ("52.00", "30.00", "hq.chen"),
    ]
    assert history[0]["reason"] == "2027 价格表" and history[0]["effective_at"]
    assert parts.rpc(ADVISOR_PD).get_part("04E115561H")["price"] == "52.00"
    for bad, code in (({"price": "29.99"}, "PRICE_BELOW_COST"), ({}, "VALIDATION_ERROR"),
                      ({"price": "52.00"}, "NO_CHANGE")):  # fmt: skip
        with pytest.raises((ValidationFailed, Conflict)) as caught:
            manager.change_price("04E115561H", bad)
        assert caught.value.code == code
    with pytest.raises(NotFound):
        manager.change_price("NOPE", {"price": "1.00"})

    plugs = parts.rpc(ADVISOR_PD).list_parts({"q": "火花塞"})["items"]
    assert [p["part_number"] for p in plugs] == [
        "04E905612C", "90919-01253",
    ]  # fmt: skip
    fits = {
        p["part_number"] for p in parts.rpc(ADVISOR_PD).list_parts({"model": "凯美瑞"})["items"]
    }
    assert "90915-YZZJ1" in fits and "DOT4-1L" in fits and "04E115561H" not in fits


def test_quote_prices_and_availability_for_reception(parts: Any) -> None:
    from aftersales_cli.parts_testing import ADVISOR_PD, KEEPER_SZ, OEM

    parts.seed()
    parts.request_parts("ro-q1", [("04E198119A", "1")])
    quote = parts.rpc(ADVISOR_PD).quote(PUDONG, ["04E198119A", "04E115561H", "90915-YZZJ1"])
    assert quote == [
        {"part_number": "04E198119A", "name": "正时皮带套件", "unit": "套", "price": "1180.00",
         "available": "1.000", "superseded_by": None},
        {"part_number": "04E115561H", "name": "机油滤清器", "unit": "个", "price": "48.00",
         "available": "60.000", "superseded_by": None},
        {"part_number": "90915-YZZJ1", "name": "机油滤清器", "unit": "个", "price": "45.00",
         "available": "0.000", "superseded_by": None},
    ]  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(ADVISOR_PD).quote(PUDONG, ["04E115561H", "NOPE-1", "NOPE-2"])
    assert caught.value.code == "UNKNOWN_PART"
    assert caught.value.fields == {
        "part_numbers": ["unknown part number NOPE-1", "unknown part number NOPE-2"]
    }
    with pytest.raises(Forbidden) as caught:
        parts.rpc(KEEPER_SZ).quote(PUDONG, ["04E115561H"])
    assert caught.value.code == "SITE_FORBIDDEN"
    with pytest.raises(Forbidden):
        parts.rpc(OEM).quote(PUDONG, ["04E115561H"])
    with pytest.raises(ValidationFailed):
        parts.rpc(ADVISOR_PD).quote(PUDONG, [])


def test_suppliers_of_the_group(parts: Any) -> None:
    from aftersales_cli.parts_testing import ADVISOR_PD, MANAGER_PD, MANAGER_SZ

    parts.seed(stock=False)
    names = [s["supplier_id"] for s in parts.rpc(ADVISOR_PD).list_suppliers()["items"]]
    assert sorted(names) == ["sup-faw-vw", "sup-gac-toyota", "sup-local-hd", "sup-saic-vw"]
    assert parts.rpc(OTHER_HQ).list_suppliers()["items"] == []
    saved = parts.rpc(MANAGER_PD).save_supplier(
        {"supplier_id": "sup-pd-tyres", "name": "浦东轮胎商行", "kind": "local",
         "site_ids": [PUDONG], "lead_time_days": 2}
    )  # fmt: skip
    assert (saved["site_ids"], saved["lead_time_days"]) == ([PUDONG], 2)
    # adding never changes: a second POST of the same id is refused, nothing overwritten
    with pytest.raises(Conflict) as caught:
        parts.rpc(MANAGER_PD).save_supplier(
            {"supplier_id": "sup-local-hd", "name": "冒名", "kind": "local", "site_ids": [PUDONG]}
        )
    assert caught.value.code == "SUPPLIER_EXISTS"
    # master data belongs to whom it serves: Suzhou cannot change Pudong's OEM supplier,
    # a site cannot narrow the group-wide local supplier; headquarters can
    body = {"name": "改名", "kind": "oem", "oem_id": "oem-saic-vw", "site_ids": [PUDONG]}
    with pytest.raises(Forbidden) as caught:
        parts.rpc(MANAGER_SZ).update_supplier("sup-saic-vw", body)
    assert caught.value.code == "SUPPLIER_NOT_YOURS"
    group_wide = {"name": "上海华东汽配商行", "kind": "local", "site_ids": [PUDONG]}
    with pytest.raises(Forbidden):
        parts.rpc(MANAGER_PD).update_supplier("sup-local-hd", group_wide)
    with pytest.raises(Forbidden):
        parts.rpc(MANAGER_SZ).save_supplier(
            {"supplier_id": "sup-sz-pd", "name": "越界", "kind": "local", "site_ids": [PUDONG]}
        )
    assert parts.rpc(MANAGER_PD).update_supplier("sup-saic-vw", body)["name"] == "改名"
    assert (
        parts.rpc(HQ).update_supplier("sup-local-hd", {**group_wide, "site_ids": []})["site_ids"]
        == []
    )
    with pytest.raises(ValidationFailed) as caught:
        parts.rpc(MANAGER_PD).save_supplier(
            {"supplier_id": "sup-x", "name": "某主机厂", "kind": "oem"}
        )
    assert list(caught.value.fields) == ["oem_id"]
    with pytest.raises(Conflict) as caught:
        parts.rpc(OTHER_HQ).save_supplier(
            {"supplier_id": "sup-saic-vw", "name": "冒名", "kind": "local"}
        )
    assert caught.value.code == "SUPPLIER_TAKEN"
    with pytest.raises(Forbidden):
        parts.rpc(ADVISOR_PD).save_supplier(
            {"supplier_id": "sup-y", "name": "某商行", "kind": "local"}
        )
