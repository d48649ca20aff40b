"""Signing in: a password for a short-lived access token and a rotating refresh token.

The token's claims come from the directory at issue time, so a disabled user or a
removed role stops working when the access token expires (`accounts.ACCESS_TTL`).
A refresh token is used once: refreshing rotates it; showing a used one again means
it was copied, and that whole sign-in (its family) is revoked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from werkzeug.wrappers import Request

from aftersales_contracts.api.directory import (
    LoginIn,
    PasswordChangeIn,
    RefreshIn,
    TokenOut,
)
from aftersales_core.clock import as_aware
from aftersales_core.envelope import utcnow
from aftersales_core.errors import Unauthorized
from aftersales_core.ids import new_id
from aftersales_core.tenancy import Tenant
from aftersales_core.validation import load

from ..accounts import (
    ACCESS_TTL,
    REFRESH_TTL,
    check_new_password,
    digest,
    hash_password,
    lockout_until,
    new_refresh_token,
    password_matches,
    refuse_while_locked,
)
from ..auth import issue_token
from ..base import GatewayBase
from ..http import json_body
from ..models import RefreshToken, Staff, UserAudit
from ..routing import row, table
from .directory import me_view

BAD_CREDENTIALS = "the user id or the password is wrong"

ROUTES = table(
    None,
    ["sign-in"],
    row(
        "POST",
        "/api/v1/auth/login",
        "Sign in with your user id and password",
        "login",
        public=True,
        idempotent=False,
        body=LoginIn,
        response=TokenOut,
        errors={401: ("INVALID_CREDENTIALS",), 429: ("TOO_MANY_ATTEMPTS",)},
        description="Answers an access token (send it as `Authorization: Bearer …`) and a "
        "refresh token. After five failed attempts in a row the account waits, a minute "
        "at first, doubling up to an hour.",
    ),
    row(
        "POST",
        "/api/v1/auth/refresh",
        "A new access token for a refresh token (which is rotated)",
        "refresh",
        public=True,
        idempotent=False,
        body=RefreshIn,
        response=TokenOut,
        errors={401: ("REFRESH_INVALID", "REFRESH_REUSED", "ACCOUNT_DISABLED")},
    ),
    row(
        "POST",
        "/api/v1/auth/logout",
        "Sign out: the refresh token and every token rotated from it stop working",
        "logout",
        public=True,
        idempotent=False,
        body=RefreshIn,
        status=204,
    ),
    row(
        "POST",
        "/api/v1/auth/password",
        "Change your own password (signs out your other sessions)",
        "change_password",
        idempotent=False,
        body=PasswordChangeIn,
        status=204,
        errors={400: ("WEAK_PASSWORD",), 401: ("INVALID_CREDENTIALS",)},
    ),
)


class Accounts(GatewayBase):
    """What signing in and user administration share: tokens, revocation, passwords,
    the audit trail."""

    def _tokens(self, staff: Staff, family_id: str, now: datetime) -> dict[str, Any]:
        tenant = Tenant(
            user_id=staff.user_id,
            group_id=staff.group_id,
            site_ids=tuple(staff.site_ids or ()),
            roles=tuple(staff.roles or ()),
            oem_id=staff.oem_id,
        )
        refresh, refresh_hash = new_refresh_token()
        self.db.session.add(
            RefreshToken(
                token_hash=refresh_hash,
                user_id=staff.user_id,
                family_id=family_id,
                expires_at=now + REFRESH_TTL,
            )
        )
        return TokenOut().dump(
            {
                "access_token": issue_token(tenant, ttl=ACCESS_TTL),
                "token_type": "Bearer",
                "expires_in": int(ACCESS_TTL.total_seconds()),
                "refresh_token": refresh,
                "refresh_expires_in": int(REFRESH_TTL.total_seconds()),
                "user": me_view(self.db.session, tenant),
            }
        )

    def _revoke(self, which: Any, now: datetime) -> None:
        self.db.session.execute(
            update(RefreshToken)
            .where(which, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    def _set_password(self, staff: Staff, password: str, actor: str, action: str) -> None:
        """A new password signs out every session of the user and lifts a lockout."""
        staff.password_hash = hash_password(check_new_password(password, staff.user_id))
        staff.failed_logins, staff.locked_until = 0, None
        self._revoke(RefreshToken.user_id == staff.user_id, utcnow())
        self._audit(staff, actor, action, {})

    def _audit(self, staff: Staff, actor: str, action: str, details: dict[str, Any]) -> None:
        self.db.session.add(
            UserAudit(
                audit_id=new_id("audit"),
                user_id=staff.user_id,
                group_id=staff.group_id,
                actor=actor,
                at=utcnow(),
                action=action,
                details=details,
            )
        )


class AuthRoutes(Accounts):
    def login(self, request: Request) -> tuple[int, Any]:
        fields = load(LoginIn(), json_body(request))
        now = utcnow()
        session = self.db.session
        staff = session.get(Staff, fields["user_id"], with_for_update=True)
        if staff is not None:
            refuse_while_locked(as_aware(staff.locked_until) if staff.locked_until else None, now)
        if (
            staff is None
            or staff.disabled
            or not password_matches(staff.password_hash, fields["password"])
        ):
            if staff is not None:
                staff.failed_logins += 1
                staff.locked_until = lockout_until(staff.failed_logins, now)
                self.db.commit()
            raise Unauthorized(BAD_CREDENTIALS, "INVALID_CREDENTIALS")
        staff.failed_logins, staff.locked_until = 0, None
        answer = self._tokens(staff, new_id("signin"), now)
        self.db.commit()
        return 200, answer

    def refresh(self, request: Request) -> tuple[int, Any]:
        fields = load(RefreshIn(), json_body(request))
        now = utcnow()
        session = self.db.session
        token = session.get(RefreshToken, digest(fields["refresh_token"]), with_for_update=True)
        if token is None or token.revoked_at is not None or as_aware(token.expires_at) <= now:
            raise Unauthorized("the refresh token is not valid", "REFRESH_INVALID")
        if token.used_at is not None:
            self._revoke(RefreshToken.family_id == token.family_id, now)
            self.db.commit()
            raise Unauthorized(
                "the refresh token was already used: that sign-in is revoked", "REFRESH_REUSED"
            )
        staff = session.get(Staff, token.user_id)
        if staff is None or staff.disabled:
            raise Unauthorized("the account is disabled", "ACCOUNT_DISABLED")
        token.used_at = now
        answer = self._tokens(staff, token.family_id, now)
        self.db.commit()
        return 200, answer

    def logout(self, request: Request) -> tuple[int, Any]:
        fields = load(RefreshIn(), json_body(request))
        token = self.db.session.get(RefreshToken, digest(fields["refresh_token"]))
        if token is not None:
            self._revoke(RefreshToken.family_id == token.family_id, utcnow())
            self.db.commit()
        return 204, None

    def change_password(self, request: Request) -> tuple[int, Any]:
        fields = load(PasswordChangeIn(), json_body(request))
        tenant = self.caller.tenant
        staff = self.db.session.get(Staff, tenant.user_id, with_for_update=True)
        if staff is None or not password_matches(staff.password_hash, fields["current_password"]):
            raise Unauthorized("the current password is wrong", "INVALID_CREDENTIALS")
        self._set_password(staff, fields["new_password"], tenant.user_id, "password_changed")
        self.db.commit()
        return 204, None
