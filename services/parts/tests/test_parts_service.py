"""PartsService on the real broker and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU, demo_group
from aftersales_core.errors import Forbidden, Unauthorized, ValidationFailed
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
    assert rpc(SYSTEM).parts.import_reference_data(copy.deepcopy(data)) == {"parts": 6}
    assert rpc(HQ).parts.import_reference_data(copy.deepcopy(data)) == {"parts": 0}
    assert _count(db) == 6
    assert rpc(SYSTEM).parts.import_reference_data(_slice(n=8)) == {"parts": 2}

    listed = rpc(PARTS_MANAGER_A).parts.list_parts()
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
    }
    # The catalog is the group's: every site of it sees the same parts.
    assert rpc(CLERK_B).parts.list_parts() == listed

    # Another group has its own catalog, even with the same part numbers.
    other = _slice(OTHER_GROUP, n=2)
    other["parts"][0]["price"] = "55.00"
    assert rpc(Tenant.system(OTHER_GROUP)).parts.import_reference_data(other) == {"parts": 2}
    theirs = rpc(OTHER_HQ).parts.list_parts()
    assert [(p["part_number"], p["price"]) for p in theirs] == [
        ("04E115561H", "55.00"),
        ("G052195M4", "398.00"),
    ]
    assert rpc(PARTS_MANAGER_A).parts.list_parts() == listed
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
        rpc().parts.list_parts()
    assert _count(db) == 0
    assert rpc(OTHER_HQ).parts.list_parts() == []


def test_price_below_cost_is_refused(db: Engine, rpc: Any) -> None:
    data = _slice()
    data["parts"][2]["price"] = "51.99"  # cost 52.00
    with pytest.raises(ValidationFailed) as caught:
        rpc(SYSTEM).parts.import_reference_data(data)
    assert caught.value.code == "VALIDATION_ERROR"
    assert caught.value.fields == {"parts": {"2": {"price": ["price is below cost"]}}}
    assert _count(db) == 0, "one bad part refuses the whole load"

    data["parts"][2]["price"] = "52.00"  # selling at cost is allowed
    assert rpc(SYSTEM).parts.import_reference_data(data) == {"parts": 6}

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
