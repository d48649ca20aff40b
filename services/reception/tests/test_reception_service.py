"""ReceptionService on the real broker and PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import Engine, create_engine, func, select, text

from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU, demo_group
from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope
from aftersales_core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from aftersales_core.identifiers import make_vin
from aftersales_core.tables import inbox, outbox
from aftersales_core.tenancy import Tenant
from aftersales_reception.models import Base, Customer, LaborOperation, LaborRate, Vehicle
from aftersales_reception.service import ReceptionService

OTHER_GROUP = "grp-other"

ADVISOR_A = Tenant("sa.wang.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
ADVISOR_B = Tenant("sa.qian.sz", GROUP_ID, (SUZHOU,), ("service_advisor",))
HQ = Tenant("hq.chen", GROUP_ID, (), ("hq_manager",))
OTHER_HQ = Tenant("hq.other", OTHER_GROUP, (), ("hq_manager",))
SYSTEM = Tenant.system(GROUP_ID)

VIN_1 = make_vin("LSVAL618KA218734")
VIN_2 = make_vin("LSVUD60TMN087215")
VIN_3 = make_vin("LSVUZ6E4PE013962")


def _vehicle(vin: str, **overrides: Any) -> dict[str, Any]:
    return {
        "vin": vin,
        "plate": "沪A12345",
        "brand": "上汽大众",
        "model": "朗逸",
        "colour": "珍珠白",
        "sale_date": "2019-05-18",
        "mileage": 62350,
        **overrides,
    }


def _customer(site_id: str = PUDONG, vehicles: list[dict[str, Any]] | None = None) -> dict:
    return {
        "site_id": site_id,
        "name": "张伟",
        "phones": ["13916208745"],
        "address": "上海市浦东新区张杨路1500弄3号601室",
        "customer_class": "member",
        "vehicles": vehicles if vehicles is not None else [_vehicle(VIN_1)],
    }


@pytest.fixture(scope="module")
def running(amqp_uri: str, make_database: Any) -> Iterator[Engine]:
    """Reception on its own migrated database for the module (starting and stopping a
    nameko runner is the slow part); yields an engine on that database."""
    from nameko.runners import ServiceRunner

    from aftersales_cli.processes import PROCESSES
    from aftersales_core.config import nameko_config
    from aftersales_core.messaging import declare_topology, subscriptions_of
    from aftersales_core.migrate import upgrade

    url = make_database("reception")
    upgrade(PROCESSES["reception"].migrations_dir(), url)
    config = nameko_config("reception")
    config.update({"AMQP_URI": amqp_uri, "DATABASE_URL": url})
    declare_topology(amqp_uri, subscriptions_of(ReceptionService))
    runner = ServiceRunner(config)
    runner.add_service(ReceptionService)
    runner.start()
    # The sites reception must know before it takes customers for them.
    sites = demo_group()["sites"]
    other = [{"site_id": "site-x", "group_id": OTHER_GROUP, "name": "其他集团门店"}]
    for tenant, group_id, group_sites in (
        (SYSTEM, GROUP_ID, sites),
        (Tenant.system(OTHER_GROUP), OTHER_GROUP, other),
    ):
        with ClusterRpcProxy(
            {"AMQP_URI": amqp_uri, "serializer": "json"}, context_data=tenant.to_context()
        ) as proxy:
            proxy.reception.import_reference_data({"group_id": group_id, "sites": group_sites})
    engine = create_engine(url)
    try:
        yield engine
    finally:
        runner.stop()
        engine.dispose()


@pytest.fixture
def db(running: Engine) -> Engine:
    """The module's reception with every table but the sites emptied: a fresh start."""
    with running.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "sites":
                conn.execute(table.delete())
        conn.execute(outbox.delete())
        conn.execute(inbox.delete())
    return running


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _counts(engine: Engine) -> dict[str, int]:
    return {
        t.name: _count(engine, t)
        for t in (Customer.__table__, Vehicle.__table__, outbox, LaborOperation.__table__)
    }


def _outbox_rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(outbox).order_by(outbox.c.id)).mappings().all()
    return [dict(r) for r in rows]


# ---------------------------------------------------------------- happy paths


