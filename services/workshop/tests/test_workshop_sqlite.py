"""The workshop on SQLite, as `scripts/start` runs it: the partial unique index, naive
datetimes read back as UTC, and an RO approved in +08:00 time all behave as on PostgreSQL."""

from __future__ import annotations

import copy
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Producer

from aftersales_cli.processes import PROCESSES
from aftersales_cli.seed_data import GROUP_ID, PUDONG, demo_group
from aftersales_contracts import example
from aftersales_core.envelope import Envelope
from aftersales_core.errors import Conflict
from aftersales_core.messaging import event_exchange
from aftersales_core.migrate import upgrade
from aftersales_core.tenancy import Tenant
from aftersales_workshop import domain
from aftersales_workshop.service import WorkshopService

SHANGHAI = domain.SITE_TZ
DISPATCHER = Tenant("disp.ma.pd", GROUP_ID, (PUDONG,), ("dispatcher",))
LIU = Tenant("tech.liu.pd", GROUP_ID, (PUDONG,), ("technician",))
ZHANG = Tenant("tl.zhang.pd", GROUP_ID, (PUDONG,), ("team_leader", "technician"))
OK = {stage: {code: "ok" for code, _ in items} for stage, items in domain.CHECKLISTS.items()}


def test_the_workshop_on_sqlite(tmp_path: Path, run_services: Any, rpc: Any, amqp_uri: str) -> None:
    url = f"sqlite:///{tmp_path / 'workshop.db'}"
    upgrade(PROCESSES["workshop"].migrations_dir(), url)
    run_services({WorkshopService: url}, WORKSHOP_WATCH_SECONDS=0.2)
    group = demo_group()
    rpc(Tenant.system(GROUP_ID)).workshop.import_reference_data(
        {"group_id": GROUP_ID, "teams": group["teams"], "technicians": group["technicians"]}
    )
    # Approved three hours ago, promised in an hour: both in Shanghai time (+08:00).
    now = datetime.now(UTC)
    payload = copy.deepcopy(example("order_approved")["payload"])
    payload.update(
        {
            "order_id": "ro-sqlite-1",
            "plate": "沪A·12345",
            "promised_at": (now + timedelta(hours=1)).astimezone(SHANGHAI).isoformat(),
        }
    )
    envelope = Envelope("order_approved", GROUP_ID, PUDONG, payload)
    envelope = Envelope(
        **{**envelope.to_dict(), "occurred_at": (now - timedelta(hours=3)).isoformat()}
    )
    with Connection(amqp_uri) as conn:
        Producer(conn.channel()).publish(
            envelope.to_dict(), exchange=event_exchange("reception"),
            routing_key="order_approved", serializer="json",
        )  # fmt: skip
    dispatcher = rpc(DISPATCHER).workshop
    deadline = time.monotonic() + 15
    while not (order := _order(dispatcher)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert order, "the job was not made"
    promised = datetime.fromisoformat(order["promised_at"])
    assert abs(promised - (now + timedelta(hours=1))) < timedelta(seconds=1)

    brakes, maintenance = (j["job_id"] for j in sorted(order["jobs"], key=lambda j: j["line_id"]))
    liu = rpc(LIU).workshop
    for job_id in (brakes, maintenance):
        dispatcher.dispatch(job_id, {"technician_id": "tech.liu.pd"})
        liu.confirm_plate(job_id, {"plate": "沪A12345"})
    liu.clock_on(brakes, {})
    with pytest.raises(Conflict) as caught:
        liu.clock_on(maintenance, {})
    assert caught.value.code == "TECHNICIAN_BUSY"
    liu.clock_off(brakes, {"done": True})
    liu.self_check(brakes, {"items": OK["self_check"]})
    rpc(ZHANG).workshop.team_leader_check(brakes, {"items": OK["team_leader_check"]})

    # The watch sees 75 % of the promise gone with the maintenance job open: once.
    deadline = time.monotonic() + 10
    while not _risk(url):
        assert time.monotonic() < deadline, "no order_at_risk"
        time.sleep(0.1)
    time.sleep(1)  # five more ticks of the watch
    assert _risk(url) == 1
    today = domain.local_date(datetime.now(UTC)).isoformat()
    figures = dispatcher.figures({"site_id": PUDONG, "from": today, "to": today})
    liu_figures = next(t for t in figures["technicians"] if t["technician_id"] == "tech.liu.pd")
    assert liu_figures["sold_hours"] == "1.0"
    assert dispatcher.capacity(PUDONG, today)["available_hours"] == "48.0"


def _order(workshop: Any) -> dict | None:
    from aftersales_core.errors import NotFound

    try:
        order = workshop.get_order("ro-sqlite-1")
    except NotFound:
        return None
    return order if order["jobs"] else None


def _risk(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM outbox WHERE event_type = 'order_at_risk'")
            ).scalar_one()
    finally:
        engine.dispose()
