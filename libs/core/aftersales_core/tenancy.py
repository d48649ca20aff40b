"""Who is asking: the tenancy context carried from the gateway to every call and event.

The gateway turns a verified JWT into a `Tenant` and puts it into nameko's
context data (`worker_ctx.data`); nameko copies context data into the headers
of every RPC call and event a worker makes, so a downstream service sees the
same tenant.  Values are plain strings because AMQP headers are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import Forbidden, Unauthorized

# One name per role (domain.md "Who uses it").
ROLES: tuple[str, ...] = (
    "service_director",
    "service_manager",
    "front_desk_supervisor",
    "service_advisor",
    "accident_supervisor",
    "accident_reception",
    "dispatcher",
    "team_leader",
    "technician",
    "qc_inspector",
    "parts_manager",
    "parts_planner",
    "parts_buyer",
    "warehouse_keeper",
    "parts_counter_clerk",
    "claims_clerk",
    "customer_care_manager",
    "customer_care_agent",
    "cashier",
    "hq_manager",  # headquarters: sees every site of its group
    "group_admin",  # administers the group's users: sign-in, sites and roles
    "oem",  # a manufacturer's integration: sees only what is addressed to it
    "system",  # a service acting on its own (event handlers, relays, seeding)
)
HQ_ROLES = frozenset({"hq_manager"})


def role_set(*names: str) -> tuple[str, ...]:
    """A named set of roles (who may do something), checked against `ROLES` at import,
    so a misspelt role fails at start-up instead of silently admitting nobody."""
    unknown = [name for name in names if name not in ROLES]
    if unknown:
        raise ValueError(f"unknown roles: {unknown}")
    return tuple(dict.fromkeys(names))


CONTEXT_KEYS = ("user_id", "group_id", "site_ids", "roles", "oem_id")


@dataclass(frozen=True)
class Tenant:
    """The caller: a user of one group, allowed on some sites, with roles."""

    user_id: str
    group_id: str
    site_ids: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    oem_id: str | None = None
    all_sites: bool = field(default=False)

    @property
    def is_hq(self) -> bool:
        return bool(HQ_ROLES.intersection(self.roles))

    @property
    def is_oem(self) -> bool:
        """An OEM integration: it sees what is addressed to its `oem_id`, no site's records."""
        return "oem" in self.roles

    def has_role(self, *roles: str) -> bool:
        return bool(set(roles).intersection(self.roles))

    def can_see_site(self, site_id: str) -> bool:
        """HQ sees every site of its group; site staff only their own sites; an OEM none."""
        if self.is_oem:
            return False
        return self.is_hq or self.all_sites or site_id in self.site_ids

    def require_site(self, site_id: str) -> None:
        if not self.can_see_site(site_id):
            raise Forbidden(
                f"site {site_id} is not one of yours", "SITE_FORBIDDEN", {"site_id": [site_id]}
            )

    def require_role(self, *roles: str) -> None:
        if not self.has_role(*roles):
            raise Forbidden(
                "this needs one of the roles: " + ", ".join(roles),
                "ROLE_FORBIDDEN",
                {"roles": list(roles)},
            )

    def require_group_loader(self, group_id: str) -> None:
        """Loading a group's reference data is for the system or headquarters of that group."""
        self.require_role("system", "hq_manager")
        if group_id != self.group_id:
            raise Forbidden(
                "that is another group's data", "GROUP_FORBIDDEN", {"group_id": [group_id]}
            )

    def visible_sites(self, requested: Iterable[str] | None = None) -> tuple[str, ...] | None:
        """Sites a query may cover: None means every site of the group (HQ)."""
        wanted = tuple(requested or ())
        if self.is_oem:
            raise Forbidden("an OEM does not see site records", "ROLE_FORBIDDEN")
        if self.is_hq or self.all_sites:
            return wanted or None
        for site in wanted:
            self.require_site(site)
        return wanted or self.site_ids

    def to_context(self) -> dict[str, str]:
        data = {
            "user_id": self.user_id,
            "group_id": self.group_id,
            "site_ids": ",".join(self.site_ids),
            "roles": ",".join(self.roles),
        }
        if self.oem_id:
            data["oem_id"] = self.oem_id
        return data

    @classmethod
    def from_context(cls, data: dict[str, Any]) -> Tenant:
        if not data.get("user_id") or not data.get("group_id"):
            raise Unauthorized("no caller in the context", "NO_TENANT")

        def split(value: Any) -> tuple[str, ...]:
            if isinstance(value, (list, tuple)):
                return tuple(str(v) for v in value)
            return tuple(v for v in str(value or "").split(",") if v)

        return cls(
            user_id=str(data["user_id"]),
            group_id=str(data["group_id"]),
            site_ids=split(data.get("site_ids")),
            roles=split(data.get("roles")),
            oem_id=data.get("oem_id") or None,
        )

    @classmethod
    def system(cls, group_id: str, site_id: str | None = None) -> Tenant:
        """A service acting for itself inside one group (e.g. reacting to an event)."""
        return cls("system", group_id, (site_id,) if site_id else (), ("system",), all_sites=True)
