"""The worker's database handle: what it puts in the outbox, and a teardown that a
database outage cannot turn into a dead service."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import sessionmaker

from aftersales_core.db import WorkerDb
from aftersales_core.tables import PLUMBING_METADATA, outbox

CALLER = {"user_id": "cl.clerk.pd", "group_id": "grp-huadong", "roles": "claims_clerk"}


def _worker_db() -> tuple[WorkerDb, Any]:
    engine = create_engine("sqlite://")
    PLUMBING_METADATA.create_all(engine)
    provider = SimpleNamespace(
        session_factory=sessionmaker(bind=engine),
        service_name="claims",
        engine=engine,
        wake_relay=lambda: None,
    )
    return WorkerDb(provider, SimpleNamespace(context_data=dict(CALLER))), engine  # type: ignore[arg-type]


def test_events_carry_the_caller_messages_to_an_oem_do_not() -> None:
    db, engine = _worker_db()
    db.publish("claim_drafted", {"claim_id": "c-1"}, group_id="grp-huadong", site_id="site-pudong")
    db.send_to_oem(
        "warranty_claim",
        {"claim_id": "c-1"},
        oem_id="oem-saic-vw",
        group_id="grp-huadong",
        site_id="site-pudong",
    )
    db.commit()
    with engine.connect() as conn:
        rows = {row.event_type: row for row in conn.execute(select(outbox))}
    assert json.loads(rows["claim_drafted"].headers)["nameko.user_id"] == "cl.clerk.pd"
    assert json.loads(rows["warranty_claim"].headers) == {}
    assert rows["warranty_claim"].routing_key == "to-oem.oem-saic-vw.warranty_claim"


def test_a_session_that_cannot_close_is_logged_not_raised() -> None:
    db, _ = _worker_db()

    class Broken:
        invalidated = False

        def close(self) -> None:
            raise ConnectionError("server closed the connection unexpectedly")

        def invalidate(self) -> None:
            Broken.invalidated = True

    db._session = Broken()  # type: ignore[assignment]
    db.close()  # must not raise: it runs in worker_teardown
    assert Broken.invalidated and db._session is None
