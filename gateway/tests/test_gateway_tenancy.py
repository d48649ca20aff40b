"""Another group reaches nothing: for every route of the table that names a site (in
its path, its query or its body), a caller of another group — whatever their roles —
is refused before any service acts, and the group's own data is unchanged."""

from __future__ import annotations

import re
from typing import Any

import pytest

from aftersales_cli.seed_data import GROUP_ID
from aftersales_cli.testing import HQ, OTHER_ADVISOR, OTHER_HQ, PUDONG, System
from aftersales_core.tenancy import ROLES, Tenant
from aftersales_gateway.routes import TABLE
from aftersales_gateway.routing import Route

# Every role people hold, of another group: only the site check can stop it.
EVERY_ROLE_ELSEWHERE = Tenant(
    "x.everything",
    "grp-other",
    ("site-other",),
    tuple(r for r in ROLES if r not in ("system", "oem")),
)
CALLERS = {"other-hq": OTHER_HQ, "other-advisor": OTHER_ADVISOR, "other-all": EVERY_ROLE_ELSEWHERE}
SITE_ROUTES = [r for r in TABLE if r.names_a_site and not r.public]


@pytest.fixture(scope="module")
def system(gateway_system: System) -> System:
    return gateway_system


def _path(route: Route) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        return PUDONG if name == "site_id" else ("1" if converter == "int" else "x-1")

    return re.sub(r"<(?:([^:<>]+):)?([^<>]+)>", fill, route.path)


@pytest.mark.parametrize("route", SITE_ROUTES, ids=lambda r: f"{r.method} {r.path}")
@pytest.mark.parametrize("caller", list(CALLERS))
def test_another_group_is_refused_on_every_site_route(
    system: System, route: Route, caller: str
) -> None:
    params = {"site_id": PUDONG} if route.query is not None else None
    body: Any = {"site_id": PUDONG} if route.body is not None else None
    resp = system.request(route.method, _path(route), CALLERS[caller], params=params, json=body)
    assert resp.status_code in (403, 404), (resp.status_code, resp.text[:300])
    if CALLERS[caller] is EVERY_ROLE_ELSEWHERE:
        assert resp.json()["error"]["code"] == "SITE_NOT_FOUND", resp.text[:300]


def test_the_holes_found_by_probing_stay_closed(system: System) -> None:
    """Another group's HQ could take over a site's care policy, rewrite its shift
    pattern and read its stock value; the real HQ must still own all three."""
    policy = system.get(f"/api/v1/customer-care/sites/{PUDONG}/policy", HQ)
    assert policy.status_code == 200, policy.text
    for caller in (OTHER_HQ, EVERY_ROLE_ELSEWHERE):
        taken = system.request(
            "PATCH", f"/api/v1/customer-care/sites/{PUDONG}/policy", caller, json={}
        )
        assert taken.status_code in (403, 404), taken.text
    shift = system.get(f"/api/v1/workshop/sites/{PUDONG}/shift-pattern", HQ)
    for caller in (OTHER_HQ, EVERY_ROLE_ELSEWHERE):
        rewritten = system.request(
            "PUT", f"/api/v1/workshop/sites/{PUDONG}/shift-pattern", caller, json={}
        )
        assert rewritten.status_code in (403, 404), rewritten.text
    assert system.get(f"/api/v1/workshop/sites/{PUDONG}/shift-pattern", HQ).json() == shift.json()
    for caller in (OTHER_HQ, EVERY_ROLE_ELSEWHERE):
        value = system.get("/api/v1/parts/reconciliation", caller, params={"site_id": PUDONG})
        assert value.status_code == 404, value.text
        assert value.json()["error"]["code"] == "SITE_NOT_FOUND"
    assert system.get(f"/api/v1/customer-care/sites/{PUDONG}/policy", HQ).json() == policy.json()
    assert GROUP_ID != OTHER_HQ.group_id
