"""The directory's API: who you are, your sites, signing in, and user administration."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from aftersales_core.tenancy import role_set

from .fields import ID, Strict, Timestamp
from .pages import PageQuery

USER_ID = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,79}$", error="letters, digits, . _ @ -")
USER_ADMINS = role_set("group_admin")


class SiteOut(Schema):
    site_id = fields.String(required=True)
    group_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    brand = fields.String(required=True, allow_none=True)
    city = fields.String(required=True, allow_none=True)


class MeOut(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    group_id = fields.String(required=True)
    site_ids = fields.List(fields.String(), required=True)
    roles = fields.List(fields.String(), required=True)
    headquarters = fields.Boolean(required=True)
    sites = fields.List(fields.Nested(SiteOut), required=True)


class LoginIn(Strict):
    user_id = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class RefreshIn(Strict):
    refresh_token = fields.String(required=True, validate=validate.Length(min=20, max=200))


class TokenOut(Schema):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    refresh_token = fields.String(required=True)
    refresh_expires_in = fields.Integer(required=True, metadata={"description": "seconds"})
    user = fields.Nested(MeOut, required=True)


class PasswordChangeIn(Strict):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class PasswordResetIn(Strict):
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UserIn(Strict):
    user_id = fields.String(required=True, validate=USER_ID)
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    site_ids = fields.List(fields.String(validate=ID), load_default=list)
    roles = fields.List(fields.String(validate=ID), required=True)
    password = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "initial password; without one the user cannot sign in yet"},
    )


class UserUpdate(Strict):
    name = fields.String(validate=validate.Length(min=1, max=200))
    site_ids = fields.List(fields.String(validate=ID))
    roles = fields.List(fields.String(validate=ID))
    disabled = fields.Boolean()


class UserQuery(PageQuery):
    site_id = fields.String(validate=ID)
    q = fields.String(
        validate=validate.Length(min=1, max=80), metadata={"description": "id or name"}
    )
    disabled = fields.Boolean()


class UserOut(Schema):
    user_id = fields.String(required=True)
    group_id = fields.String(required=True)
    name = fields.String(required=True)
    site_ids = fields.List(fields.String(), required=True)
    roles = fields.List(fields.String(), required=True)
    disabled = fields.Boolean(required=True)
    has_password = fields.Boolean(required=True)
    locked_until = Timestamp(required=True, allow_none=True)
    created_at = Timestamp(required=True, allow_none=True)


class UserAuditOut(Schema):
    audit_id = fields.String(required=True)
    user_id = fields.String(required=True)
    actor = fields.String(required=True)
    at = Timestamp(required=True)
    action = fields.String(required=True)
    details = fields.Dict(required=True, metadata={"description": "field -> [old, new]"})
