"""JWT: one fixed algorithm, `exp` required, secret from the environment."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from typing import Any

import jwt

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Unauthorized
from aftersales_core.tenancy import Tenant

ALGORITHM = "HS256"
ISSUER = "aftersales"
DEV_SECRET = "aftersales-development-secret-change-me!"
log = logging.getLogger(__name__)


_warned = False


def secret() -> str:
    global _warned
    value = os.environ.get("JWT_SECRET")
    if not value:
        if not _warned:
            log.warning("JWT_SECRET is not set: using the development secret")
            _warned = True
        return DEV_SECRET
    return value


def issue_token(
    tenant: Tenant, *, ttl: timedelta = timedelta(hours=8), key: str | None = None
) -> str:
    now = utcnow()
    claims: dict[str, Any] = {
        "sub": tenant.user_id,
        "group": tenant.group_id,
        "sites": list(tenant.site_ids),
        "roles": list(tenant.roles),
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl,
    }
    if tenant.oem_id:
        claims["oem"] = tenant.oem_id
    return jwt.encode(claims, key or secret(), algorithm=ALGORITHM)


def tenant_from_token(token: str, *, key: str | None = None) -> Tenant:
    try:
        claims = jwt.decode(
            token,
            key or secret(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "sub", "group", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired", "TOKEN_EXPIRED") from None
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"the token is invalid: {exc}", "TOKEN_INVALID") from None
    sites, roles, oem = claims.get("sites", []), claims.get("roles", []), claims.get("oem")
    if not (_texts(sites) and _texts(roles) and (oem is None or isinstance(oem, str))):
        raise Unauthorized("the token's sites, roles or oem are malformed", "TOKEN_INVALID")
    if "system" in roles:
        raise Unauthorized("the system role is not for people", "TOKEN_INVALID")
    return Tenant(
        user_id=str(claims["sub"]),
        group_id=str(claims["group"]),
        site_ids=tuple(sites),
        roles=tuple(roles),
        oem_id=oem,
    )


def _texts(value: Any) -> bool:
    """A list of strings, as `sites` and `roles` must be (not a string, not a mapping)."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def tenant_from_header(authorization: str | None) -> Tenant:
    if not authorization:
        raise Unauthorized("an Authorization: Bearer token is required", "TOKEN_MISSING")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use the Bearer scheme", "TOKEN_MISSING")
    return tenant_from_token(token.strip())
