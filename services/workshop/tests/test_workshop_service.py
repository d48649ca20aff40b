"""WorkshopService on the real broker and PostgreSQL."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select

from aftersales_cli.seed_data import GROUP_ID, HANGZHOU, PUDONG, SUZHOU, demo_group
from aftersales_core.errors import Forbidden, Unauthorized, ValidationFailed
from aftersales_core.tenancy import Tenant
from aftersales_workshop.models import Team, Technician
from aftersales_workshop.service import WorkshopService

DISPATCHER_A = Tenant("disp.ma.pd", GROUP_ID, (PUDONG,), ("dispatcher",))
HQ = Tenant("hq.chen", GROUP_ID, (), ("hq_manager",))
OTHER_HQ = Tenant("hq.other", "grp-other", (), ("hq_manager",))
SYSTEM = Tenant.system(GROUP_ID)


@pytest.fixture
def db(migrated_database: Any, run_services: Any) -> Iterator[Engine]:
    url = migrated_database("workshop")
    run_services({WorkshopService: url})
    engine = create_engine(url)
    yield engine
    engine.dispose()


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Team.__table__, Technician.__table__)
        )


def _slice() -> dict[str, Any]:
    """Pudong's and Suzhou's teams and technicians from the demo group."""
    group = demo_group()
    sites = (PUDONG, SUZHOU)
    return {
        "group_id": GROUP_ID,
        "teams": [t for t in group["teams"] if t["site_id"] in sites],
        "technicians": [t for t in group["technicians"] if t["site_id"] in sites],
    }


def test_import_reference_data_is_idempotent(db: Engine, rpc: Any) -> None:
    data = _slice()
    assert (len(data["teams"]), len(data["technicians"])) == (4, 12)
    assert rpc(SYSTEM).workshop.import_reference_data(copy.deepcopy(data)) == {
        "teams": 4,
        "technicians": 12,
        "bays": 0,
    }
    assert _counts(db) == (4, 12)
    assert rpc(HQ).workshop.import_reference_data(copy.deepcopy(data)) == {
        "teams": 0,
        "technicians": 0,
        "bays": 0,
    }
    assert _counts(db) == (4, 12)

    # A later load adds only what is new.
    more = demo_group()
    bigger = {
        "group_id": GROUP_ID,
        "teams": more["teams"],
        "technicians": more["technicians"],
    }
    assert rpc(SYSTEM).workshop.import_reference_data(bigger) == {
        "teams": 2,
        "technicians": 4,
        "bays": 0,
    }
    with db.connect() as conn:
        groups = conn.execute(select(Technician.group_id).distinct()).scalars().all()
    assert groups == [GROUP_ID]


def test_import_reference_data_is_for_loaders_of_the_group(db: Engine, rpc: Any) -> None:
    data = _slice()
    with pytest.raises(Forbidden) as caught:
        rpc(DISPATCHER_A).workshop.import_reference_data(copy.deepcopy(data))
    assert caught.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        rpc(OTHER_HQ).workshop.import_reference_data(copy.deepcopy(data))
    assert caught.value.code == "GROUP_FORBIDDEN"
    with pytest.raises(Unauthorized):
        rpc().workshop.import_reference_data(copy.deepcopy(data))
    with pytest.raises(ValidationFailed) as caught:
        rpc(SYSTEM).workshop.import_reference_data({**data, "parts": []})
    assert list(caught.value.fields) == ["parts"]
    broken = copy.deepcopy(data)
    del broken["technicians"][1]["name"]
    with pytest.raises(ValidationFailed) as caught:
        rpc(SYSTEM).workshop.import_reference_data(broken)
    assert caught.value.fields == {
        "technicians": {"1": {"name": ["Missing data for required field."]}}
    }
    assert _counts(db) == (0, 0)


def test_a_technician_must_join_a_team_of_their_own_site_and_group(db: Engine, rpc: Any) -> None:
    data = _slice()
    assert rpc(SYSTEM).workshop.import_reference_data(copy.deepcopy(data))["teams"] == 4
    newcomer = {"technician_id": "tech.new.pd", "site_id": PUDONG, "name": "新人"}
    other_group = Tenant.system("grp-other")
    first = data["technicians"][0]  # a valid technician of Pudong
    cases = [
        (SYSTEM, GROUP_ID, [], [first], "team-missing"),  # no such team
        (SYSTEM, GROUP_ID, [], [first], "team-sz-1"),  # Suzhou's team
        # Another group reusing our team's id: its team is skipped as present, and its
        # technician must not end up in our team.
        (other_group, "grp-other", [{"team_id": "team-pd-1", "site_id": PUDONG, "name": "x"}],
         [], "team-pd-1"),
    ]  # fmt: skip
    for tenant, group_id, teams, before, team_id in cases:
        with pytest.raises(ValidationFailed) as caught:
            rpc(tenant).workshop.import_reference_data(
                {
                    "group_id": group_id,
                    "teams": teams,
                    "technicians": [*before, {**newcomer, "team_id": team_id}],
                }
            )
        assert caught.value.code == "UNKNOWN_TEAM"
        assert list(caught.value.fields["technicians"][str(len(before))]) == ["team_id"]
    assert _counts(db) == (4, 12)
    assert rpc(SYSTEM).workshop.import_reference_data(
        {"group_id": GROUP_ID, "technicians": [{**newcomer, "team_id": "team-pd-2"}, newcomer]}
    ) == {"teams": 0, "technicians": 1, "bays": 0}


def test_list_technicians_by_site(db: Engine, rpc: Any) -> None:
    rpc(SYSTEM).workshop.import_reference_data(_slice())

    pudong = rpc(DISPATCHER_A).workshop.list_technicians(PUDONG)["items"]
    assert [t["technician_id"] for t in pudong] == [
        "tech.liu.pd",
        "tech.wu.pd",
        "tech.yang.pd",
        "tech.zhao.pd",
        "tl.huang.pd",
        "tl.zhang.pd",
    ]
    zhang = pudong[-1]
    assert zhang == {
        "technician_id": "tl.zhang.pd",
        "site_id": PUDONG,
        "name": "张永刚",
        "team_id": "team-pd-1",
        "skills": ["maintenance", "engine", "diagnosis", "electrical"],
        "grade": "master",
    }

    with pytest.raises(Forbidden) as caught:
        rpc(DISPATCHER_A).workshop.list_technicians(SUZHOU)
    assert caught.value.code == "SITE_FORBIDDEN"
    assert len(rpc(HQ).workshop.list_technicians(SUZHOU)["items"]) == 6
    assert len(rpc(HQ).workshop.list_technicians(PUDONG)["items"]) == 6
    assert rpc(HQ).workshop.list_technicians(HANGZHOU)["items"] == []  # not loaded
    assert rpc(OTHER_HQ).workshop.list_technicians(PUDONG)["items"] == []
    with pytest.raises(Unauthorized):
        rpc().workshop.list_technicians(PUDONG)["items"]


def test_health(db: Engine, rpc: Any) -> None:
    health = rpc().workshop.health()
    assert health["service"] == "workshop"
    assert health["status"] == "up"
    assert health["database"] == {"ok": True, "dialect": "postgresql"}
    assert health["outbox_pending"] == 0
