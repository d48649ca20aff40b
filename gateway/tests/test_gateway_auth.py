"""JWT handling: one algorithm, `exp` required, the system role never from a token."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

import jwt
import pytest

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Unauthorized
from aftersales_core.tenancy import Tenant
from aftersales_gateway.auth import (
    DEV_SECRET,
    ISSUER,
    InsecureSecret,
    issue_token,
    secret,
    tenant_from_header,
    tenant_from_token,
)

SECRET = "gateway-tests-" + "s3cr3t" * 10  # 64+ bytes: long enough for HS512 too
ADVISOR = Tenant("sa.wang.pd", "grp-huadong", ("site-pudong",), ("service_advisor",))
OEM = Tenant("oem.saicvw", "grp-huadong", ("site-pudong",), ("oem",), oem_id="oem-saic-vw")


@pytest.fixture(autouse=True)
def jwt_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("JWT_SECRET", SECRET)
    return SECRET


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": "sa.wang.pd",
        "group": "grp-huadong",
        "sites": ["site-pudong"],
        "roles": ["service_advisor"],
        "iss": ISSUER,
        "iat": now,
        "exp": now + timedelta(hours=1),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _handmade(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """A token put together by hand, as an attacker would."""
    payload = {k: int(v.timestamp()) if hasattr(v, "timestamp") else v for k, v in claims.items()}
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(payload).encode())
    return f"{head}.{body}.{_b64(signature)}"


def _refused(token: str) -> Unauthorized:
    with pytest.raises(Unauthorized) as caught:
        tenant_from_token(token)
    return caught.value


# ---------------------------------------------------------------- the happy path


def test_the_secret_comes_from_the_environment() -> None:
    assert secret() == SECRET


@pytest.mark.parametrize("tenant", [ADVISOR, OEM], ids=["advisor", "oem"])
def test_issue_then_read_gives_the_same_tenant(tenant: Tenant) -> None:
    token = issue_token(tenant)
    assert tenant_from_token(token) == tenant
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], issuer=ISSUER)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert claims["exp"] > claims["iat"]
    assert claims["sub"] == tenant.user_id and claims["group"] == tenant.group_id


def test_header_with_bearer_scheme_in_any_case() -> None:
    token = issue_token(ADVISOR)
    assert tenant_from_header(f"Bearer {token}") == ADVISOR
    assert tenant_from_header(f"bearer {token}") == ADVISOR


def test_a_token_follows_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    token = issue_token(ADVISOR)
    monkeypatch.setenv("JWT_SECRET", "a-rotated-secret-" + "x" * 48)
    assert _refused(token).code == "TOKEN_INVALID"


# ---------------------------------------------------------------- refused tokens


def test_expired_token() -> None:
    token = issue_token(ADVISOR, ttl=timedelta(seconds=-5))
    error = _refused(token)
    assert error.code == "TOKEN_EXPIRED"
    assert error.status == 401


def test_wrong_secret() -> None:
    token = issue_token(ADVISOR, key="not-the-gateway-secret-" + "y" * 48)
    error = _refused(token)
    assert error.code == "TOKEN_INVALID"
    assert error.status == 401


def test_alg_none_is_refused() -> None:
    token = _handmade({"alg": "none", "typ": "JWT"}, _claims())
    assert _refused(token).code == "TOKEN_INVALID"
    # Also with the signature of a real token glued on.
    real_signature = issue_token(ADVISOR).split(".")[2]
    assert _refused(token + real_signature).code == "TOKEN_INVALID"


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
def test_other_hmac_algorithms_are_refused(algorithm: str) -> None:
    token = jwt.encode(_claims(), SECRET, algorithm=algorithm)
    assert _refused(token).code == "TOKEN_INVALID"


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "PS256", "EdDSA"])
def test_asymmetric_algorithms_are_refused(algorithm: str) -> None:
    # Signed "with the secret as a public key" by hand: the classic key confusion.
    header = {"alg": algorithm, "typ": "JWT"}
    unsigned = _handmade(header, _claims()).rsplit(".", 1)[0]
    signature = hmac.new(SECRET.encode(), unsigned.encode(), hashlib.sha256).digest()
    assert _refused(f"{unsigned}.{_b64(signature)}").code == "TOKEN_INVALID"


def test_a_forged_header_on_a_valid_signature_is_refused() -> None:
    head, body, signature = issue_token(ADVISOR).split(".")
    forged = _b64(json.dumps({"alg": "HS512", "typ": "JWT"}).encode())
    assert _refused(f"{forged}.{body}.{signature}").code == "TOKEN_INVALID"


@pytest.mark.parametrize("claim", ["exp", "sub", "group", "iss"])
def test_a_required_claim_missing(claim: str) -> None:
    token = jwt.encode(_claims(**{claim: None}), SECRET, algorithm="HS256")
    assert _refused(token).code == "TOKEN_INVALID"


def test_another_issuer() -> None:
    token = jwt.encode(_claims(iss="someone-else"), SECRET, algorithm="HS256")
    assert _refused(token).code == "TOKEN_INVALID"


@pytest.mark.parametrize(
    "roles", [["system"], ["service_advisor", "system"], "system"], ids=["alone", "among", "str"]
)
def test_the_system_role_is_not_for_tokens(roles: Any) -> None:
    token = jwt.encode(_claims(roles=roles), SECRET, algorithm="HS256")
    error = _refused(token)
    assert error.status == 401
    assert error.code == "TOKEN_INVALID"


def test_issue_token_with_the_system_role_cannot_be_used() -> None:
    token = issue_token(Tenant.system("grp-huadong"))
    assert _refused(token).code == "TOKEN_INVALID"


@pytest.mark.parametrize(
    "overrides",
    [
        {"roles": 7},
        {"roles": {"hq_manager": True}},
        {"roles": ["hq_manager", 1]},
        {"sites": 5},
        {"sites": "site-pudong"},
        {"oem": ["oem-saic-vw"]},
    ],
    ids=["roles-int", "roles-object", "roles-mixed", "sites-int", "sites-str", "oem-list"],
)
def test_claims_of_the_wrong_type_are_an_invalid_token(overrides: dict[str, Any]) -> None:
    token = jwt.encode(_claims(**overrides), SECRET, algorithm="HS256")
    assert _refused(token).code == "TOKEN_INVALID"


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "....", "Bearer"])
def test_garbage(garbage: str) -> None:
    assert _refused(garbage).code == "TOKEN_INVALID"


# ---------------------------------------------------------------- the header


@pytest.mark.parametrize(
    "header", [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Token x"]
)
def test_no_bearer_token_in_the_header(header: str | None) -> None:
    with pytest.raises(Unauthorized) as caught:
        tenant_from_header(header)
    assert caught.value.code == "TOKEN_MISSING"
    assert caught.value.status == 401
    assert caught.value.to_dict()["error"]["code"] == "TOKEN_MISSING"


def test_an_expired_token_in_the_header() -> None:
    token = issue_token(ADVISOR, ttl=timedelta(seconds=-1))
    with pytest.raises(Unauthorized) as caught:
        tenant_from_header(f"Bearer {token}")
    assert caught.value.code == "TOKEN_EXPIRED"


# ---------------------------------------------------------------- claims trusted as typed only


@pytest.mark.parametrize(
    "overrides",
    [
        {"roles": ["service_advisor,system"]},  # one string smuggling two roles
        {"roles": ["no_such_role"]},
        {"roles": []},
        {"roles": ["service_advisor", "service_advisor"]},
        {"sites": ["a,b"]},
        {"sites": ["site-pudong", "site-pudong"]},
        {"sub": "x" * 200},
        {"group": ["grp-huadong"]},
        {"exp": "2030-01-01"},
        {"exp": 1e300},
        {"iat": None},
        {"oem": "oem-saic-vw"},  # an oem claim without the oem role
        {"roles": ["oem"]},  # the oem role without an oem claim
    ],
    ids=[
        "roles-comma",
        "roles-unknown",
        "roles-empty",
        "roles-twice",
        "sites-comma",
        "sites-twice",
        "sub-long",
        "group-list",
        "exp-text",
        "exp-huge",
        "iat-missing",
        "oem-claim-alone",
        "oem-role-alone",
    ],
)
def test_claims_are_typed_or_the_token_is_refused(overrides: dict[str, Any]) -> None:
    claims = _claims(**overrides)
    if isinstance(claims.get("exp"), str | float):
        token = _handmade({"alg": "HS256", "typ": "JWT"}, claims)
        head, body, _ = token.split(".")
        signature = hmac.new(SECRET.encode(), f"{head}.{body}".encode(), "sha256").digest()
        token = f"{head}.{body}.{_b64(signature)}"
    else:
        token = jwt.encode(claims, SECRET, algorithm="HS256")
    assert _refused(token).code == "TOKEN_INVALID"


def test_a_token_that_lives_more_than_a_day_is_refused() -> None:
    now = utcnow()
    token = jwt.encode(_claims(exp=now + timedelta(days=30)), SECRET, algorithm="HS256")
    assert _refused(token).code == "TOKEN_INVALID"
    with pytest.raises(ValueError):
        issue_token(ADVISOR, ttl=timedelta(days=2))


def test_an_oversized_token_is_refused() -> None:
    token = jwt.encode(_claims(pad="x" * 20_000), SECRET, algorithm="HS256")
    assert _refused(token).code == "TOKEN_INVALID"


# ---------------------------------------------------------------- no built-in secret


@pytest.mark.parametrize("value", ["", "short", "x" * 31])
def test_no_start_without_a_strong_secret(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("JWT_SECRET", value)
    monkeypatch.delenv("AFTERSALES_DEV_MODE", raising=False)
    with pytest.raises(InsecureSecret, match="JWT_SECRET"):
        secret()


def test_the_development_secret_only_in_development_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("AFTERSALES_DEV_MODE", "1")
    assert secret() == DEV_SECRET
    monkeypatch.setenv("AFTERSALES_DEV_MODE", "0")
    with pytest.raises(InsecureSecret):
        secret()