def test_register_get_add_vehicle_and_list(db: Engine, rpc: Any) -> None:
    reception = rpc(ADVISOR_A).reception
    created = reception.register_customer(_customer())
    customer_id = created["customer_id"]
    assert customer_id.startswith("cus-")
    assert created["group_id"] == GROUP_ID
    assert created["site_id"] == PUDONG
    assert created["name"] == "张伟"
    assert created["phones"] == ["13916208745"]
    assert created["customer_class"] == "member"
    assert created["created_at"].endswith("+00:00")
    [vehicle] = created["vehicles"]
    assert vehicle["vin"] == VIN_1
    assert vehicle["plate"] == "沪A·12345"  # normalised
    assert vehicle["sale_date"] == "2019-05-18"
    assert vehicle["customer_id"] == customer_id
    assert vehicle["site_id"] == PUDONG

    assert reception.get_customer(customer_id) == created

    added = reception.add_vehicle(
        customer_id, _vehicle(VIN_2.lower(), plate="沪a·m8f35", model="途观L", sale_date=None)
    )
    assert added["vin"] == VIN_2
    assert added["plate"] == "沪A·M8F35"
    assert added["sale_date"] is None
    again = reception.get_customer(customer_id)
    assert [v["vin"] for v in again["vehicles"]] == [VIN_1, VIN_2]

    second = reception.register_customer(
        {**_customer(vehicles=[]), "name": "李娜", "phones": ["13817652390"]}
    )
    listed = reception.list_customers()["items"]
    assert [c["customer_id"] for c in listed] == [customer_id, second["customer_id"]]
    assert [len(c["vehicles"]) for c in listed] == [2, 0]
    first = reception.list_customers({"site_id": PUDONG, "limit": 1})
    assert [c["customer_id"] for c in first["items"]] == [customer_id]

    with db.connect() as conn:
        stored = conn.execute(
            text("SELECT created_by, address FROM customers WHERE customer_id = :c"),
            {"c": customer_id},
        ).one()
    assert stored == ("sa.wang.pd", "上海市浦东新区张杨路1500弄3号601室")


def test_events_are_written_to_the_outbox_and_keep_their_contract(db: Engine, rpc: Any) -> None:
    reception = rpc(ADVISOR_A).reception
    created = reception.register_customer(_customer())
    customer_id = created["customer_id"]
    vehicle_id = reception.add_vehicle(customer_id, _vehicle(VIN_2, plate=None))["vehicle_id"]

    rows = _outbox_rows(db)
    assert [r["event_type"] for r in rows] == [
        "customer_registered",
        "vehicle_registered",
        "vehicle_registered",
    ]
    envelopes = [Envelope.from_dict(json.loads(r["body"])) for r in rows]
    for row, envelope in zip(rows, envelopes, strict=True):
        assert row["exchange"] == "reception.events"
        assert row["routing_key"] == envelope.type
        assert row["event_id"] == envelope.event_id
        assert validate_payload(envelope.type, envelope.payload)
        assert (envelope.group_id, envelope.site_id) == (GROUP_ID, PUDONG)
        assert envelope.correlation_id == customer_id
        headers = json.loads(row["headers"])
        assert headers["nameko.user_id"] == "sa.wang.pd"
        assert headers["nameko.group_id"] == GROUP_ID

    customer_event, first_vehicle, second_vehicle = (e.payload for e in envelopes)
    assert customer_event == {
        "customer_id": customer_id,
        "name": "张伟",
        "phones": ["13916208745"],
        "customer_class": "member",
        "registered_by": "sa.wang.pd",
    }
    assert first_vehicle == {
        "vehicle_id": created["vehicles"][0]["vehicle_id"],
        "customer_id": customer_id,
        "vin": VIN_1,
        "plate": "沪A·12345",
        "brand": "上汽大众",
        "model": "朗逸",
        "sale_date": "2019-05-18",
        "mileage": 62350,
    }
    assert second_vehicle["vehicle_id"] == vehicle_id
    assert second_vehicle["plate"] is None


def test_invalid_input_is_refused_with_fields_and_writes_nothing(db: Engine, rpc: Any) -> None:
    reception = rpc(ADVISOR_A).reception
    bad_vin = VIN_1[:8] + ("1" if VIN_1[8] != "1" else "2") + VIN_1[9:]
    with pytest.raises(ValidationFailed) as caught:
        reception.register_customer(_customer(vehicles=[_vehicle(bad_vin)]))
    assert caught.value.code == "VALIDATION_ERROR"
    # Field keys travel as JSON: the list index becomes a string.
    assert list(caught.value.fields["vehicles"]["0"]) == ["vin"]
    with pytest.raises(ValidationFailed) as caught:
        reception.register_customer({**_customer(), "phones": []})
    assert list(caught.value.fields) == ["phones"]
    assert _counts(db) == {"customers": 0, "vehicles": 0, "outbox": 0, "labor_operations": 0}


# ---------------------------------------------------------------- tenancy


