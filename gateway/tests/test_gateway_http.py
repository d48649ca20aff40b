"""The gateway over HTTP, in front of the five services, on real RabbitMQ and PostgreSQL.

One system runs for the whole module: migrating six databases and starting six
containers is the slow part.  Tests that stop a service start it again before they
end, so the order of the tests does not matter.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from datetime import timedelta
from typing import Any

import eventlet
import pytest
import requests

from aftersales_cli.seed_data import GROUP_ID, demo_group
from aftersales_cli.testing import (
    ADVISOR_PD,
    ADVISOR_SZ,
    HANGZHOU,
    HEALTH_TIMEOUT,
    HQ,
    OTHER_ADVISOR,
    OTHER_HQ,
    PUDONG,
    RPC_TIMEOUT,
    SUZHOU,
    System,
    wait_for,
)
from aftersales_core.identifiers import make_vin
from aftersales_core.tenancy import Tenant
from aftersales_gateway.auth import issue_token

DEALER_SERVICES = ("reception", "workshop", "parts", "claims", "customer-care")


@pytest.fixture(scope="module")
def system(gateway_system: System) -> System:
    return gateway_system


# ---------------------------------------------------------------- the running system


# ---------------------------------------------------------------- helpers


def _vin(serial: int) -> str:
    """A VIN no seeded car has, with a valid check digit."""
    return make_vin(f"LSVAL618RT{serial:06d}")


_serials = iter(range(900_000, 999_999))


def _customer(site_id: str = PUDONG, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "site_id": site_id,
        "name": f"测试客户 {uuid.uuid4().hex[:8]}",
        "phones": ["13900000000"],
        "vehicles": [
            {
                "vin": _vin(next(_serials)),
                "plate": "沪A·12345",
                "brand": "上汽大众",
                "model": "朗逸",
                "mileage": 1000,
            }
        ],
    }
    body.update(overrides)
    return body


def _error(resp: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The one error shape, with a JSON content type; returns the inner object."""
    assert resp.status_code == status, (resp.status_code, resp.text[:500])
    assert resp.headers["Content-Type"].startswith("application/json"), resp.headers
    body = resp.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}, error
    assert isinstance(error["code"], str) and error["code"].isupper(), error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["fields"], dict), error
    assert "Traceback" not in resp.text
    if code is not None:
        assert error["code"] == code, error
    return error


