"""What every use case of claims shares: the worker's database and caller, the
history entry of a change, and publishing an event checked against its contract.

A use case is plain Python: the nameko service builds one per call from its `db` and
`caller` dependencies and calls it; the use case loads rows, asks the domain, saves
and publishes. It raises not-found and forbidden itself; every other refusal comes
from the domain.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope, to_primitives, utcnow
from aftersales_core.tenancy import Tenant

from .domain import check_version, local_date


def today() -> date:
    """Today in China (business dates are China time)."""
    return local_date(utcnow())


class Cases:
    """A group of use cases on one worker's database, for one caller."""

    def __init__(self, db: Any, caller: Any) -> None:
        self.db = db  # aftersales_core.db.WorkerDb: session, publish, send_to_oem
        self.caller = caller  # aftersales_core.service.Caller: context and tenant

    @property
    def session(self) -> Any:
        return self.db.session

    @property
    def tenant(self) -> Tenant:
        return self.caller.tenant

    @staticmethod
    def incoming(event: Envelope) -> dict[str, Any]:
        """An event's or OEM message's payload, checked against its contract: one that
        breaks it is refused (retried, then dead-lettered), never half applied."""
        check_version(event.type, event.version)
        return validate_payload(event.type, event.payload)

    def who(self, by: str | None = None) -> str:
        """Who a history entry names: the given actor, else the caller, else the system."""
        return by or self.caller.user_id or "system"

    def log(self, claim: Any, action: str, changes: dict[str, Any], by: str | None = None) -> None:
        """Append who did what to a claim's history (warranty or insurance: the entry is
        of the class its `history` relationship holds)."""
        entry = type(claim).history.property.mapper.class_
        claim.history.append(
            entry(
                at=utcnow(),
                by=self.who(by),
                action=action,
                status=claim.status,
                changes=to_primitives(changes),
            )
        )

    def publish(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        group_id: str,
        site_id: str | None,
        correlation_id: str,
    ) -> Envelope:
        """Record an event in the outbox after checking it against its contract: a
        payload that breaks it is a bug, caught here rather than by every consumer."""
        plain = to_primitives(payload)
        validate_payload(event_type, plain)
        return self.db.publish(
            event_type, plain, group_id=group_id, site_id=site_id, correlation_id=correlation_id
        )
