"""ClaimsService on the real broker and PostgreSQL: so far, its health."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import create_engine, update

from aftersales_claims.service import ClaimsService
from aftersales_core.envelope import Envelope, utcnow
from aftersales_core.outbox import record
from aftersales_core.tables import outbox


def test_health_reports_the_database_and_the_outbox(
    migrated_database: Any, run_services: Any, rpc: Any
) -> None:
    url = migrated_database("claims")
    run_services({ClaimsService: url})

    health = rpc().claims.health()  # no tenant needed
    assert health == {
        "service": "claims",
        "status": "up",
        "database": {"ok": True, "dialect": "postgresql"},
        "broker": {"ok": True},
        "outbox_pending": 0,
    }

    # An event whose next attempt is an hour away stays pending, and health counts it.
    engine = create_engine(url)
    with engine.begin() as conn:
        envelope = Envelope("claim_probe", "grp-a", None, {})
        record(conn, "claims", envelope, {})
        conn.execute(
            update(outbox)
            .where(outbox.c.event_id == envelope.event_id)
            .values(next_attempt_at=utcnow() + timedelta(hours=1))
        )
    engine.dispose()
    assert rpc().claims.health()["outbox_pending"] == 1
