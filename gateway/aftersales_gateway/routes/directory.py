"""The group directory: who you are and which sites you may see."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields
from sqlalchemy import select
from werkzeug.wrappers import Request

from aftersales_core.service import command
from aftersales_core.validation import load

from ..base import GatewayBase
from ..models import Group, Site, Staff
from ..routing import row, table


class SiteOut(Schema):
    site_id = fields.String(required=True)
    group_id = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    brand = fields.String(required=True, allow_none=True)
    city = fields.String(required=True, allow_none=True)


class SiteQuery(Schema):
    site_id = fields.String()


class DirectoryIn(Schema):
    class Meta:
        unknown = RAISE

    group = fields.Dict(required=True)
    sites = fields.List(fields.Dict(), required=True)
    staff = fields.List(fields.Dict(), required=True)


class MeOut(Schema):
    user_id = fields.String(required=True)
    name = fields.String(required=True, allow_none=True)
    group_id = fields.String(required=True)
    site_ids = fields.List(fields.String(), required=True)
    roles = fields.List(fields.String(), required=True)
    headquarters = fields.Boolean(required=True)
    sites = fields.List(fields.Nested(SiteOut), required=True)


ROUTES = table(
    None,
    ["directory"],
    row(
        "GET",
        "/api/v1/me",
        "Who the token says you are, and your sites",
        "me",
        response=MeOut,
    ),
    row(
        "GET",
        "/api/v1/sites",
        "The sites you may see (all of the group for HQ)",
        "sites",
        response=SiteOut(many=True),
    ),
)


class DirectoryRoutes(GatewayBase):
    def me(self, request: Request) -> dict[str, Any]:
        tenant = self.caller.tenant
        staff = self.db.session.get(Staff, tenant.user_id)
        return {
            "user_id": tenant.user_id,
            "name": staff.name if staff else None,
            "group_id": tenant.group_id,
            "site_ids": list(tenant.site_ids),
            "roles": list(tenant.roles),
            "headquarters": tenant.is_hq,
            "sites": self._sites(),
        }

    def sites(self, request: Request) -> list[dict[str, Any]]:
        return self._sites()

    def _sites(self) -> list[dict[str, Any]]:
        tenant = self.caller.tenant
        rows = self.db.session.scalars(
            select(Site).where(Site.group_id == tenant.group_id).order_by(Site.site_id)
        ).all()
        return SiteOut(many=True).dump([s for s in rows if tenant.can_see_site(s.site_id)])

    @command
    def import_directory(self, data: dict[str, Any]) -> dict[str, int]:
        """Load a group, its sites and staff (idempotent; used by `aftersales seed`)."""
        fields_ = load(DirectoryIn(), data)
        group = fields_["group"]
        self.caller.tenant.require_group_loader(group["group_id"])
        session = self.db.session
        counts = {"groups": 0, "sites": 0, "staff": 0}
        if session.get(Group, group["group_id"]) is None:
            session.add(Group(group_id=group["group_id"], name=group["name"]))
            counts["groups"] += 1
            session.flush()
        for site in fields_["sites"]:
            if session.get(Site, site["site_id"]) is None:
                session.add(
                    Site(
                        **{
                            k: site.get(k)
                            for k in (
                                "site_id",
                                "group_id",
                                "name",
                                "kind",
                                "brand",
                                "city",
                                "daily_technician_hours",
                            )
                        }
                    )
                )
                counts["sites"] += 1
        for person in fields_["staff"]:
            if session.get(Staff, person["user_id"]) is None:
                session.add(
                    Staff(
                        user_id=person["user_id"],
                        group_id=person["group_id"],
                        name=person["name"],
                        site_ids=person.get("site_ids", []),
                        roles=person.get("roles", []),
                        oem_id=person.get("oem_id"),
                    )
                )
                counts["staff"] += 1
        return counts
