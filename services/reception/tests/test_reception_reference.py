"""Reference data: sites, labor rates that must be for a site of the loader's group,
customers re-imported without ids, vehicle look-ups and recalls."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import select

from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU, demo_group
from aftersales_core.errors import Forbidden, NotFound, ValidationFailed
from aftersales_core.tenancy import Tenant
from aftersales_reception.models import Customer, LaborRate, Site

SYSTEM = Tenant.system(GROUP_ID)
OTHER_SYSTEM = Tenant.system("grp-other")
ADVISOR = Tenant("sa.wang.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
OTHER_ADVISOR = Tenant("sa.qian.sz", GROUP_ID, (SUZHOU,), ("service_advisor",))
OEM = Tenant("oem.saicvw", GROUP_ID, (PUDONG,), ("oem",), oem_id="oem-saic-vw")


def test_the_demo_sites_and_rates_are_loaded(reception: Any) -> None:
    with reception.engine.connect() as conn:
        sites = dict(conn.execute(select(Site.site_id, Site.group_id)).all())
    assert {s["site_id"] for s in demo_group()["sites"]} <= set(sites)
    assert {sites[s["site_id"]] for s in demo_group()["sites"]} == {GROUP_ID}
    rates = reception.as_(ADVISOR).list_labor_rates(PUDONG)
    assert [(r["payer"], r["rate"]) for r in rates] == [
        ("customer", "180.00"), ("warranty", "120.00"), ("insurance", "200.00"),
        ("internal", "100.00")]  # fmt: skip
    with pytest.raises(Forbidden):
        reception.as_(OTHER_ADVISOR).list_labor_rates(PUDONG)
    # importing again adds nothing
    again = reception.as_(SYSTEM).import_reference_data(
        {"group_id": GROUP_ID, "sites": demo_group()["sites"],
         "labor_rates": demo_group()["labor_rates"]}
    )  # fmt: skip
    assert again == {"sites": 0, "labor_operations": 0, "labor_rates": 0, "customers": 0}


def test_labor_rates_must_be_for_a_site_of_the_loaders_group(reception: Any) -> None:
    loader = reception.as_(OTHER_SYSTEM)

    def rates(*site_ids: str) -> dict[str, Any]:
        return {
            "group_id": "grp-other",
            "labor_rates": [{"site_id": s, "payer": "customer", "rate": "1.00"} for s in site_ids],
        }

    with reception.engine.connect() as conn:
        before = conn.execute(select(LaborRate.site_id, LaborRate.rate)).all()
    # another group's site; one no import has listed yet (reception asks no directory)
    for site_ids, index in ((["site-pudong"], "0"), (["site-x", "site-nowhere"], "0")):
        with pytest.raises(ValidationFailed) as caught:
            loader.import_reference_data(rates(*site_ids))
        assert caught.value.code == "SITE_UNKNOWN"
        assert list(caught.value.fields["labor_rates"][index]) == ["site_id"]
    with reception.engine.connect() as conn:
        assert conn.execute(select(LaborRate.site_id, LaborRate.rate)).all() == before
    # a site listed in the import is known from then on, and must be of the group
    with pytest.raises(ValidationFailed) as caught:
        loader.import_reference_data(
            {
                "group_id": "grp-other",
                "sites": [{"site_id": "site-y", "group_id": GROUP_ID, "name": "y"}],
            }  # fmt: skip
        )
    assert caught.value.code == "SITE_OF_ANOTHER_GROUP"
    with pytest.raises(ValidationFailed) as caught:
        loader.import_reference_data(
            {
                "group_id": "grp-other",
                "sites": [{"site_id": PUDONG, "group_id": "grp-other", "name": "taken"}],
            }  # fmt: skip
        )
    assert caught.value.code == "SITE_OF_ANOTHER_GROUP"
    # reception learns a site only from the import (it asks no other service): once
    # grp-other lists site-x, its rates load
    listed = {"site_id": "site-x", "group_id": "grp-other", "name": "x"}
    assert loader.import_reference_data({**rates("site-x"), "sites": [listed]}) == {
        "sites": 1, "labor_operations": 0, "labor_rates": 1, "customers": 0}  # fmt: skip
    with reception.engine.connect() as conn:
        assert conn.execute(select(Site.group_id).where(Site.site_id == "site-x")).scalar() == (
            "grp-other"
        )


def test_customers_reimported_without_an_id_are_not_duplicated(reception: Any) -> None:
    loader = reception.as_(SYSTEM)
    customer = copy.deepcopy(demo_group()["customers"][2])
    del customer["customer_id"]
    customer["vehicles"] = []
    customer["name"] = "重复导入的客户"
    data = {"group_id": GROUP_ID, "customers": [customer]}

    def count() -> int:
        with reception.engine.connect() as conn:
            return len(conn.execute(select(Customer.customer_id).where(
                Customer.name == "重复导入的客户")).all())  # fmt: skip

    assert loader.import_reference_data(copy.deepcopy(data))["customers"] == 1
    assert loader.import_reference_data(copy.deepcopy(data))["customers"] == 0
    assert count() == 1
    # the same name with another phone is another person
    other = {**customer, "phones": ["13000000001"]}
    assert (
        loader.import_reference_data({"group_id": GROUP_ID, "customers": [other]})["customers"] == 1
    )
    assert count() == 2
    # a customer at a site the group does not have is refused on its field
    with pytest.raises(ValidationFailed) as caught:
        loader.import_reference_data(
            {"group_id": GROUP_ID, "customers": [{**customer, "site_id": "site-x"}]}
        )
    assert caught.value.code == "SITE_UNKNOWN"
    assert list(caught.value.fields["customers"]["0"]) == ["site_id"]


def test_find_and_file_of_a_vehicle(reception: Any) -> None:
    vehicle = reception.new_vehicle()
    advisor = reception.as_(ADVISOR)
    plate = vehicle["plate"].replace("·", "")
    found = advisor.find_vehicles({"plate": plate})["items"]
    assert [v["vehicle_id"] for v in found] == [vehicle["vehicle_id"]]
    found = advisor.find_vehicles({"vin": vehicle["vin"].lower()})["items"]
    assert [v["vehicle_id"] for v in found] == [vehicle["vehicle_id"]]
    assert reception.as_(OTHER_ADVISOR).find_vehicles({"vin": vehicle["vin"]})["items"] == []
    with pytest.raises(ValidationFailed):
        advisor.find_vehicles()
    with pytest.raises(ValidationFailed) as caught:
        advisor.find_vehicles({"plate": "not a plate"})
    assert list(caught.value.fields) == ["plate"]
    file = advisor.get_vehicle(vehicle["vehicle_id"])
    assert file["customer"]["customer_id"] == vehicle["customer_id"]
    assert (file["visits"], file["recommendations"], file["recalls"]) == ([], [], [])
    with pytest.raises(NotFound):
        reception.as_(OTHER_ADVISOR).get_vehicle(vehicle["vehicle_id"])
    with pytest.raises(NotFound):
        reception.as_(OEM).get_vehicle(vehicle["vehicle_id"])
    with pytest.raises(Forbidden):
        reception.as_(OEM).find_vehicles({"vin": vehicle["vin"]})


def test_a_recall_is_shown_for_its_vins_within_its_dates(reception: Any) -> None:
    listed, unlisted = reception.new_vehicle(), reception.new_vehicle()
    payload = {
        "recall_id": "RC-2026-118", "oem_id": "oem-saic-vw", "kind": "recall",
        "title": "后悬架摆臂螺栓检查紧固", "description": "部分车辆后悬架摆臂螺栓扭矩可能不足",
        "vins": [listed["vin"]], "labor_operation_code": "RCL-118", "part_numbers": [],
        "starts_on": "2026-01-01", "ends_on": None,
    }  # fmt: skip
    reception.publish("claims", "recall_announced", payload, handler="on_recall_announced",
                      site_id=None)  # fmt: skip
    advisor = reception.as_(ADVISOR)
    [recall] = advisor.get_vehicle(listed["vehicle_id"])["recalls"]
    assert (recall["recall_id"], recall["title"]) == ("RC-2026-118", "后悬架摆臂螺栓检查紧固")
    assert advisor.get_vehicle(unlisted["vehicle_id"])["recalls"] == []
    # announced again with more VINs and a closing date already passed: updated, not doubled
    reception.publish("claims", "recall_announced",
                      {**payload, "vins": [listed["vin"], unlisted["vin"]],
                       "ends_on": "2026-01-31"},
                      handler="on_recall_announced", site_id=None)  # fmt: skip
    assert advisor.get_vehicle(listed["vehicle_id"])["recalls"] == []
    assert advisor.get_vehicle(unlisted["vehicle_id"])["recalls"] == []
    # another group's recall is not ours
    reception.publish("claims", "recall_announced", {**payload, "recall_id": "RC-OTHER",
                      "ends_on": None}, handler="on_recall_announced", site_id=None,
                      group_id="grp-other")  # fmt: skip
    assert advisor.get_vehicle(listed["vehicle_id"])["recalls"] == []
