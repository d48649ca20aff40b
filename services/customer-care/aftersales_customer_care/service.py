"""Customer care's nameko service: one thin class joining the areas' mixins.

Events in: reception's customers, vehicles, deliveries, declined work and settled
ROs; parts' special orders; claims' recalls. Events out: `followup_due`,
`followup_done`, `complaint_raised`, `complaint_escalated`, `complaint_closed`.
A periodic sweep (`CUSTOMER_CARE_SWEEP_SECONDS`, default 60) flags overdue
follow-ups and escalates complaints past their deadlines.

Each area is a mixin of its own module: `archive` (customers, vehicles, agents),
`visits` (deliveries, settlements), `followups`, `complaints`, `reminders`,
`customers` (lost and loyal), `figures`, `policy`; the rules are in `domain/`.
"""

from __future__ import annotations

from aftersales_contracts.api.customer_care import SWEEP_ROLES, CareSweepOut
from aftersales_core.envelope import utcnow
from aftersales_core.service import ServiceBase, command, transactional
from aftersales_core.timers import configured_timer

from .archive import Archive
from .complaints import Complaints
from .customers import Customers
from .figures import Figures
from .followups import Followups
from .policy import SitePolicies
from .reminders import Reminders
from .visits import Visits

SWEEP_SETTING = "CUSTOMER_CARE_SWEEP_SECONDS"


sweep_timer = configured_timer


class CustomerCareService(
    Archive,
    Visits,
    Followups,
    Complaints,
    Reminders,
    Customers,
    Figures,
    SitePolicies,
    ServiceBase,
):
    name = "customer-care"

    @sweep_timer(SWEEP_SETTING, 60.0)
    @transactional
    def sweep(self) -> dict[str, int]:
        """Periodic and idempotent: flag overdue follow-ups, escalate late complaints."""
        return self._sweep(utcnow())

    @command
    def run_sweep(self) -> dict[str, int]:
        """The sweep on demand (operators, tests); the timer runs it anyway."""
        self.caller.tenant.require_role(*SWEEP_ROLES)
        return CareSweepOut().dump(self._sweep(utcnow()))