def _every(system: System, path: str, tenant: Tenant, **params: str) -> list[dict[str, Any]]:
    """Every item of a paged list, following `next_cursor` to the end."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": "200", **({"cursor": cursor} if cursor else {})}
        resp = system.get(path, tenant, params=query)
        assert resp.status_code == 200, resp.text
        items += resp.json()["items"]
        cursor = resp.json()["next_cursor"]
        if cursor is None:
            return items


def _customer_ids(system: System, tenant: Tenant, **params: str) -> set[str]:
    return {c["customer_id"] for c in _every(system, "/api/v1/customers", tenant, **params)}


def _names(system: System, tenant: Tenant, name: str) -> set[str]:
    """Names of the customers found when searching for `name`."""
    return {c["name"] for c in _every(system, "/api/v1/customers", tenant, q=name)}


# ---------------------------------------------------------------- health


def _check_health_shape(body: dict[str, Any]) -> None:
    assert set(body) == {"status", "services"}
    assert list(body["services"]) == [*DEALER_SERVICES, "gateway"]
    for name, entry in body["services"].items():
        assert entry["status"] in {"up", "down"}, (name, entry)


def test_health_up_then_claims_down(system: System) -> None:
    resp = system.get("/health")
    assert resp.status_code == 200, resp.text
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    _check_health_shape(body)
    assert body["status"] == "up"
    for name, entry in body["services"].items():
        assert entry["status"] == "up", (name, entry)
        assert entry["database"]["ok"] is True, (name, entry)
        assert entry["database"]["dialect"] == "postgresql"

    with system.stopped("claims") as claims_runner:
        assert "claims" not in system.runners and claims_runner.service_map["claims"]
        started = time.monotonic()
        resp = system.get("/health")
        elapsed = time.monotonic() - started
        assert resp.status_code == 503, resp.text
        body = resp.json()
        _check_health_shape(body)
        assert body["status"] == "degraded"
        assert body["services"]["claims"]["status"] == "down"
        assert body["services"]["claims"]["error"]
        for name in ("reception", "workshop", "parts", "customer-care", "gateway"):
            assert body["services"][name]["status"] == "up", name
        assert elapsed < HEALTH_TIMEOUT + 3, elapsed

    wait_for(lambda: system.get("/health").status_code == 200, 15, "claims is back")


# ---------------------------------------------------------------- public documents


def test_openapi_and_docs_are_public(system: System) -> None:
    spec = system.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.headers["Content-Type"].startswith("application/json")
    paths = spec.json()["paths"]
    assert "/api/v1/customers" in paths and "/health" in paths
    docs = system.get("/docs")
    assert docs.status_code == 200
    assert docs.headers["Content-Type"].startswith("text/html")
    assert 'url: "/openapi.json"' in docs.text
    script = system.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.content
    assert system.get("/docs/assets/swagger-ui.css").headers["Content-Type"].startswith("text/css")
    _error(system.get("/docs/assets/..%2f__init__.py"), 404)
    _error(system.get("/docs/assets/index.j2"), 404)


def test_the_root_leads_to_the_docs(system: System) -> None:
    home = system.get("/", allow_redirects=False)
    assert home.status_code in (301, 302, 303, 307, 308)
    assert home.headers["Location"].endswith("/docs")


def test_the_vocabulary_has_both_labels(system: System) -> None:
    vocabulary = system.get("/api/v1/vocabulary").json()
    payers = {term["code"]: term for term in vocabulary["payer"]}
    assert set(payers) == {"customer", "warranty", "insurance", "internal"}
    assert payers["warranty"]["zh"] == "保修索赔" and payers["warranty"]["en"] == "warranty"
    assert {t["code"] for t in vocabulary["old_part_disposition"]} == {
        "return_to_customer",
        "scrap",
        "keep_for_warranty",
    }


# ---------------------------------------------------------------- the error shape


def test_401_without_a_usable_token(system: System) -> None:
    _error(system.get("/api/v1/customers"), 401, "TOKEN_MISSING")
    _error(system.get("/api/v1/sites", headers={"Authorization": "Basic eDp5"}), 401)
    _error(system.get("/api/v1/customers", token="garbage.token.here"), 401, "TOKEN_INVALID")
    _error(system.get("/api/v1/customers", token="not-even-a-jwt"), 401, "TOKEN_INVALID")
    expired = issue_token(ADVISOR_PD, ttl=timedelta(seconds=-10))
    _error(system.get("/api/v1/customers", token=expired), 401, "TOKEN_EXPIRED")
    wrong_key = issue_token(ADVISOR_PD, key="someone-elses-secret-" + "z" * 48)
    _error(system.get("/api/v1/me", token=wrong_key), 401, "TOKEN_INVALID")
    system_role = issue_token(Tenant("sneaky", GROUP_ID, (), ("system",)))
    _error(system.get("/api/v1/sites", token=system_role), 401, "TOKEN_INVALID")
    # A write without a token is refused before anything happens.
    name = f"no token {uuid.uuid4().hex[:6]}"
    _error(system.post("/api/v1/customers", json=_customer(name=name)), 401, "TOKEN_MISSING")
    assert name not in _names(system, HQ, name)


def test_403_for_another_site(system: System) -> None:
    error = _error(
        system.get(f"/api/v1/sites/{SUZHOU}/technicians", ADVISOR_PD), 403, "SITE_FORBIDDEN"
    )
    assert error["fields"] == {"site_id": [SUZHOU]}
    _error(
        system.post("/api/v1/customers", ADVISOR_PD, json=_customer(SUZHOU)),
        403,
        "SITE_FORBIDDEN",
    )
    _error(
        system.get("/api/v1/customers", ADVISOR_PD, params={"site_id": SUZHOU}),
        403,
        "SITE_FORBIDDEN",
    )


def test_404s(system: System) -> None:
    _error(system.get("/nowhere"), 404)
    _error(system.get("/api/v1/nowhere", ADVISOR_PD), 404)
    _error(
        system.get("/api/v1/customers/cus-does-not-exist", ADVISOR_PD), 404, "CUSTOMER_NOT_FOUND"
    )
    # Another site's customer does not exist for this advisor.
    _error(system.get("/api/v1/customers/cus-sz-001", ADVISOR_PD), 404, "CUSTOMER_NOT_FOUND")
    assert system.get("/api/v1/customers/cus-pd-001", ADVISOR_PD).status_code == 200
    _error(
        system.post("/api/v1/customers/cus-does-not-exist/vehicles", ADVISOR_PD, json={}),
        404,
        "CUSTOMER_NOT_FOUND",
    )


def test_405_wrong_method_on_a_known_path(system: System) -> None:
    error = _error(system.request("DELETE", "/api/v1/customers", ADVISOR_PD), 405)
    assert error["code"] == "METHOD_NOT_ALLOWED"
    _error(system.request("PUT", "/api/v1/customers/cus-pd-001", ADVISOR_PD, json={}), 405)
    resp = system.post("/health")
    _error(resp, 405)
    assert "GET" in resp.headers.get("Allow", ""), resp.headers


def test_400_invalid_json(system: System) -> None:
    for raw in (b"{", b"{'single': 'quotes'}", b"\xff\xfe\x00", b"", b"{}}"):
        error = _error(
            system.post(
                "/api/v1/customers",
                ADVISOR_PD,
                data=raw,
                headers={"Content-Type": "application/json"},
            ),
            400,
            "INVALID_JSON",
        )
        assert "_body" in error["fields"]


def test_400_names_the_field_at_fault(system: System) -> None:
    body = _customer()
    body["vehicles"][0]["vin"] = "LSVAL618XRT000001"[:16] + "I"
    error = _error(system.post("/api/v1/customers", ADVISOR_PD, json=body), 400, "VALIDATION_ERROR")
    assert list(error["fields"]) == ["vehicles"]
    assert list(error["fields"]["vehicles"]) == ["0"]
    assert "vin" in error["fields"]["vehicles"]["0"]

    bad_check_digit = _customer()
    vin = bad_check_digit["vehicles"][0]["vin"]
    bad_check_digit["vehicles"][0]["vin"] = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]
    error = _error(system.post("/api/v1/customers", ADVISOR_PD, json=bad_check_digit), 400)
    assert "check digit" in error["fields"]["vehicles"]["0"]["vin"][0]

    error = _error(system.post("/api/v1/customers", ADVISOR_PD, json=_customer(phones=[])), 400)
    assert set(error["fields"]) == {"phones"}
    error = _error(
        system.post("/api/v1/customers", ADVISOR_PD, json=_customer(phones=["call me"])), 400
    )
    assert set(error["fields"]) == {"phones"}
    missing = _customer()
    del missing["name"]
    error = _error(system.post("/api/v1/customers", ADVISOR_PD, json=missing), 400)
    assert set(error["fields"]) == {"name"}


def test_409_duplicate_vin(system: System) -> None:
    seeded_vin = demo_group()["customers"][0]["vehicles"][0]["vin"]
    body = _customer()
    body["vehicles"][0]["vin"] = seeded_vin
    error = _error(system.post("/api/v1/customers", ADVISOR_PD, json=body), 409, "VIN_TAKEN")
    assert error["fields"] == {"vin": [seeded_vin]}
    # The refused customer was not half-created.
    assert body["name"] not in _names(system, ADVISOR_PD, body["name"])
    # The same VIN on an existing customer, too.
    resp = system.post(
        "/api/v1/customers/cus-pd-001/vehicles", ADVISOR_PD, json=body["vehicles"][0]
    )
    _error(resp, 409, "VIN_TAKEN")


# ---------------------------------------------------------------- hostile input


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


HOSTILE_BODIES: dict[str, Any] = {
    "array": "[]",
    "array-of-customers": json.dumps([_customer()]),
    "number": "42",
    "string": '"customer"',
    "null": "null",
    "true": "true",
    "huge-name": json.dumps(_customer(name="名" * 200_000)),
    "huge-site": json.dumps(_customer(site_id="s" * 100_000)),
    "huge-phone": json.dumps(_customer(phones=["1" * 1_000_000])),
    "huge-number": '{"site_id": "site-pudong", "name": "x", "phones": ["13900000000"], '
    '"vehicles": [{"vin": "x", "brand": "b", "model": "m", "mileage": ' + "9" * 5000 + "}]}",
    "infinite-mileage": '{"site_id": "site-pudong", "name": "x", "phones": ["13900000000"], '
    '"vehicles": [{"vin": "x", "brand": "b", "model": "m", "mileage": Infinity}]}',
    "site-number": json.dumps(_customer(site_id=12)),
    "phones-string": json.dumps(_customer(phones="13900000000")),
    "phones-numbers": json.dumps(_customer(phones=[13900000000])),
    "vehicles-object": json.dumps(_customer(vehicles={"vin": "x"})),
    "vehicles-strings": json.dumps(_customer(vehicles=["LSVAL618XRT000001"])),
    "mileage-negative": json.dumps(
        _customer(vehicles=[{"vin": _vin(1), "brand": "b", "model": "m", "mileage": -1}])
    ),
    "mileage-text": json.dumps(
        _customer(vehicles=[{"vin": _vin(2), "brand": "b", "model": "m", "mileage": "lots"}])
    ),
    "unknown-field": json.dumps(_customer(group_id="grp-other")),
    "nested-name": json.dumps(_customer(name={"$ne": None})),
    "deep-nesting": '{"site_id": ' + _deep(100_000) + "}",
    "nesting-40": '{"site_id": "site-pudong", "name": "x", "phones": ' + _deep(40) + "}",
    "nesting-900": '{"site_id": "site-pudong", "name": "x", "phones": ' + _deep(900) + "}",
    "deep-body": _deep(100_000),
    "nul-in-name": json.dumps(_customer(name="nul\u0000byte")),
    "nul-in-address": json.dumps(_customer(address="\u0000")),
    "nul-in-a-key": json.dumps(_customer(**{"na\u0000me": "x"})),
    "lone-surrogate": '{"site_id": "site-pudong", "name": "\\ud800", "phones": ["13900000000"]}',
}


HOSTILE_PARAMS = [pytest.param(raw, id=name) for name, raw in HOSTILE_BODIES.items()] + [
    pytest.param(raw, id=name)
    for name, raw in {
        "huge-address": json.dumps(_customer(address="址" * 600)),
        "huge-colour": json.dumps(
            _customer(vehicles=[{"vin": _vin(3), "brand": "b", "model": "m", "colour": "c" * 41}])
        ),
        "huge-engine-number": json.dumps(
            _customer(
                vehicles=[{"vin": _vin(4), "brand": "b", "model": "m", "engine_number": "9" * 41}]
            )
        ),
    }.items()
]


@pytest.mark.parametrize("raw", HOSTILE_PARAMS)
def test_hostile_bodies_are_refused_not_crashing(system: System, raw: str) -> None:
    resp = system.post(
        "/api/v1/customers",
        ADVISOR_PD,
        data=raw.encode("utf-8", "surrogatepass"),
        headers={"Content-Type": "application/json"},
    )
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:300])
    _error(resp, resp.status_code)


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/customers/%00",
        "/api/v1/customers/" + "x" * 5000,
        "/api/v1/customers/%ED%A0%80",
        "/api/v1/customer-care/customers/%00",
        "/api/v1/sites/%00/technicians",
        "/api/v1/customers?site_id=%00",
    ],
    ids=["nul", "long", "bad-utf8", "archive-nul", "site-nul", "query-nul"],
)
def test_hostile_paths_are_refused_not_crashing(system: System, path: str) -> None:
    for tenant in (ADVISOR_PD, HQ):
        resp = system.get(path, tenant)
        assert 400 <= resp.status_code < 500, (path, resp.status_code, resp.text[:300])
        _error(resp, resp.status_code)


def test_an_overlong_idempotency_key(system: System) -> None:
    resp = system.post(
        "/api/v1/customers", ADVISOR_PD, json=_customer(), headers={"Idempotency-Key": "k" * 201}
    )
    error = _error(resp, 400, "HEADER_TOO_LONG")
    assert "Idempotency-Key" in error["fields"]


# ---------------------------------------------------------------- idempotency


def test_idempotency_key_replays_the_first_result(system: System) -> None:
    key = {"Idempotency-Key": f"create-{uuid.uuid4()}"}
    body = _customer()
    first = system.post("/api/v1/customers", ADVISOR_PD, json=body, headers=key)
    assert first.status_code == 201, first.text
    second = system.post("/api/v1/customers", ADVISOR_PD, json=body, headers=key)
    assert second.status_code == 201, second.text
    assert second.json()["customer_id"] == first.json()["customer_id"]
    assert second.json() == first.json()
    named = [
        c
        for c in _every(system, "/api/v1/customers", ADVISOR_PD, q=body["name"])
        if c["name"] == body["name"]
    ]
    assert [c["customer_id"] for c in named] == [first.json()["customer_id"]]

    # The same key for another request is a conflict, and changes nothing.
    other = dict(body, name=body["name"] + " (changed)")
    error = _error(
        system.post("/api/v1/customers", ADVISOR_PD, json=other, headers=key),
        409,
        "IDEMPOTENCY_KEY_REUSED",
    )
    assert error["message"]
    assert other["name"] not in _names(system, ADVISOR_PD, other["name"])

    # Another user's key is their own: the same key makes a new customer for them.
    mine = system.post("/api/v1/customers", HQ, json=_customer(), headers=key)
    assert mine.status_code == 201, mine.text
    assert mine.json()["customer_id"] != first.json()["customer_id"]


def test_a_retry_acts_once_even_when_the_gateway_forgot_the_key(system: System) -> None:
    """The key travels with the RPC and reception records it with its effect: after a
    503 (the gateway drops its record) or a gateway that died mid-request (its record
    left "in progress"), the retry answers the first result, never a second customer."""
    from sqlalchemy import create_engine, text

    engine = create_engine(system.databases["gateway"])
    body = _customer()
    key = f"forgotten-{uuid.uuid4()}"
    first = system.post(
        "/api/v1/customers", ADVISOR_PD, json=body, headers={"Idempotency-Key": key}
    )
    assert first.status_code == 201, first.text
    with engine.begin() as conn:  # as after a 503: the gateway holds no answer
        conn.execute(text("DELETE FROM idempotency_keys WHERE key = :k"), {"k": key})
    again = system.post(
        "/api/v1/customers", ADVISOR_PD, json=body, headers={"Idempotency-Key": key}
    )
    assert again.status_code == 201, again.text
    assert again.json()["customer_id"] == first.json()["customer_id"]
    with engine.begin() as conn:  # as after a gateway killed mid-request, long ago
        conn.execute(
            text(
                "UPDATE idempotency_keys SET status = NULL, response = NULL, "
                "created_at = created_at - interval '1 hour' WHERE key = :k"
            ),
            {"k": key},
        )
    third = system.post(
        "/api/v1/customers", ADVISOR_PD, json=body, headers={"Idempotency-Key": key}
    )
    assert third.status_code == 201, third.text
    assert third.json()["customer_id"] == first.json()["customer_id"]
    named = [
        c
        for c in _every(system, "/api/v1/customers", ADVISOR_PD, q=body["name"])
        if c["name"] == body["name"]
    ]
    assert len(named) == 1
    engine.dispose()


def test_idempotency_key_under_concurrent_retries(system: System) -> None:
    key = {"Idempotency-Key": f"race-{uuid.uuid4()}"}
    body = _customer()

    def post(_: int) -> requests.Response:
        return system.post("/api/v1/customers", ADVISOR_PD, json=body, headers=key)

    responses = list(eventlet.GreenPool().imap(post, range(6)))
    created = [r for r in responses if r.status_code == 201]
    assert created, [(r.status_code, r.text[:200]) for r in responses]
    assert len({r.json()["customer_id"] for r in created}) == 1
    for resp in responses:
        if resp.status_code != 201:
            _error(resp, 409, "IDEMPOTENCY_IN_PROGRESS")
    named = [
        c
        for c in _every(system, "/api/v1/customers", ADVISOR_PD, q=body["name"])
        if c["name"] == body["name"]
    ]
    assert len(named) == 1
    # Once finished, a retry replays the result.
    again = post(0)
    assert again.status_code == 201 and again.json() == created[0].json()


def test_idempotency_key_replays_a_refusal(system: System) -> None:
    key = {"Idempotency-Key": f"refused-{uuid.uuid4()}"}
    body = _customer(phones=[])
    first = system.post("/api/v1/customers", ADVISOR_PD, json=body, headers=key)
    first_error = _error(first, 400, "VALIDATION_ERROR")
    again = system.post("/api/v1/customers", ADVISOR_PD, json=body, headers=key)
    assert _error(again, 400) == first_error
    assert again.json() == first.json()


def test_idempotency_on_add_vehicle(system: System) -> None:
    key = {"Idempotency-Key": f"vehicle-{uuid.uuid4()}"}
    vehicle = {"vin": _vin(next(_serials)), "brand": "上汽大众", "model": "帕萨特"}
    path = "/api/v1/customers/cus-pd-002/vehicles"
    first = system.post(path, ADVISOR_PD, json=vehicle, headers=key)
    assert first.status_code == 201, first.text
    second = system.post(path, ADVISOR_PD, json=vehicle, headers=key)
    assert second.status_code == 201 and second.json() == first.json()
    customer = system.get("/api/v1/customers/cus-pd-002", ADVISOR_PD).json()
    assert [v["vin"] for v in customer["vehicles"]].count(vehicle["vin"]) == 1


# ---------------------------------------------------------------- tenancy


def test_site_staff_see_their_site_only(system: System) -> None:
    pudong = _customer_ids(system, ADVISOR_PD)
    assert {"cus-pd-001", "cus-pd-008"} <= pudong
    assert all(not c.startswith(("cus-sz-", "cus-hz-")) for c in pudong)
    customers = _every(system, "/api/v1/customers", ADVISOR_PD)
    assert {c["site_id"] for c in customers} == {PUDONG}
    assert {c["group_id"] for c in customers} == {GROUP_ID}

    suzhou = _customer_ids(system, ADVISOR_SZ)
    assert "cus-sz-001" in suzhou and not pudong & suzhou

    sites = system.get("/api/v1/sites", ADVISOR_PD)
    assert sites.status_code == 200
    assert [s["site_id"] for s in sites.json()] == [PUDONG]
    me = system.get("/api/v1/me", ADVISOR_PD).json()
    assert me["user_id"] == "sa.wang.pd" and me["name"] == "王磊"
    assert me["headquarters"] is False
    assert [s["site_id"] for s in me["sites"]] == [PUDONG]


def test_headquarters_sees_every_site(system: System) -> None:
    sites = system.get("/api/v1/sites", HQ)
    assert sites.status_code == 200
    assert sorted(s["site_id"] for s in sites.json()) == sorted([PUDONG, SUZHOU, HANGZHOU])
    everyone = _customer_ids(system, HQ)
    assert {"cus-pd-001", "cus-sz-001", "cus-hz-001"} <= everyone
    assert _customer_ids(system, HQ, site_id=HANGZHOU) >= {"cus-hz-001", "cus-hz-008"}
    assert all(c.startswith("cus-hz-") for c in _customer_ids(system, HQ, site_id=HANGZHOU))
    assert system.get("/api/v1/customers/cus-sz-001", HQ).status_code == 200
    technicians = system.get(f"/api/v1/sites/{SUZHOU}/technicians", HQ)
    assert technicians.status_code == 200 and len(technicians.json()["items"]) == 6


def test_another_group_sees_nothing_of_this_one(system: System) -> None:
    for tenant in (OTHER_ADVISOR, OTHER_HQ):
        assert _customer_ids(system, tenant) == set()
        sites = system.get("/api/v1/sites", tenant)
        assert sites.status_code == 200 and sites.json() == []
        _error(system.get("/api/v1/customers/cus-pd-001", tenant), 404, "CUSTOMER_NOT_FOUND")
        _error(
            system.get("/api/v1/customer-care/customers/cus-pd-001", tenant),
            404,
            "CUSTOMER_NOT_FOUND",
        )
        techs = system.get(f"/api/v1/sites/{PUDONG}/technicians", tenant)
        _error(techs, 404, "SITE_NOT_FOUND")  # another group's site, checked by the gateway
        assert system.get("/api/v1/labor-operations", tenant).json()["items"] == []
    # Nor may it register a customer at this group's site.
    _error(
        system.post("/api/v1/customers", OTHER_ADVISOR, json=_customer(PUDONG)),
        404,
        "SITE_NOT_FOUND",
    )


# ---------------------------------------------------------------- context data


def test_the_caller_reaches_customer_care(system: System) -> None:
    body = _customer(HANGZHOU)
    advisor = Tenant("sa.fu.hz", GROUP_ID, (HANGZHOU,), ("service_advisor",))
    created = system.post("/api/v1/customers", advisor, json=body)
    assert created.status_code == 201, created.text
    customer_id = created.json()["customer_id"]
    path = f"/api/v1/customer-care/customers/{customer_id}"

    def archived() -> Any:
        resp = system.get(path, advisor)
        if resp.status_code == 404:
            return None
        assert resp.status_code == 200, resp.text
        return resp.json()

    entry = wait_for(archived, 10, "customer care archived the customer")
    assert entry["recorded_for"] == "sa.fu.hz"
    assert entry["registered_by"] == "sa.fu.hz"
    assert entry["name"] == body["name"] and entry["site_id"] == HANGZHOU
    wait_for(lambda: archived()["vehicles"], 10, "customer care archived the vehicle")
    assert [v["vin"] for v in archived()["vehicles"]] == [body["vehicles"][0]["vin"]]
    # Another site's advisor cannot read it there either.
    _error(system.get(path, ADVISOR_PD), 404, "CUSTOMER_NOT_FOUND")


# ---------------------------------------------------------------- a silent service


def test_a_silent_service_is_a_503_not_a_hang(system: System) -> None:
    path = f"/api/v1/sites/{PUDONG}/technicians"
    assert system.get(path, ADVISOR_PD).status_code == 200
    with system.stopped("workshop"):
        started = time.monotonic()
        resp = system.get(path, ADVISOR_PD, timeout=RPC_TIMEOUT + 10)
        elapsed = time.monotonic() - started
        error = _error(resp, 503)
        assert error["code"] in {"SERVICE_UNAVAILABLE", "SERVICE_TIMEOUT"}
        assert elapsed < RPC_TIMEOUT + 3, elapsed
        # Other services still answer meanwhile.
        assert system.get("/api/v1/customers/cus-pd-001", ADVISOR_PD).status_code == 200
    wait_for(lambda: system.get(path, ADVISOR_PD).status_code == 200, 15, "workshop is back")


def _raw_post(system: System, path: str, headers: dict[str, bytes], body: bytes) -> tuple[int, Any]:
    """A request with header bytes `requests` would refuse to send."""
    host, port = system.base_url.removeprefix("http://").split(":")
    lines = [f"POST {path} HTTP/1.1".encode(), f"Host: {host}".encode(), b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers.items()]
    lines += [b"Content-Type: application/json", f"Content-Length: {len(body)}".encode()]
    with socket.create_connection((host, int(port)), timeout=15) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, payload = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(payload)


@pytest.mark.parametrize("key", [b"a\x00b", b"\xe9t\xe9", b"\x01"], ids=["nul", "latin-1", "ctrl"])
def test_odd_idempotency_keys(system: System, key: bytes) -> None:
    token = issue_token(ADVISOR_PD).encode()
    body = json.dumps(_customer()).encode()
    headers = {"Authorization": b"Bearer " + token, "Idempotency-Key": key}
    status, payload = _raw_post(system, "/api/v1/customers", headers, body)
    assert status in (201, 400), (status, payload)
    if status == 201:
        assert _raw_post(system, "/api/v1/customers", headers, body) == (status, payload)
    else:
        assert set(payload["error"]) == {"code", "message", "fields"}