def test_tenancy_sites_groups_and_hq(db: Engine, rpc: Any) -> None:
    a = rpc(ADVISOR_A).reception
    b = rpc(ADVISOR_B).reception
    hq = rpc(HQ).reception
    other = rpc(OTHER_HQ).reception

    with pytest.raises(Forbidden) as caught:
        a.register_customer(_customer(site_id=SUZHOU, vehicles=[]))
    assert caught.value.code == "SITE_FORBIDDEN"
    assert caught.value.fields == {"site_id": [SUZHOU]}
    assert _count(db, Customer.__table__) == 0
    assert _count(db, outbox) == 0

    on_a = a.register_customer(_customer(PUDONG, [_vehicle(VIN_1)]))["customer_id"]
    on_b = b.register_customer(_customer(SUZHOU, [_vehicle(VIN_2)]))["customer_id"]

    with pytest.raises(NotFound) as caught:
        a.get_customer(on_b)
    assert caught.value.code == "CUSTOMER_NOT_FOUND"
    with pytest.raises(NotFound):
        a.add_vehicle(on_b, _vehicle(VIN_3))
    with pytest.raises(NotFound):
        a.get_customer("cus-does-not-exist")
    assert [c["customer_id"] for c in a.list_customers()["items"]] == [on_a]
    assert [c["customer_id"] for c in b.list_customers()["items"]] == [on_b]
    with pytest.raises(Forbidden):
        a.list_customers({"site_id": SUZHOU})

    assert hq.get_customer(on_a)["site_id"] == PUDONG
    assert hq.get_customer(on_b)["site_id"] == SUZHOU
    assert {c["customer_id"] for c in hq.list_customers()["items"]} == {on_a, on_b}
    assert [c["customer_id"] for c in hq.list_customers({"site_id": SUZHOU})["items"]] == [on_b]

    for customer_id in (on_a, on_b):
        with pytest.raises(NotFound):
            other.get_customer(customer_id)
        with pytest.raises(NotFound):
            other.add_vehicle(customer_id, _vehicle(VIN_3))
    assert other.list_customers()["items"] == []
    assert other.list_customers({"site_id": PUDONG})["items"] == []
    assert _count(db, Vehicle.__table__) == 2


def test_no_tenant_is_unauthorized_but_health_answers(db: Engine, rpc: Any) -> None:
    anonymous = rpc().reception
    calls = [
        lambda: anonymous.register_customer(_customer()),
        lambda: anonymous.add_vehicle("cus-x", _vehicle(VIN_1)),
        lambda: anonymous.get_customer("cus-x"),
        lambda: anonymous.list_customers(),
        lambda: anonymous.import_reference_data({"group_id": GROUP_ID}),
        lambda: anonymous.list_labor_operations(),
    ]
    for call in calls:
        with pytest.raises(Unauthorized) as caught:
            call()
        assert caught.value.code == "NO_TENANT"
    assert _counts(db) == {"customers": 0, "vehicles": 0, "outbox": 0, "labor_operations": 0}

    health = anonymous.health()
    assert health["service"] == "reception"
    assert health["status"] == "up"
    assert health["database"] == {"ok": True, "dialect": "postgresql"}
    assert health["broker"] == {"ok": True}
    assert health["outbox_pending"] == 0


# ---------------------------------------------------------------- duplicate VINs


def test_duplicate_vin_is_a_conflict_and_nothing_is_half_written(db: Engine, rpc: Any) -> None:
    a = rpc(ADVISOR_A).reception
    first = a.register_customer(_customer(vehicles=[_vehicle(VIN_1)]))["customer_id"]
    before = _counts(db)
    assert before == {"customers": 1, "vehicles": 1, "outbox": 2, "labor_operations": 0}

    # A new customer whose second vehicle is taken: the customer and its first
    # vehicle, and their events, must go too.
    with pytest.raises(Conflict) as caught:
        a.register_customer(_customer(vehicles=[_vehicle(VIN_2), _vehicle(VIN_1.lower())]))
    assert caught.value.code == "VIN_TAKEN"
    assert caught.value.fields == {"vin": [VIN_1]}
    assert _counts(db) == before

    with pytest.raises(Conflict) as caught:
        a.add_vehicle(first, _vehicle(VIN_1))
    assert caught.value.code == "VIN_TAKEN"
    # The same VIN twice in one request.
    with pytest.raises(Conflict):
        a.register_customer(_customer(vehicles=[_vehicle(VIN_3), _vehicle(VIN_3)]))
    # Another site of the same group shares the VIN register.
    with pytest.raises(Conflict):
        rpc(ADVISOR_B).reception.register_customer(_customer(SUZHOU, [_vehicle(VIN_1)]))
    assert _counts(db) == before

    # VINs are unique per group: another group may record the same car.
    other = Tenant("sa.other", OTHER_GROUP, ("site-x",), ("service_advisor",))
    rpc(other).reception.register_customer(_customer("site-x", [_vehicle(VIN_1)]))
    assert _count(db, Vehicle.__table__) == 2


