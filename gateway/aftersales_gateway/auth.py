"""Tokens: one fixed algorithm, typed claims, a secret that must be strong.

Access tokens are short-lived (`accounts.ACCESS_TTL`) and carry the caller's claims as
the directory had them at issue time; refresh tokens rotate (`routes/auth.py`). There
is no built-in secret: outside an explicit development mode (`AFTERSALES_DEV_MODE=1`)
nothing starts without a `JWT_SECRET` of at least 32 bytes.
"""

from __future__ import annotations

import logging
import os
import re
from datetime import timedelta
from typing import Any

import jwt

from aftersales_core.envelope import utcnow
from aftersales_core.errors import Unauthorized
from aftersales_core.tenancy import ROLES, Tenant

ALGORITHM = "HS256"
ISSUER = "aftersales"
MIN_SECRET_BYTES = 32
# Only for `AFTERSALES_DEV_MODE=1`: a laptop's quick start, never a deployment.
DEV_SECRET = "aftersales-development-secret-not-for-production"
MAX_TOKEN_LENGTH = 4096
MAX_LIFETIME = timedelta(hours=24)
TOKEN_ROLES = frozenset(ROLES) - {"system"}
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$")
log = logging.getLogger(__name__)


class InsecureSecret(RuntimeError):
    """The gateway must not start: no JWT_SECRET, or one too short to be safe."""


def dev_mode() -> bool:
    return os.environ.get("AFTERSALES_DEV_MODE", "").lower() in ("1", "true", "yes")


_warned = False


def secret() -> str:
    """The signing secret; raises `InsecureSecret` when it is missing or weak."""
    global _warned
    value = os.environ.get("JWT_SECRET", "")
    if value:
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise InsecureSecret(
                f"JWT_SECRET is {len(value.encode())} bytes: use at least {MIN_SECRET_BYTES} "
                "random bytes (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        return value
    if dev_mode():
        if not _warned:
            log.warning("AFTERSALES_DEV_MODE: signing with the development secret")
            _warned = True
        return DEV_SECRET
    raise InsecureSecret(
        "JWT_SECRET is not set: set a random secret of at least "
        f"{MIN_SECRET_BYTES} bytes, or AFTERSALES_DEV_MODE=1 on a development machine"
    )


def issue_token(
    tenant: Tenant, *, ttl: timedelta = timedelta(hours=8), key: str | None = None
) -> str:
    if ttl > MAX_LIFETIME:
        raise ValueError(f"a token lives at most {MAX_LIFETIME}")
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


def _invalid(why: str) -> Unauthorized:
    return Unauthorized(f"the token is invalid: {why}", "TOKEN_INVALID")


def tenant_from_token(token: str, *, key: str | None = None) -> Tenant:
    if len(token) > MAX_TOKEN_LENGTH:
        raise _invalid(f"longer than {MAX_TOKEN_LENGTH} characters")
    try:
        claims = jwt.decode(
            token,
            key or secret(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "group", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired", "TOKEN_EXPIRED") from None
    except jwt.InvalidTokenError as exc:
        raise _invalid(str(exc)) from None
    return _tenant(claims)


def _tenant(claims: dict[str, Any]) -> Tenant:
    """Typed claims or nothing: every field is checked, none is trusted as written."""
    exp, iat = claims["exp"], claims["iat"]
    if (
        not all(type(v) is int for v in (exp, iat))
        or not 0 < exp - iat <= MAX_LIFETIME.total_seconds()
    ):
        raise _invalid("exp and iat must be whole seconds, at most a day apart")
    sub, group = claims["sub"], claims["group"]
    if not (
        isinstance(sub, str) and _ID.match(sub) and isinstance(group, str) and _ID.match(group)
    ):
        raise _invalid("sub and group must be ids")
    sites, roles, oem = claims.get("sites", []), claims.get("roles", []), claims.get("oem")
    if not (isinstance(sites, list) and all(isinstance(s, str) and _ID.match(s) for s in sites)):
        raise _invalid("sites must be a list of site ids")
    if not (isinstance(roles, list) and roles and all(r in TOKEN_ROLES for r in roles)):
        raise _invalid("roles must be a non-empty list of known roles")
    if len(set(sites)) != len(sites) or len(set(roles)) != len(roles):
        raise _invalid("sites and roles are listed once each")
    if oem is not None and not (isinstance(oem, str) and _ID.match(oem)):
        raise _invalid("oem must be an id")
    if ("oem" in roles) != (oem is not None):
        raise _invalid("the oem role and the oem claim go together")
    return Tenant(
        user_id=sub, group_id=group, site_ids=tuple(sites), roles=tuple(roles), oem_id=oem
    )


def tenant_from_header(authorization: str | None) -> Tenant:
    if not authorization:
        raise Unauthorized("an Authorization: Bearer token is required", "TOKEN_MISSING")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("use the Bearer scheme", "TOKEN_MISSING")
    return tenant_from_token(token.strip())
