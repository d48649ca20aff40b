"""A site's care policy: call hours, rest windows and days, deadlines, thresholds.

The policy is a document people edit: a change takes the `If-Match` of the view its
GET returned (an older one is refused with 412 and nothing changes). Policies are
keyed by site only, as stored since the first schema.
A mixin of `CustomerCareService`: the RPCs here are the service's.
"""

from __future__ import annotations

from typing import Any

from aftersales_contracts.api.customer_care import (
    POLICY_ROLES,
    CarePolicyIn,
    CareSitePolicyOut,
)
from aftersales_core.errors import NotFound
from aftersales_core.etag import require_match
from aftersales_core.service import command, query
from aftersales_core.validation import load

from .adapters import utc
from .models import SitePolicy
from .records import CareRecords


class SitePolicies(CareRecords):
    @query
    def get_site_policy(self, site_id: str) -> dict[str, Any]:
        """The site's care policy, defaults filled in (the document its ETag names)."""
        self._require_site_view(site_id)
        return self._policy_out(site_id, self.db.session.get(SitePolicy, site_id))

    @command
    def set_site_policy(self, site_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Change some of a site's care settings; the rest stay as they are."""
        tenant = self.caller.tenant
        tenant.require_site(site_id)
        tenant.require_role(*POLICY_ROLES)
        row = self.db.session.get(SitePolicy, site_id, with_for_update=True)
        require_match(self.caller.context, self._policy_out(site_id, row))
        changes = load(CarePolicyIn(), data)
        current = self._policy(site_id).to_settings()
        current.update(changes)
        self._store_policy(tenant.group_id, site_id, current, tenant.user_id)
        return self.get_site_policy(site_id)

    def _policy_out(self, site_id: str, row: SitePolicy | None) -> dict[str, Any]:
        if row is not None and row.group_id != self.caller.tenant.group_id:
            raise NotFound(f"site {site_id} not found", "SITE_NOT_FOUND")
        view = {
            "site_id": site_id,
            "settings": self._policy(site_id).to_settings(),
            "updated_by": row.updated_by if row else None,
            "updated_at": row.updated_at if row else None,
        }
        return CareSitePolicyOut().dump(utc(view))