# ---------------------------------------------------------------- reference data


def _reference_slice() -> dict[str, Any]:
    group = demo_group()
    return {
        "group_id": GROUP_ID,
        "labor_operations": group["labor_operations"][:5]
        + [op for op in group["labor_operations"] if op["models"]][:1],
        "labor_rates": [r for r in group["labor_rates"] if r["site_id"] == PUDONG],
        "customers": [c for c in group["customers"] if c["site_id"] == PUDONG][:3],
    }


def test_import_reference_data_is_idempotent(db: Engine, rpc: Any) -> None:
    data = _reference_slice()
    loader = rpc(SYSTEM).reception
    vehicles = sum(len(c["vehicles"]) for c in data["customers"])
    assert loader.import_reference_data(copy.deepcopy(data)) == {
        "sites": 0,
        "labor_operations": 6,
        "labor_rates": 4,
        "customers": 3,
    }
    assert _count(db, Vehicle.__table__) == vehicles
    assert _count(db, outbox) == 3 + vehicles
    before = _counts(db)
    assert rpc(HQ).reception.import_reference_data(copy.deepcopy(data)) == {
        "sites": 0,
        "labor_operations": 0,
        "labor_rates": 0,
        "customers": 0,
    }
    assert _counts(db) == before

    ops = rpc(ADVISOR_A).reception.list_labor_operations({"limit": 200})["items"]
    assert [o["code"] for o in ops] == sorted(o["code"] for o in data["labor_operations"])
    first = rpc(ADVISOR_A).reception.list_labor_operations({"limit": 2})
    second = rpc(ADVISOR_A).reception.list_labor_operations(
        {"limit": 200, "cursor": first["next_cursor"]}
    )
    assert [o["code"] for o in first["items"] + second["items"]] == [o["code"] for o in ops]
    found = rpc(ADVISOR_A).reception.list_labor_operations({"q": "tbelt"})["items"]
    assert [o["code"] for o in found] == ["ENG-TBELT"]
    by_code = {o["code"]: o for o in ops}
    assert by_code["MNT-FREE1"]["standard_hours"] == "1.0"
    assert by_code["MNT-OIL"]["standard_hours"] == "0.5"
    assert by_code["ENG-TBELT"]["models"] == ["朗逸", "凌渡", "速腾", "宝来"]
    assert rpc(OTHER_HQ).reception.list_labor_operations()["items"] == []

    with db.connect() as conn:
        rates = dict(conn.execute(select(LaborRate.payer, LaborRate.rate)).all())
    assert {k: str(v) for k, v in rates.items()} == {
        "customer": "180.00",
        "warranty": "120.00",
        "insurance": "200.00",
        "internal": "100.00",
    }

    seeded = rpc(ADVISOR_A).reception.get_customer("cus-pd-001")
    assert seeded["name"] == "张伟"
    assert seeded["customer_class"] == "member"
    assert seeded["vehicles"][0]["vin"] == data["customers"][0]["vehicles"][0]["vin"]
    assert seeded["vehicles"][0]["plate"] == "沪A·K6R21"
    with pytest.raises(NotFound):
        rpc(ADVISOR_B).reception.get_customer("cus-pd-001")


def test_import_reference_data_is_for_loaders_of_the_group(db: Engine, rpc: Any) -> None:
    data = _reference_slice()
    with pytest.raises(Forbidden) as caught:
        rpc(ADVISOR_A).reception.import_reference_data(copy.deepcopy(data))
    assert caught.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        rpc(OTHER_HQ).reception.import_reference_data(copy.deepcopy(data))
    assert caught.value.code == "GROUP_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        rpc(Tenant.system(OTHER_GROUP)).reception.import_reference_data(copy.deepcopy(data))
    assert caught.value.code == "GROUP_FORBIDDEN"

    bad_hours = {
        "group_id": GROUP_ID,
        "labor_operations": [{"code": "X", "description": "x", "standard_hours": "1.25"}],
    }
    with pytest.raises(ValidationFailed) as caught:
        rpc(SYSTEM).reception.import_reference_data(bad_hours)
    assert caught.value.code == "HOURS_PRECISION"
    with pytest.raises(ValidationFailed) as caught:
        rpc(SYSTEM).reception.import_reference_data({**data, "teams": []})
    assert list(caught.value.fields) == ["teams"]
    assert _counts(db) == {"customers": 0, "vehicles": 0, "outbox": 0, "labor_operations": 0}
