"""Signing in, refresh rotation, lockout, and user administration through the gateway."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from aftersales_cli.seed_data import GROUP_ID
from aftersales_cli.testing import ADVISOR_PD, HQ, PUDONG, SUZHOU, System
from aftersales_core.tenancy import Tenant

ADMIN = Tenant("admin.lin", GROUP_ID, (), ("group_admin",))
OTHER_ADMIN = Tenant("admin.other", "grp-other", (), ("group_admin",))
PASSWORD = "Counter-2026-pd"


@pytest.fixture(scope="module")
def system(gateway_system: System) -> System:
    return gateway_system


def ok(resp: requests.Response, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.request.method, resp.url, resp.text[:600])
    return resp.json() if resp.content else None


def refused(resp: requests.Response, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.text[:600]
    error = resp.json()["error"]
    assert error["code"] == code, error
    return error


def make_user(system: System, user_id: str, **extra: Any) -> dict[str, Any]:
    body = {
        "user_id": user_id,
        "name": "新同事",
        "site_ids": [PUDONG],
        "roles": ["service_advisor"],
        "password": PASSWORD,
        **extra,
    }
    return ok(system.post("/api/v1/users", ADMIN, json=body), 201)


def login(system: System, user_id: str, password: str = PASSWORD) -> requests.Response:
    return system.post("/api/v1/auth/login", json={"user_id": user_id, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_sign_in_gives_the_directorys_claims(system: System) -> None:
    make_user(system, "sa.new.pd")
    answer = ok(login(system, "sa.new.pd"))
    assert answer["token_type"] == "Bearer" and answer["expires_in"] == 900
    assert answer["user"]["roles"] == ["service_advisor"]
    me = ok(system.get("/api/v1/me", headers=bearer(answer["access_token"])))
    assert me["user_id"] == "sa.new.pd" and me["site_ids"] == [PUDONG]
    assert [site["site_id"] for site in me["sites"]] == [PUDONG]


def test_wrong_password_and_unknown_user_look_the_same(system: System) -> None:
    make_user(system, "sa.typo.pd")
    wrong = refused(login(system, "sa.typo.pd", "Wrong-2026-xx"), 401, "INVALID_CREDENTIALS")
    nobody = refused(login(system, "nobody.at.all", PASSWORD), 401, "INVALID_CREDENTIALS")
    assert wrong["message"] == nobody["message"]
    seeded_without_password = refused(
        login(system, "sa.wang.pd", PASSWORD), 401, "INVALID_CREDENTIALS"
    )
    assert seeded_without_password["message"] == wrong["message"]


def test_five_failures_in_a_row_lock_the_account_for_a_while(system: System) -> None:
    make_user(system, "sa.locked.pd")
    for _ in range(5):
        refused(login(system, "sa.locked.pd", "Wrong-2026-xx"), 401, "INVALID_CREDENTIALS")
    refused(login(system, "sa.locked.pd"), 429, "TOO_MANY_ATTEMPTS")
    user = ok(system.get("/api/v1/users/sa.locked.pd", ADMIN))
    assert user["locked_until"] is not None
    # an administrator's reset lifts the lockout
    ok(
        system.post(
            "/api/v1/users/sa.locked.pd/password", ADMIN, json={"new_password": "Fresh-2026-pw"}
        ),
        204,
    )
    ok(login(system, "sa.locked.pd", "Fresh-2026-pw"))


def test_refresh_rotates_and_a_reused_token_revokes_the_sign_in(system: System) -> None:
    make_user(system, "sa.rotate.pd")
    first = ok(login(system, "sa.rotate.pd"))
    second = ok(system.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}))
    assert second["refresh_token"] != first["refresh_token"]
    ok(system.get("/api/v1/me", headers=bearer(second["access_token"])))
    refused(
        system.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}),
        401,
        "REFRESH_REUSED",
    )
    # the thief's replay also ended the rightful holder's chain
    refused(
        system.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}),
        401,
        "REFRESH_INVALID",
    )


def test_logout_ends_the_refresh_chain(system: System) -> None:
    make_user(system, "sa.logout.pd")
    tokens = ok(login(system, "sa.logout.pd"))
    resp = system.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert resp.status_code == 204 and not resp.content
    refused(
        system.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
        "REFRESH_INVALID",
    )


def test_changing_the_password_signs_out_other_sessions(system: System) -> None:
    make_user(system, "sa.change.pd")
    tokens = ok(login(system, "sa.change.pd"))
    headers = bearer(tokens["access_token"])
    weak = system.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": PASSWORD, "new_password": "short"},
    )
    assert refused(weak, 400, "WEAK_PASSWORD")["fields"]["password"]
    wrong = system.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": "Not-it-2026", "new_password": "Better-2026-pw"},
    )
    refused(wrong, 401, "INVALID_CREDENTIALS")
    done = system.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": PASSWORD, "new_password": "Better-2026-pw"},
    )
    assert done.status_code == 204
    refused(
        system.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}),
        401,
        "REFRESH_INVALID",
    )
    refused(login(system, "sa.change.pd"), 401, "INVALID_CREDENTIALS")
    ok(login(system, "sa.change.pd", "Better-2026-pw"))


def test_administration_with_etags_audit_and_disabling(system: System) -> None:
    make_user(system, "sa.admin.pd")
    tokens = ok(login(system, "sa.admin.pd"))
    read = system.get("/api/v1/users/sa.admin.pd", ADMIN)
    etag = read.headers["ETag"]
    moved = system.request(
        "PATCH",
        "/api/v1/users/sa.admin.pd",
        ADMIN,
        json={"site_ids": [SUZHOU], "roles": ["service_advisor", "cashier"]},
        headers={"If-Match": etag},
    )
    assert ok(moved)["site_ids"] == [SUZHOU] and moved.headers["ETag"] != etag
    stale = system.request(
        "PATCH",
        "/api/v1/users/sa.admin.pd",
        ADMIN,
        json={"name": "改名"},
        headers={"If-Match": etag},
    )
    refused(stale, 412, "PRECONDITION_FAILED")
    assert ok(system.get("/api/v1/users/sa.admin.pd", ADMIN))["name"] == "新同事"
    # the next refresh carries the directory's new claims
    again = ok(system.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]}))
    assert again["user"]["site_ids"] == [SUZHOU] and "cashier" in again["user"]["roles"]
    ok(system.request("PATCH", "/api/v1/users/sa.admin.pd", ADMIN, json={"disabled": True}))
    refused(login(system, "sa.admin.pd"), 401, "INVALID_CREDENTIALS")
    refused(
        system.post("/api/v1/auth/refresh", json={"refresh_token": again["refresh_token"]}),
        401,
        "REFRESH_INVALID",
    )
    audit = ok(system.get("/api/v1/users/sa.admin.pd/audit", ADMIN))
    assert [entry["action"] for entry in audit] == ["created", "password_set", "updated", "updated"]
    assert audit[2]["details"]["site_ids"] == [[PUDONG], [SUZHOU]]
    assert all(entry["actor"] == "admin.lin" for entry in audit)
    listed = ok(system.get("/api/v1/users", ADMIN, params={"q": "sa.admin", "limit": 5}))
    assert [u["user_id"] for u in listed["items"]] == ["sa.admin.pd"]
    assert listed["items"][0]["has_password"] is True
    assert "password_hash" not in listed["items"][0]


def test_administration_stays_inside_the_group_and_the_role(system: System) -> None:
    refused(system.get("/api/v1/users", ADVISOR_PD), 403, "ROLE_FORBIDDEN")
    refused(system.get("/api/v1/users", HQ), 403, "ROLE_FORBIDDEN")
    refused(system.get("/api/v1/users/sa.wang.pd", OTHER_ADMIN), 404, "USER_NOT_FOUND")
    assert ok(system.get("/api/v1/users", OTHER_ADMIN))["items"] == []
    foreign = system.post(
        "/api/v1/users",
        ADMIN,
        json={
            "user_id": "x.foreign",
            "name": "x",
            "site_ids": ["site-other"],
            "roles": ["cashier"],
        },
    )
    refused(foreign, 400, "UNKNOWN_SITE")
    for role in ("system", "oem"):
        bad = system.post(
            "/api/v1/users",
            ADMIN,
            json={"user_id": f"x.{role}", "name": "x", "site_ids": [PUDONG], "roles": [role]},
        )
        refused(bad, 400, "UNKNOWN_ROLE")
    refused(
        system.post(
            "/api/v1/users",
            ADMIN,
            json={"user_id": "sa.wang.pd", "name": "x", "site_ids": [PUDONG], "roles": ["cashier"]},
        ),
        409,
        "USER_EXISTS",
    )
    refused(
        system.request("PATCH", "/api/v1/users/admin.lin", ADMIN, json={"disabled": True}),
        403,
        "SELF_LOCKOUT",
    )
