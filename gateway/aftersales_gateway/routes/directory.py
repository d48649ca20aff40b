"""The group directory: who you are and which sites you may see; loading a group."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request

from aftersales_contracts.api.directory import MeOut, SiteOut
from aftersales_core.envelope import utcnow
from aftersales_core.service import command
from aftersales_core.tenancy import Tenant
from aftersales_core.validation import load

from ..accounts import check_new_password, hash_password
from ..base import GatewayBase
from ..models import Group, Site, Staff
from ..routing import row, table


class SiteQuery(Schema):
    site_id = fields.String()


class DirectoryIn(Schema):
    class Meta:
        unknown = RAISE

    group = fields.Dict(required=True)
    sites = fields.List(fields.Dict(), required=True)
    staff = fields.List(fields.Dict(), required=True)


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


def sites_view(session: Session, tenant: Tenant) -> list[dict[str, Any]]:
    """The sites of the caller's group that the caller may see."""
    rows = session.scalars(
        select(Site).where(Site.group_id == tenant.group_id).order_by(Site.site_id)
    ).all()
    return SiteOut(many=True).dump([s for s in rows if tenant.can_see_site(s.site_id)])


def me_view(session: Session, tenant: Tenant) -> dict[str, Any]:
    """Who the caller is: the token's claims, the name from the directory, the sites."""
    staff = session.get(Staff, tenant.user_id)
    return MeOut().dump(
        {
            "user_id": tenant.user_id,
            "name": staff.name if staff else None,
            "group_id": tenant.group_id,
            "site_ids": list(tenant.site_ids),
            "roles": list(tenant.roles),
            "headquarters": tenant.is_hq,
            "sites": sites_view(session, tenant),
        }
    )


class DirectoryRoutes(GatewayBase):
    def me(self, request: Request) -> dict[str, Any]:
        return me_view(self.db.session, self.caller.tenant)

    def sites(self, request: Request) -> list[dict[str, Any]]:
        return sites_view(self.db.session, self.caller.tenant)

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
            staff = session.get(Staff, person["user_id"])
            if staff is None:
                staff = Staff(
                    user_id=person["user_id"],
                    group_id=person["group_id"],
                    name=person["name"],
                    site_ids=person.get("site_ids", []),
                    roles=person.get("roles", []),
                    oem_id=person.get("oem_id"),
                    disabled=False,
                    failed_logins=0,
                    created_at=utcnow(),
                )
                session.add(staff)
                counts["staff"] += 1
            if person.get("password") and staff.password_hash is None:
                # the demo group's initial password (development only: `aftersales seed`)
                staff.password_hash = hash_password(
                    check_new_password(person["password"], staff.user_id)
                )
        return counts
