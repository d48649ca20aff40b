"""User administration for a group's administrators (`group_admin`): create users,
give them sites and roles, disable them, reset passwords — each change in the audit
trail. Administrators see and change only their own group's users."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from werkzeug.wrappers import Request

from aftersales_contracts.api.directory import (
    USER_ADMINS,
    PasswordResetIn,
    UserAuditOut,
    UserIn,
    UserOut,
    UserQuery,
    UserUpdate,
)
from aftersales_contracts.api.pages import page_of
from aftersales_core.envelope import utcnow
from aftersales_core.errors import Conflict, NotFound
from aftersales_core.etag import require_match
from aftersales_core.history import apply_changes
from aftersales_core.pages import page
from aftersales_core.search import contains
from aftersales_core.validation import load

from ..accounts import Grant, check_grant, refuse_self_lockout
from ..http import json_body
from ..models import RefreshToken, Staff, UserAudit
from ..routing import QUERY, row, table
from .auth import Accounts

USER = "/api/v1/users/<user_id>"
NOT_FOUND = {404: ("USER_NOT_FOUND",)}

ROUTES = table(
    None,
    ["users"],
    row(
        "GET",
        "/api/v1/users",
        "Your group's users, by site, id or name",
        "list_users",
        args=(QUERY,),
        query=UserQuery,
        response=page_of(UserOut),
        roles=USER_ADMINS,
    ),
    row(
        "POST",
        "/api/v1/users",
        "Create a user of your group with sites, roles and an initial password",
        "create_user",
        idempotent=False,
        body=UserIn,
        response=UserOut,
        status=201,
        roles=USER_ADMINS,
        errors={
            400: ("UNKNOWN_SITE", "UNKNOWN_ROLE", "NO_ROLE", "NO_SITE", "WEAK_PASSWORD"),
            409: ("USER_EXISTS",),
        },
    ),
    row(
        "GET",
        USER,
        "One user",
        "get_user",
        response=UserOut,
        roles=USER_ADMINS,
        errors=NOT_FOUND,
        etag=True,
    ),
    row(
        "PATCH",
        USER,
        "Change a user's name, sites or roles, or disable / enable them",
        "update_user",
        idempotent=False,
        body=UserUpdate,
        response=UserOut,
        roles=USER_ADMINS,
        etag=True,
        errors={
            **NOT_FOUND,
            400: ("UNKNOWN_SITE", "UNKNOWN_ROLE", "NO_ROLE", "NO_SITE"),
            403: ("SELF_LOCKOUT",),
        },
        description="Disabling a user revokes their refresh tokens at once; their access "
        "token, and any change of sites or roles, takes effect within 15 minutes.",
    ),
    row(
        "POST",
        f"{USER}/password",
        "Set a new password for a user (signs them out everywhere, lifts a lockout)",
        "reset_password",
        idempotent=False,
        body=PasswordResetIn,
        status=204,
        roles=USER_ADMINS,
        errors={**NOT_FOUND, 400: ("WEAK_PASSWORD",)},
    ),
    row(
        "GET",
        f"{USER}/audit",
        "Every change of a user: who, when, what",
        "user_audit",
        response=UserAuditOut(many=True),
        roles=USER_ADMINS,
        errors=NOT_FOUND,
    ),
)


def user_view(staff: Staff) -> dict[str, Any]:
    return UserOut().dump(
        {
            "user_id": staff.user_id,
            "group_id": staff.group_id,
            "name": staff.name,
            "site_ids": list(staff.site_ids or ()),
            "roles": list(staff.roles or ()),
            "disabled": bool(staff.disabled),
            "has_password": staff.password_hash is not None,
            "locked_until": staff.locked_until,
            "created_at": staff.created_at,
        }
    )


class UsersRoutes(Accounts):
    def list_users(self, request: Request) -> Any:
        fields = load(UserQuery(), request.args.to_dict())
        tenant = self.caller.tenant
        stmt = select(Staff).where(Staff.group_id == tenant.group_id)
        if "disabled" in fields:
            stmt = stmt.where(Staff.disabled.is_(fields["disabled"]))
        if "q" in fields:
            stmt = stmt.where(
                or_(contains(Staff.user_id, fields["q"]), contains(Staff.name, fields["q"]))
            )
        result = page(
            self.db.session,
            stmt,
            (Staff.user_id,),
            limit=fields["limit"],
            cursor=fields["cursor"],
            dump=user_view,
            descending=False,
        )
        if "site_id" in fields:  # sites are a JSON list: filtered here, per page
            result["items"] = [u for u in result["items"] if fields["site_id"] in u["site_ids"]]
        return result

    def create_user(self, request: Request) -> tuple[int, Any]:
        fields = load(UserIn(), json_body(request))
        tenant = self.caller.tenant
        session = self.db.session
        grant = check_grant(
            Grant(tuple(dict.fromkeys(fields["site_ids"])), tuple(dict.fromkeys(fields["roles"]))),
            self._group_site_ids(tenant.group_id),
        )
        if session.get(Staff, fields["user_id"]) is not None:
            raise Conflict(
                f"user {fields['user_id']} exists", "USER_EXISTS", {"user_id": ["taken"]}
            )
        staff = Staff(
            user_id=fields["user_id"],
            group_id=tenant.group_id,
            name=fields["name"],
            site_ids=list(grant.site_ids),
            roles=list(grant.roles),
            disabled=False,
            failed_logins=0,
            created_at=utcnow(),
        )
        session.add(staff)
        session.flush()
        self._audit(
            staff, tenant.user_id, "created", {"site_ids": staff.site_ids, "roles": staff.roles}
        )
        if fields["password"]:
            self._set_password(staff, fields["password"], tenant.user_id, "password_set")
        self.db.commit()
        return 201, user_view(staff)

    def get_user(self, request: Request, user_id: str) -> Any:
        return user_view(self._user(user_id))

    def update_user(self, request: Request, user_id: str) -> Any:
        fields = load(UserUpdate(), json_body(request))
        tenant = self.caller.tenant
        staff = self._user(user_id, lock=True)
        require_match(self.caller.context, user_view(staff))
        roles = tuple(dict.fromkeys(fields.get("roles", staff.roles)))
        sites = tuple(dict.fromkeys(fields.get("site_ids", staff.site_ids)))
        if "roles" in fields or "site_ids" in fields:
            check_grant(Grant(sites, roles), self._group_site_ids(tenant.group_id))
        refuse_self_lockout(
            tenant.user_id,
            staff.user_id,
            disabling=bool(fields.get("disabled")),
            dropping_admin="group_admin" not in roles,
        )
        values: dict[str, Any] = {"site_ids": list(sites), "roles": list(roles)}
        for name in ("name", "disabled"):
            if name in fields:
                values[name] = fields[name]
        changes = apply_changes(staff, values)
        if changes:
            self._audit(staff, tenant.user_id, "updated", changes)
        if fields.get("disabled"):
            self._revoke(RefreshToken.user_id == staff.user_id, utcnow())
        self.db.commit()
        return user_view(staff)

    def reset_password(self, request: Request, user_id: str) -> tuple[int, Any]:
        fields = load(PasswordResetIn(), json_body(request))
        staff = self._user(user_id, lock=True)
        self._set_password(
            staff, fields["new_password"], self.caller.tenant.user_id, "password_reset"
        )
        self.db.commit()
        return 204, None

    def user_audit(self, request: Request, user_id: str) -> Any:
        staff = self._user(user_id)
        rows = self.db.session.scalars(
            select(UserAudit)
            .where(UserAudit.user_id == staff.user_id, UserAudit.group_id == staff.group_id)
            .order_by(UserAudit.at, UserAudit.audit_id)
        ).all()
        return UserAuditOut(many=True).dump(rows)

    def _user(self, user_id: str, *, lock: bool = False) -> Staff:
        """A user of the caller's group; another group's is "not found"."""
        staff = self.db.session.get(Staff, user_id, with_for_update=lock)
        if staff is None or staff.group_id != self.caller.tenant.group_id:
            raise NotFound(f"user {user_id} not found", "USER_NOT_FOUND")
        return staff
