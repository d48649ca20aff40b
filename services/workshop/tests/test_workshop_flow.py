"""WorkshopService's RPCs, event handlers and progress watch on the real broker and PostgreSQL.

One workshop runs for the module (migrating and starting is the slow part), with
the demo group's Pudong and Suzhou teams loaded and the progress watch ticking
every 0.2 s.  Reception's and parts' events are published as those services
would publish them (a JSON envelope on their exchange); what the workshop
publishes is read back from its outbox, checked against the contracts, and
seen leaving it (the relay marks each row sent).
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from kombu import Connection, Producer
from nameko.runners import ServiceRunner
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import Engine, create_engine, select, update

from aftersales_cli.processes import PROCESSES
from aftersales_cli.seed_data import GROUP_ID, PUDONG, SUZHOU, demo_group
from aftersales_contracts import example, validate_payload
from aftersales_core.config import nameko_config
from aftersales_core.envelope import Envelope
from aftersales_core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from aftersales_core.messaging import declare_topology, event_exchange, subscriptions_of
from aftersales_core.migrate import upgrade
from aftersales_core.tables import outbox
from aftersales_core.tenancy import Tenant
from aftersales_workshop import domain
from aftersales_workshop.models import ClockSession, Job
from aftersales_workshop.service import WorkshopService

SYSTEM = Tenant.system(GROUP_ID)
DISPATCHER = Tenant("disp.ma.pd", GROUP_ID, (PUDONG,), ("dispatcher",))
DISPATCHER_SZ = Tenant("disp.peng.sz", GROUP_ID, (SUZHOU,), ("dispatcher",))
LIU = Tenant("tech.liu.pd", GROUP_ID, (PUDONG,), ("technician",))
YANG = Tenant("tech.yang.pd", GROUP_ID, (PUDONG,), ("technician",))
ZHAO = Tenant("tech.zhao.pd", GROUP_ID, (PUDONG,), ("technician",))
ZHANG = Tenant("tl.zhang.pd", GROUP_ID, (PUDONG,), ("team_leader", "technician"))
HUANG = Tenant("tl.huang.pd", GROUP_ID, (PUDONG,), ("team_leader", "technician"))
INSPECTOR = Tenant("qc.hu.pd", GROUP_ID, (PUDONG,), ("qc_inspector",))
ADVISOR = Tenant("sa.wang.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
ADVISOR_SZ = Tenant("sa.qian.sz", GROUP_ID, (SUZHOU,), ("service_advisor",))
JIN = Tenant("tech.jin.sz", GROUP_ID, (SUZHOU,), ("technician",))
REN = Tenant("tl.ren.sz", GROUP_ID, (SUZHOU,), ("team_leader", "technician"))
HQ = Tenant("hq.chen", GROUP_ID, (), ("hq_manager",))
OEM = Tenant("oem.saicvw", GROUP_ID, (PUDONG,), ("oem",), oem_id="oem-saic-vw")
OTHER_HQ = Tenant("hq.other", "grp-other", (), ("hq_manager",))

WATCH_SECONDS = 0.2
PLATE = "沪A·12345"


@dataclass
class Workshop:
    url: str
    engine: Engine
    container: Any
    amqp_uri: str


@pytest.fixture(scope="module")
def ws(amqp_uri: str, make_database: Any) -> Iterator[Workshop]:
    from nameko.standalone.rpc import ClusterRpcProxy

    url = make_database("workshop")
    upgrade(PROCESSES["workshop"].migrations_dir(), url)
    config = nameko_config("workshop")
    config.update(
        {
            "AMQP_URI": amqp_uri,
            "DATABASE_URL": url,
            "WORKSHOP_WATCH_SECONDS": WATCH_SECONDS,
            "REQUEUE_BASE_DELAY": 0.01,
        }
    )
    declare_topology(amqp_uri, subscriptions_of(WorkshopService))
    runner = ServiceRunner(config)
    runner.add_service(WorkshopService)
    runner.start()
    group = demo_group()
    sites = (PUDONG, SUZHOU)
    with ClusterRpcProxy(
        {"AMQP_URI": amqp_uri, "serializer": "json"}, context_data=SYSTEM.to_context()
    ) as proxy:
        proxy.workshop.import_reference_data(
            {
                "group_id": GROUP_ID,
                "teams": [t for t in group["teams"] if t["site_id"] in sites],
                "technicians": [t for t in group["technicians"] if t["site_id"] in sites],
                "bays": [
                    {"bay_id": "bay-pd-1", "site_id": PUDONG, "name": "1号举升机"},
                    {
                        "bay_id": "bay-pd-4w",
                        "site_id": PUDONG,
                        "name": "四轮定位",
                        "kind": "alignment",
                    },
                ],
            }
        )
    engine = create_engine(url)
    yield Workshop(url, engine, runner.service_map["workshop"], amqp_uri)
    runner.stop()
    engine.dispose()


@pytest.fixture
def call(rpc: Any) -> Callable[[Tenant | None], Any]:
    """One proxy per tenant for the test: `call(LIU).clock_on(...)`."""
    proxies: dict[Any, Any] = {}

    def get(tenant: Tenant | None) -> Any:
        if tenant not in proxies:
            proxies[tenant] = rpc(tenant)
        return proxies[tenant].workshop

    return get


# ---------------------------------------------------------------- helpers


def period(site_id: str | None, first: str, last: str) -> dict[str, Any]:
    """The query of a figures or comebacks call: a site (or all yours) and `from`/`to`."""
    return {"site_id": site_id, "from": first, "to": last}


def wait_for(predicate: Callable[[], Any], timeout: float = 15, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


def publish(
    ws: Workshop,
    source: str,
    event_type: str,
    payload: dict[str, Any],
    *,
    site_id: str = PUDONG,
    occurred_at: datetime | None = None,
    envelope: Envelope | None = None,
) -> Envelope:
    """Publish an event as its producer's relay would."""
    if envelope is None:
        envelope = Envelope(
            event_type, GROUP_ID, site_id, payload, correlation_id=payload.get("order_id")
        )
        if occurred_at is not None:
            envelope = replace(envelope, occurred_at=occurred_at.isoformat())
    validate_payload(event_type, envelope.payload)
    with Connection(ws.amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.channel()).publish(
            envelope.to_dict(),
            exchange=event_exchange(source),
            routing_key=event_type,
            serializer="json",
            delivery_mode=2,
        )
    return envelope


def handled(ws: Workshop, envelope: Envelope, timeout: float = 15) -> None:
    """Wait until the workshop's inbox has the event (its effect committed with it)."""

    def seen() -> bool:
        with ws.engine.connect() as conn:
            return bool(
                conn.exec_driver_sql(
                    "SELECT count(*) FROM inbox WHERE event_id = %(e)s", {"e": envelope.event_id}
                ).scalar()
            )

    wait_for(seen, timeout, f"{envelope.type} handled")


def events(ws: Workshop, event_type: str, order_id: str | None = None) -> list[dict[str, Any]]:
    """The workshop's published events of a type (oldest first), from its outbox."""
    with ws.engine.connect() as conn:
        rows = conn.execute(
            select(outbox.c.body).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        ).scalars()
        bodies = [json.loads(b) for b in rows]
    found = [b for b in bodies if order_id is None or b["correlation_id"] == order_id]
    for body in found:  # every event keeps its contract
        validate_payload(event_type, body["payload"])
        assert body["group_id"] == GROUP_ID and body["site_id"]
    return found


def payloads(ws: Workshop, event_type: str, order_id: str) -> list[dict[str, Any]]:
    return [b["payload"] for b in events(ws, event_type, order_id)]


def all_sent(ws: Workshop) -> None:
    def sent() -> bool:
        with ws.engine.connect() as conn:
            return not conn.execute(select(outbox.c.id).where(outbox.c.sent_at.is_(None))).first()

    wait_for(sent, 15, "the outbox relayed every event")


def new_order_id() -> str:
    return f"ro-{uuid.uuid4().hex[:12]}"


def labor(line_id: str, code: str, hours: str, skill: str | None = None, **kw: Any) -> dict:
    return {
        "line_id": line_id,
        "operation_code": code,
        "description": f"{code} 作业",
        "standard_hours": hours,
        "payer": "customer",
        "skill": skill,
        **kw,
    }


def approve(
    ws: Workshop,
    lines: list[dict[str, Any]],
    *,
    order_id: str | None = None,
    site_id: str = PUDONG,
    vin: str = "LSVAL618XRT000001",
    plate: str | None = PLATE,
    complaint: str = "踩刹车时前轮有吱吱声",
    promised_at: datetime | None = None,
    approved_at: datetime | None = None,
    order_type: str = "repair",
) -> str:
    """Reception's order_approved for a fresh RO; returns once the workshop has its jobs."""
    order_id = order_id or new_order_id()
    payload = copy.deepcopy(example("order_approved")["payload"])
    payload.update(
        {
            "order_id": order_id,
            "order_number": f"T-{order_id[-6:]}",
            "order_type": order_type,
            "vin": vin,
            "plate": plate,
            "complaint": complaint,
            "promised_at": (promised_at or datetime.now(UTC) + timedelta(days=3)).isoformat(),
            "labor_lines": lines,
            "part_lines": [],
        }
    )
    envelope = publish(
        ws, "reception", "order_approved", payload, site_id=site_id, occurred_at=approved_at
    )
    handled(ws, envelope)
    return order_id


def jobs_of(call: Any, order_id: str, tenant: Tenant = DISPATCHER) -> dict[str, dict[str, Any]]:
    """The RO's jobs by line id."""
    return {j["line_id"]: j for j in call(tenant).get_order(order_id)["jobs"]}


ALL_OK = {stage: {code: "ok" for code, _ in items} for stage, items in domain.CHECKLISTS.items()}


def start_job(call: Any, job_id: str, tenant: Tenant = LIU) -> dict[str, Any]:
    """Dispatch to the tenant, check the plate, clock on."""
    call(DISPATCHER).dispatch(job_id, {"technician_id": tenant.user_id})
    call(tenant).confirm_plate(job_id, {"plate": PLATE})
    return call(tenant).clock_on(job_id, {})


def finish_job(call: Any, job_id: str, tenant: Tenant = LIU, leader: Tenant = ZHANG) -> None:
    """Clock off done, self-check, team-leader check: the job is done."""
    call(tenant).clock_off(job_id, {"done": True})
    call(tenant).self_check(job_id, {"items": ALL_OK[domain.SELF_CHECK]})
    job = call(leader).team_leader_check(job_id, {"items": ALL_OK[domain.TEAM_LEADER_CHECK]})
    assert job["status"] == domain.DONE


# ---------------------------------------------------------------- jobs from reception's events


def test_order_approved_makes_one_job_per_labor_line_once(ws: Workshop, call: Any) -> None:
    order_id = new_order_id()
    opened = copy.deepcopy(example("order_opened")["payload"])
    opened.update({"order_id": order_id, "vin": "LSVAL618XRT000009"})
    handled(ws, publish(ws, "reception", "order_opened", opened))
    order = call(ADVISOR).get_order(order_id)
    assert order["jobs"] == [] and order["complaint"] == opened["complaint"]

    lines = [labor("ln-1", "MNT-10K", "1.0", "maintenance"), labor("ln-2", "BRK-FPAD", "1.2")]
    payload = copy.deepcopy(example("order_approved")["payload"])
    payload.update(
        {"order_id": order_id, "vin": "LSVAL618XRT000009", "plate": PLATE, "labor_lines": lines}
    )
    first = publish(ws, "reception", "order_approved", payload)
    handled(ws, first)
    jobs = jobs_of(call, order_id)
    assert sorted(jobs) == ["ln-1", "ln-2"]
    brakes = jobs["ln-2"]
    assert brakes["status"] == "unassigned"
    assert (brakes["standard_hours"], brakes["clocked_hours"]) == ("1.2", "0.0")
    assert (brakes["skill"], brakes["needs_road_test"]) == ("brakes", True)
    assert (brakes["plate"], brakes["vin"]) == (PLATE, "LSVAL618XRT000009")
    assert brakes["order_number"] == payload["order_number"]
    assert jobs["ln-1"]["skill"] == "maintenance"

    # The same event again, even with other lines, is dropped by the inbox.
    again = replace(
        first, payload={**first.payload, "labor_lines": [*lines, labor("ln-9", "BRK-RPAD", "1.2")]}
    )
    with entrypoint_waiter(ws.container, "on_order_approved", timeout=15):
        publish(ws, "reception", "order_approved", {}, envelope=again)
    assert sorted(jobs_of(call, order_id)) == ["ln-1", "ln-2"]
    # A new approval with one line more adds that line only: jobs are keyed by line.
    approve(
        ws, [*lines, labor("ln-7", "WIP-RPL", "0.2")], order_id=order_id, vin="LSVAL618XRT000009"
    )
    after = jobs_of(call, order_id)
    assert sorted(after) == ["ln-1", "ln-2", "ln-7"]
    assert after["ln-2"]["job_id"] == brakes["job_id"]

    board = call(DISPATCHER).dispatch_board(PUDONG)
    assert {j["job_id"] for j in board["columns"]["unassigned"]} >= {
        j["job_id"] for j in jobs_of(call, order_id).values()
    }
    assert set(board["columns"]) == set(domain.BOARD_COLUMNS)
    assert board["counts"]["unassigned"] == len(board["columns"]["unassigned"])


def test_a_broken_event_ends_in_the_dead_letter_queue(ws: Workshop) -> None:
    payload = copy.deepcopy(example("order_approved")["payload"])
    del payload["labor_lines"]
    envelope = Envelope("order_approved", GROUP_ID, PUDONG, payload)
    with Connection(ws.amqp_uri) as conn:
        Producer(conn.channel()).publish(
            envelope.to_dict(),
            exchange=event_exchange("reception"),
            routing_key="order_approved",
            serializer="json",
        )
    dlq = "evt-reception-order_approved--workshop.dlq"

    def dead() -> Any:
        with Connection(ws.amqp_uri) as conn:
            return conn.default_channel.basic_get(dlq, no_ack=True)

    message = wait_for(dead, 30, "the broken event is dead-lettered")
    assert json.loads(message.body)["event_id"] == envelope.event_id
    with ws.engine.connect() as conn:
        assert not conn.execute(select(Job).where(Job.order_id == payload["order_id"])).first()


# ---------------------------------------------------------------- dispatch


def test_dispatch_suggestion_redispatch_and_history(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "ALN-4W", "1.0")])
    job_id = jobs_of(call, order_id)["ln-1"]["job_id"]

    suggestion = call(DISPATCHER).suggest_dispatch(job_id)
    assert suggestion["skill"] == "alignment"
    ranked = suggestion["technicians"]
    assert len(ranked) == 6  # the whole site, the unskilled last
    assert ranked[0]["has_skill"] and ranked[0]["technician_id"] == "tech.liu.pd"
    assert [t["has_skill"] for t in ranked] == [True] + [False] * 5
    assert suggestion["team_id"] == "team-pd-1"

    def liu_load() -> Decimal:
        [liu] = [
            t
            for t in call(DISPATCHER).suggest_dispatch(job_id)["technicians"]
            if t["technician_id"] == "tech.liu.pd"
        ]
        return Decimal(liu["load_hours"])

    before = liu_load()
    first = call(DISPATCHER).dispatch(
        job_id, {"technician_id": "tech.liu.pd", "bay_id": "bay-pd-4w", "note": "急"}
    )
    assert (first["status"], first["technician_id"], first["team_id"], first["bay_id"]) == (
        "assigned",
        "tech.liu.pd",
        "team-pd-1",
        "bay-pd-4w",
    )
    # The suggestion for another job now counts this one in Liu's load.
    other = jobs_of(call, approve(ws, [labor("ln-1", "BRK-FPAD", "1.0")]))["ln-1"]["job_id"]
    [liu] = [
        t
        for t in call(DISPATCHER).suggest_dispatch(other)["technicians"]
        if t["technician_id"] == "tech.liu.pd"
    ]
    assert Decimal(liu["load_hours"]) == before + Decimal("1.0")
    assert Decimal(liu["free_hours"]) == max(Decimal("8.0") - before - 1, Decimal(0))

    moved = call(ZHANG).dispatch(job_id, {"technician_id": "tech.yang.pd"})
    assert (moved["technician_id"], moved["team_id"]) == ("tech.yang.pd", "team-pd-1")
    to_team = call(DISPATCHER).dispatch(job_id, {"team_id": "team-pd-2"})
    assert (to_team["technician_id"], to_team["team_id"]) == (None, "team-pd-2")

    history = call(ADVISOR).get_job(job_id)["history"]
    assert [(h["action"], h["by"]) for h in history] == [
        ("created", "system"),
        ("dispatched", "disp.ma.pd"),
        ("redispatched", "tl.zhang.pd"),
        ("redispatched", "disp.ma.pd"),
    ]
    assert history[2]["detail"]["previous_technician_id"] == "tech.liu.pd"
    assert [p["technician_id"] for p in payloads(ws, "job_dispatched", order_id)] == [
        "tech.liu.pd",
        "tech.yang.pd",
        None,
    ]
    assert payloads(ws, "job_dispatched", order_id)[-1] == {
        "job_id": job_id,
        "order_id": order_id,
        "line_id": "ln-1",
        "technician_id": None,
        "team_id": "team-pd-2",
        "dispatched_by": "disp.ma.pd",
    }
    all_sent(ws)


def test_dispatch_refusals(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "MNT-OIL", "0.5")])
    job_id = jobs_of(call, order_id)["ln-1"]["job_id"]
    cases: list[tuple[Tenant, dict[str, Any], type[Exception], str, list[str]]] = [
        (
            DISPATCHER,
            {"technician_id": "tech.jin.sz"},
            ValidationFailed,
            "UNKNOWN_TECHNICIAN",
            ["technician_id"],
        ),
        (DISPATCHER, {"team_id": "team-sz-1"}, ValidationFailed, "UNKNOWN_TEAM", ["team_id"]),
        (
            DISPATCHER,
            {"technician_id": "tech.liu.pd", "team_id": "team-pd-2"},
            ValidationFailed,
            "TEAM_MISMATCH",
            ["team_id"],
        ),
        (
            DISPATCHER,
            {"bay_id": "bay-x", "technician_id": "tech.liu.pd"},
            ValidationFailed,
            "UNKNOWN_BAY",
            ["bay_id"],
        ),
        (DISPATCHER, {}, ValidationFailed, "DISPATCH_TARGET", ["technician_id"]),
        (
            DISPATCHER,
            {"technician": "tech.liu.pd"},
            ValidationFailed,
            "VALIDATION_ERROR",
            ["technician"],
        ),
        (
            DISPATCHER,
            {"planned_date": "tomorrow", "technician_id": "tech.liu.pd"},
            ValidationFailed,
            "VALIDATION_ERROR",
            ["planned_date"],
        ),
        (ZHANG, {"technician_id": "tech.zhao.pd"}, ValidationFailed, "NOT_YOUR_TEAM", ["team_id"]),
        (LIU, {"technician_id": "tech.liu.pd"}, Forbidden, "ROLE_FORBIDDEN", ["roles"]),
        (HQ, {"technician_id": "tech.liu.pd"}, Forbidden, "ROLE_FORBIDDEN", ["roles"]),
        (DISPATCHER_SZ, {"technician_id": "tech.liu.pd"}, NotFound, "JOB_NOT_FOUND", []),
    ]
    for tenant, body, error, code, fields in cases:
        with pytest.raises(error) as caught:
            call(tenant).dispatch(job_id, body)
        assert (caught.value.code, list(caught.value.fields)) == (code, fields), body
    with pytest.raises(NotFound):
        call(DISPATCHER).dispatch("job-nope", {"technician_id": "tech.liu.pd"})
    job = call(DISPATCHER).get_job(job_id)
    assert job["status"] == "unassigned" and [h["action"] for h in job["history"]] == ["created"]
    assert payloads(ws, "job_dispatched", order_id) == []


# ---------------------------------------------------------------- the technician's time


def test_clocking_rules_and_events(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "BRK-FPAD", "1.0"), labor("ln-2", "ALN-4W", "1.0")])
    jobs = jobs_of(call, order_id)
    brakes, alignment = jobs["ln-1"]["job_id"], jobs["ln-2"]["job_id"]

    with pytest.raises(Conflict) as caught:
        call(LIU).clock_on(brakes, {})
    assert caught.value.code == "NOT_DISPATCHED"
    call(DISPATCHER).dispatch(brakes, {"technician_id": "tech.liu.pd"})
    call(DISPATCHER).dispatch(alignment, {"technician_id": "tech.liu.pd"})
    with pytest.raises(Conflict) as caught:
        call(LIU).clock_on(brakes, {})
    assert caught.value.code == "PLATE_NOT_CONFIRMED"
    with pytest.raises(ValidationFailed) as caught:
        call(LIU).confirm_plate(brakes, {"plate": "沪A·54321"})
    assert (caught.value.code, list(caught.value.fields)) == ("PLATE_MISMATCH", ["plate"])
    with pytest.raises(Conflict) as caught:
        call(YANG).confirm_plate(brakes, {"plate": PLATE})
    assert caught.value.code == "NOT_DISPATCHED_TO_YOU"
    assert call(LIU).confirm_plate(brakes, {"plate": "沪a 12345"})["plate_confirmed_by"] == (
        "tech.liu.pd"
    )
    started = call(LIU).clock_on(brakes, {})
    assert (started["status"], started["clocked_on_by"]) == ("in_progress", "tech.liu.pd")

    # One technician, one job at a time.
    call(LIU).confirm_plate(alignment, {"vin": "000001"})
    with pytest.raises(Conflict) as caught:
        call(LIU).clock_on(alignment, {})
    assert (caught.value.code, caught.value.fields) == ("TECHNICIAN_BUSY", {"job_id": [brakes]})
    # Someone else's job, someone else's clock.
    with pytest.raises(Forbidden):
        call(YANG).clock_on(brakes, {"technician_id": "tech.liu.pd"})
    with pytest.raises(Conflict) as caught:
        call(YANG).clock_off(brakes, {"done": True})
    assert caught.value.code == "NOT_DISPATCHED_TO_YOU"

    paused = call(LIU).pause_job(brakes, {"reason": "waiting_for_parts", "note": "刹车片缺货"})
    assert (paused["status"], paused["pause_reason"], paused["clocked_on_by"]) == (
        "paused",
        "waiting_for_parts",
        None,
    )
    call(LIU).clock_on(alignment, {})  # free again
    call(LIU).clock_off(alignment, {})  # not done: a pause, by default the end of the shift
    # The dispatcher clocks Liu back on the brakes (a shared terminal), then Liu finishes.
    resumed = call(DISPATCHER).clock_on(brakes, {"technician_id": "tech.liu.pd"})
    assert resumed["status"] == "in_progress" and resumed["pause_reason"] is None
    done = call(LIU).clock_off(brakes, {"done": True})
    assert (done["status"], done["qc_stage"]) == ("waiting_qc", "self_check")

    assert [p["reason"] for p in payloads(ws, "job_paused", order_id)] == [
        "waiting_for_parts",
        "end_of_shift",
    ]
    started_events = payloads(ws, "job_started", order_id)
    assert [(p["job_id"], p["technician_id"]) for p in started_events] == [
        (brakes, "tech.liu.pd"),
        (alignment, "tech.liu.pd"),
        (brakes, "tech.liu.pd"),
    ]
    job = call(LIU).get_job(brakes)
    assert [s["end_reason"] for s in job["sessions"]] == ["waiting_for_parts", "done"]
    assert [h["action"] for h in job["history"]] == [
        "created",
        "dispatched",
        "plate_confirmed",
        "clocked_on",
        "paused",
        "clocked_on",
        "finished",
    ]
    assert job["history"][4]["detail"]["note"] == "刹车片缺货"
    with pytest.raises(Conflict) as caught:
        call(LIU).pause_job(brakes, {"reason": "break"})
    assert caught.value.code == "ILLEGAL_TRANSITION"
    with pytest.raises(ValidationFailed) as caught:
        call(LIU).pause_job(alignment, {"reason": "lunch"})
    assert list(caught.value.fields) == ["reason"]


def test_two_clock_ons_at_once_leave_one_running(ws: Workshop, call: Any, rpc: Any) -> None:
    """The rule holds under a race too: the partial unique index lets one through."""
    import eventlet

    for _ in range(3):
        order_id = approve(
            ws, [labor("ln-1", "BDY-PANEL", "4.0"), labor("ln-2", "BDY-PANEL", "4.0")]
        )
        job_ids = [j["job_id"] for j in jobs_of(call, order_id).values()]
        for job_id in job_ids:
            call(DISPATCHER).dispatch(job_id, {"technician_id": "tech.zhao.pd"})
            call(ZHAO).confirm_plate(job_id, {"plate": PLATE})
        proxies = [rpc(ZHAO).workshop for _ in job_ids]

        def attempt(pair: tuple[Any, str]) -> str:
            proxy, job_id = pair
            try:
                proxy.clock_on(job_id, {})
            except Conflict as exc:
                return exc.code
            return "started"

        results = sorted(eventlet.GreenPool().imap(attempt, zip(proxies, job_ids, strict=True)))
        assert results == ["TECHNICIAN_BUSY", "started"]
        with ws.engine.connect() as conn:
            running = (
                conn.execute(
                    select(ClockSession.job_id).where(
                        ClockSession.technician_id == "tech.zhao.pd",
                        ClockSession.ended_at.is_(None),
                    )
                )
                .scalars()
                .all()
            )
        assert len(running) == 1
        call(ZHAO).pause_job(running[0], {"reason": "end_of_shift"})


def test_clocked_hours_add_every_session(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "MNT-30K", "1.8", "maintenance")])
    job_id = jobs_of(call, order_id)["ln-1"]["job_id"]
    start_job(call, job_id, YANG)
    call(YANG).pause_job(job_id, {"reason": "break"})
    call(YANG).clock_on(job_id, {})
    call(YANG).clock_off(job_id, {"done": True})
    # Place the two sessions at known times: 40 min and 35 min = 1.25 h -> 1.3 h.
    base = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    with ws.engine.begin() as conn:
        ids = (
            conn.execute(
                select(ClockSession.session_id)
                .where(ClockSession.job_id == job_id)
                .order_by(ClockSession.started_at)
            )
            .scalars()
            .all()
        )
        for sid, (a, b) in zip(ids, ((0, 40), (60, 95)), strict=True):
            conn.execute(
                update(ClockSession)
                .where(ClockSession.session_id == sid)
                .values(
                    started_at=base + timedelta(minutes=a), ended_at=base + timedelta(minutes=b)
                )
            )
    assert call(YANG).get_job(job_id)["clocked_hours"] == "1.3"
    call(YANG).self_check(job_id, {"items": ALL_OK[domain.SELF_CHECK]})
    call(ZHANG).team_leader_check(job_id, {"items": ALL_OK[domain.TEAM_LEADER_CHECK]})
    [done] = payloads(ws, "job_done", order_id)
    assert (done["standard_hours"], done["clocked_hours"], done["technician_id"]) == (
        "1.8",
        "1.3",
        "tech.yang.pd",
    )


# ---------------------------------------------------------------- quality control


def test_qc_failure_sends_work_back_then_it_passes(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "BRK-FPAD", "1.0"), labor("ln-2", "MNT-OIL", "0.5")])
    jobs = jobs_of(call, order_id)
    brakes, oil = jobs["ln-1"]["job_id"], jobs["ln-2"]["job_id"]
    start_job(call, brakes, LIU)
    start_job(call, oil, YANG)
    for job_id, tech in ((brakes, LIU), (oil, YANG)):
        call(tech).clock_off(job_id, {"done": True})

    # Self-check: the technician's own, every item answered.
    with pytest.raises(Forbidden):
        call(YANG).self_check(brakes, {"items": ALL_OK[domain.SELF_CHECK]})
    unchecked = {**ALL_OK[domain.SELF_CHECK]}
    del unchecked["torque"]
    back = call(LIU).self_check(brakes, {"items": unchecked})
    assert (back["status"], back["check"]["passed"]) == ("assigned", False)
    assert back["check"]["reasons"] == ["紧固件按规定力矩紧固：未检查"]
    assert back["rework_count"] == 0  # his own catch is not rework
    call(LIU).clock_on(brakes, {})
    call(LIU).clock_off(brakes, {"done": True})
    call(LIU).self_check(brakes, {"items": ALL_OK[domain.SELF_CHECK]})
    call(YANG).self_check(oil, {"items": ALL_OK[domain.SELF_CHECK]})

    # Team-leader check: not by another team's leader; a failure is rework.
    with pytest.raises(Forbidden) as caught:
        call(HUANG).team_leader_check(brakes, {"items": ALL_OK[domain.TEAM_LEADER_CHECK]})
    assert caught.value.code == "NOT_YOUR_TEAM"
    failed = call(ZHANG).team_leader_check(
        brakes,
        {
            "items": {**ALL_OK[domain.TEAM_LEADER_CHECK], "workmanship": "failed"},
            "remarks": "制动片未涂抹消音膏",
        },
    )
    assert (failed["status"], failed["rework_count"], failed["technician_id"]) == (
        "assigned",
        1,
        "tech.liu.pd",
    )
    assert failed["rework_reason"] == "制动片未涂抹消音膏；作业质量符合维修标准：不合格"
    assert payloads(ws, "qc_failed", order_id) == [
        {
            "order_id": order_id,
            "inspector_id": "tl.zhang.pd",
            "job_ids": [brakes],
            "reasons": ["制动片未涂抹消音膏", "作业质量符合维修标准：不合格"],
            "responsible_technician_id": "tech.liu.pd",
        }
    ]
    call(LIU).clock_on(brakes, {})
    finish_job(call, brakes, LIU)
    finish_job_tl = call(ZHANG).team_leader_check(oil, {"items": ALL_OK[domain.TEAM_LEADER_CHECK]})
    assert finish_job_tl["status"] == "done"
    assert sorted(p["job_id"] for p in payloads(ws, "job_done", order_id)) == sorted([brakes, oil])

    # The RO: brakes need a road test before the final inspection.
    order = call(INSPECTOR).get_order(order_id)
    assert order["needs_road_test"] and list(order["checklists"]) == [
        "road_test",
        "final_inspection",
    ]
    with pytest.raises(Conflict) as caught:
        call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert caught.value.code == "ROAD_TEST_REQUIRED"
    with pytest.raises(Forbidden):
        call(LIU).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    road = call(INSPECTOR).road_test(order_id, {"items": ALL_OK[domain.ROAD_TEST]})
    assert road["check"]["passed"] and road["qc_status"] == "pending"

    # Final inspection fails on the brakes: Liu's job goes back, charged to Liu.
    result = call(INSPECTOR).final_inspection(
        order_id,
        {
            "items": {**ALL_OK[domain.FINAL_INSPECTION], "fault_fixed": "failed"},
            "remarks": "刹车片安装后仍有异响",
            "job_ids": [brakes],
        },
    )
    assert result["qc_status"] == "failed" and result["check"]["responsible_technician_id"] == (
        "tech.liu.pd"
    )
    states = {j["job_id"]: (j["status"], j["rework_count"]) for j in result["jobs"]}
    assert states == {brakes: ("assigned", 2), oil: ("done", 0)}
    assert payloads(ws, "qc_failed", order_id)[-1] == {
        "order_id": order_id,
        "inspector_id": "qc.hu.pd",
        "job_ids": [brakes],
        "reasons": ["刹车片安装后仍有异响", "客户反映的故障已排除：不合格"],
        "responsible_technician_id": "tech.liu.pd",
    }
    with pytest.raises(Conflict) as caught:
        call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert (caught.value.code, caught.value.fields) == ("JOBS_NOT_DONE", {"job_ids": [brakes]})

    # Rework, and the old road test no longer counts: the brakes were redone after it.
    call(LIU).clock_on(brakes, {})
    finish_job(call, brakes, LIU)
    with pytest.raises(Conflict) as caught:
        call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert caught.value.code == "ROAD_TEST_REQUIRED"
    call(INSPECTOR).road_test(order_id, {"items": ALL_OK[domain.ROAD_TEST]})
    passed = call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert passed["qc_status"] == "passed" and passed["check"]["passed"]
    assert payloads(ws, "qc_passed", order_id) == [
        {
            "order_id": order_id,
            "inspector_id": "qc.hu.pd",
            "job_ids": sorted([brakes, oil]),
            "road_test": True,
        }
    ]
    with pytest.raises(Conflict) as caught:
        call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert caught.value.code == "QC_ALREADY_PASSED"
    stages = [(c["stage"], c["passed"]) for c in call(ADVISOR).get_order(order_id)["checks"]]
    assert stages.count(("final_inspection", False)) == 1
    assert stages[-1] == ("final_inspection", True)
    # Brakes done twice (after the team leader's and the inspector's failure), oil once.
    assert len(payloads(ws, "job_done", order_id)) == 3
    all_sent(ws)


def test_order_checks_refusals(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "BDY-PANEL", "4.0")])
    job_id = jobs_of(call, order_id)["ln-1"]["job_id"]
    with pytest.raises(Conflict) as caught:
        call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert caught.value.code == "JOBS_NOT_DONE"
    start_job(call, job_id, ZHAO)
    finish_job(call, job_id, ZHAO, HUANG)
    for body, field in (
        ({"items": {"smell": "ok"}}, "items"),
        ({"items": {"fault_fixed": "maybe"}}, "items"),
        ({"items": ALL_OK[domain.FINAL_INSPECTION], "extra": 1}, "extra"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            call(INSPECTOR).final_inspection(order_id, body)
        assert list(caught.value.fields) == [field]
    failing = {"items": {**ALL_OK[domain.FINAL_INSPECTION], "clean_no_damage": "failed"}}
    for extra, code, field in (
        ({"job_ids": ["job-elsewhere"]}, "UNKNOWN_JOB", "job_ids"),
        (
            {"responsible_technician_id": "tech.jin.sz"},
            "UNKNOWN_TECHNICIAN",
            "responsible_technician_id",
        ),
    ):
        with pytest.raises(ValidationFailed) as caught:
            call(INSPECTOR).final_inspection(order_id, {**failing, **extra})
        assert (caught.value.code, list(caught.value.fields)) == (code, [field])
    with pytest.raises(NotFound):
        call(INSPECTOR).final_inspection("ro-nope", failing)
    assert call(INSPECTOR).get_order(order_id)["checks"][-1]["stage"] == "team_leader_check"
    # No road test needed for body work: the inspection passes straight away.
    assert not call(INSPECTOR).get_order(order_id)["needs_road_test"]
    passed = call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert passed["qc_status"] == "passed"
    assert payloads(ws, "qc_passed", order_id)[0]["road_test"] is False


# ---------------------------------------------------------------- additional work


def test_additional_work_waits_for_the_customer(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "BRK-FPAD", "1.0")])
    job_id = jobs_of(call, order_id)["ln-1"]["job_id"]
    start_job(call, job_id, LIU)
    body = {
        "description": "刹车油含水量超标，建议更换",
        "suggested_operations": [
            {"operation_code": "BRK-FLUID", "description": "更换制动液", "standard_hours": "0.8"}
        ],
        "suggested_parts": [{"part_number": "DOT4-1L", "quantity": "1"}],
        "pause": True,
    }
    with pytest.raises(ValidationFailed) as caught:
        call(LIU).report_additional_work(
            job_id, {**body, "suggested_operations": [{"operation_code": "X"}]}
        )
    assert list(caught.value.fields) == ["suggested_operations"]
    with pytest.raises(Forbidden):
        call(ADVISOR).report_additional_work(job_id, body)
    work = call(LIU).report_additional_work(job_id, body)
    assert work["status"] == "awaiting_approval" and work["job"]["status"] == "paused"
    assert work["job"]["pause_reason"] == "waiting_for_approval"
    [found] = payloads(ws, "additional_work_found", order_id)
    assert found == {
        "order_id": order_id,
        "work_id": work["work_id"],
        "job_id": job_id,
        "description": "刹车油含水量超标，建议更换",
        "found_by": "tech.liu.pd",
        "suggested_operations": [
            {"operation_code": "BRK-FLUID", "description": "更换制动液", "standard_hours": "0.8"}
        ],
        "suggested_parts": [{"part_number": "DOT4-1L", "quantity": "1"}],
    }
    assert payloads(ws, "job_paused", order_id)[-1]["reason"] == "waiting_for_approval"
    board = call(DISPATCHER).dispatch_board(PUDONG)
    assert work["work_id"] in {w["work_id"] for w in board["awaiting_approval"]}
    # Nothing to clock until the customer says yes: the work is no job yet.
    assert sorted(jobs_of(call, order_id)) == ["ln-1"]

    approved = copy.deepcopy(example("additional_work_approved")["payload"])
    new_promise = datetime.now(UTC) + timedelta(days=4)
    approved.update(
        {
            "order_id": order_id,
            "work_id": work["work_id"],
            "promised_at": new_promise.isoformat(),
            "labor_lines": [labor("ln-5", "BRK-FLUID", "0.8")],
        }
    )
    handled(ws, publish(ws, "reception", "additional_work_approved", approved))
    order = call(ADVISOR).get_order(order_id)
    new_job = {j["line_id"]: j for j in order["jobs"]}["ln-5"]
    assert (new_job["status"], new_job["work_id"], new_job["standard_hours"]) == (
        "unassigned",
        work["work_id"],
        "0.8",
    )
    assert abs(datetime.fromisoformat(order["promised_at"]) - new_promise) < timedelta(seconds=1)
    assert [(w["work_id"], w["status"]) for w in order["additional_work"]] == [
        (work["work_id"], "approved")
    ]
    assert work["work_id"] not in {
        w["work_id"] for w in call(DISPATCHER).dispatch_board(PUDONG)["awaiting_approval"]
    }
    start_job(call, new_job["job_id"], YANG)  # now it can be clocked

    # Another find, declined: kept as declined, no job.
    second = call(YANG).report_additional_work(
        new_job["job_id"], {"description": "雨刮片老化", "suggested_operations": []}
    )
    declined = copy.deepcopy(example("additional_work_declined")["payload"])
    declined.update({"order_id": order_id, "work_id": second["work_id"]})
    handled(ws, publish(ws, "reception", "additional_work_declined", declined))
    order = call(ADVISOR).get_order(order_id)
    assert [w["status"] for w in order["additional_work"]] == ["approved", "declined"]
    assert len(order["jobs"]) == 2


def test_a_cancelled_order_drops_its_jobs(ws: Workshop, call: Any) -> None:
    monday = "2031-06-09"
    order_id = approve(ws, [labor("ln-1", "BRK-FPAD", "1.0"), labor("ln-2", "MNT-OIL", "0.5")])
    jobs = jobs_of(call, order_id)
    brakes, oil = jobs["ln-1"]["job_id"], jobs["ln-2"]["job_id"]
    start_job(call, brakes, LIU)
    call(DISPATCHER).dispatch(oil, {"technician_id": "tech.yang.pd", "planned_date": monday})
    assert call(DISPATCHER).capacity(PUDONG, monday)["booked_hours"] == "0.5"

    cancelled = {**example("order_cancelled")["payload"], "order_id": order_id}
    handled(ws, publish(ws, "reception", "order_cancelled", cancelled))
    order = call(DISPATCHER).get_order(order_id)
    assert order["cancelled_at"] is not None
    assert {j["status"] for j in order["jobs"]} == {"cancelled"}
    job = call(DISPATCHER).get_job(brakes)
    assert job["clocked_on_by"] is None and job["sessions"][-1]["end_reason"] == "cancelled"
    assert job["history"][-1]["action"] == "cancelled"
    assert job["history"][-1]["detail"]["reason"] == "客户决定暂不维修"
    board = call(DISPATCHER).dispatch_board(PUDONG)
    assert not {brakes, oil} & {j["job_id"] for c in board["columns"].values() for j in c}
    assert call(DISPATCHER).capacity(PUDONG, monday)["booked_hours"] == "0.0"
    # Liu is free again; nothing on the RO can be worked or checked.
    other = jobs_of(call, approve(ws, [labor("ln-1", "WIP-RPL", "0.2")]))["ln-1"]["job_id"]
    assert start_job(call, other, LIU)["status"] == "in_progress"
    call(LIU).pause_job(other, {"reason": "end_of_shift"})
    with pytest.raises(Conflict) as caught:
        call(LIU).clock_on(brakes, {})
    assert caught.value.code == "ILLEGAL_TRANSITION"
    with pytest.raises(Conflict) as caught:
        call(INSPECTOR).final_inspection(order_id, {"items": ALL_OK[domain.FINAL_INSPECTION]})
    assert caught.value.code == "ORDER_CANCELLED"
    with pytest.raises(Conflict) as caught:
        call(LIU).report_additional_work(brakes, {"description": "雨刮片老化"})
    assert caught.value.code == "ORDER_CANCELLED"
    # An approval overtaken by the cancellation adds no work.
    approve(ws, [labor("ln-3", "ALN-4W", "1.0")], order_id=order_id)
    assert sorted(jobs_of(call, order_id)) == ["ln-1", "ln-2"]


# ---------------------------------------------------------------- parts


def test_a_back_order_flags_the_jobs_until_it_arrives(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "BRK-FPAD", "1.0")])
    payload = {**example("part_backordered")["payload"], "order_id": order_id}
    handled(ws, publish(ws, "parts", "part_backordered", payload))
    [job] = call(DISPATCHER).get_order(order_id)["jobs"]
    assert job["waiting_for_parts"] is True
    assert call(DISPATCHER).get_order(order_id)["parts_waiting"] == [
        {
            "line_id": "ln-4",
            "part_number": "5QD698151B",
            "quantity": "1.000",  # the API's quantity format: to 0.001
            "expected_at": "2026-11-27",
        }
    ]
    board = call(DISPATCHER).dispatch_board(PUDONG)
    [on_board] = [j for j in board["columns"]["unassigned"] if j["job_id"] == job["job_id"]]
    assert on_board["waiting_for_parts"]
    arrived = {**example("backorder_arrived")["payload"], "order_id": order_id}
    handled(ws, publish(ws, "parts", "backorder_arrived", arrived))
    order = call(DISPATCHER).get_order(order_id)
    assert order["jobs"][0]["waiting_for_parts"] is False and order["parts_waiting"] == []


# ---------------------------------------------------------------- progress watch


def test_the_watch_tells_reception_once_per_promise(ws: Workshop, call: Any) -> None:
    now = datetime.now(UTC)
    # Approved three hours ago, promised in one: 75 % gone, nothing started.
    order_id = approve(
        ws,
        [labor("ln-1", "ENG-TBELT", "3.5"), labor("ln-2", "MNT-OIL", "0.5")],
        approved_at=now - timedelta(hours=3),
        promised_at=now + timedelta(hours=1),
    )
    # Another RO as late, whose work is finished (waiting QC): near done, no alarm.
    # (Promised far away while the work is done, then the promise moves close.)
    calm = approve(ws, [labor("ln-1", "WIP-RPL", "0.2")], approved_at=now - timedelta(hours=3))
    calm_job = jobs_of(call, calm)["ln-1"]["job_id"]
    start_job(call, calm_job, ZHAO)
    call(ZHAO).clock_off(calm_job, {"done": True})
    closer = copy.deepcopy(example("additional_work_approved")["payload"])
    closer.update(
        {
            "order_id": calm,
            "work_id": "aw-calm",
            "labor_lines": [],
            "promised_at": (now + timedelta(hours=1)).isoformat(),
        }
    )
    handled(ws, publish(ws, "reception", "additional_work_approved", closer))

    [risk] = wait_for(lambda: payloads(ws, "order_at_risk", order_id), 10, "order_at_risk")
    assert risk["open_jobs"] == 2 and risk["order_id"] == order_id
    assert Decimal("0.74") <= Decimal(risk["elapsed_share"]) <= Decimal("0.80")
    time.sleep(WATCH_SECONDS * 5)
    assert len(payloads(ws, "order_at_risk", order_id)) == 1, "one notice per promise"
    assert payloads(ws, "order_at_risk", calm) == []

    # A new promise far away is not at risk; one that is close again is, once.
    work = copy.deepcopy(example("additional_work_approved")["payload"])
    work.update(
        {
            "order_id": order_id,
            "work_id": "aw-far",
            "labor_lines": [],
            "promised_at": (now + timedelta(hours=10)).isoformat(),
        }
    )
    handled(ws, publish(ws, "reception", "additional_work_approved", work))
    time.sleep(WATCH_SECONDS * 5)
    assert len(payloads(ws, "order_at_risk", order_id)) == 1
    work.update({"work_id": "aw-near", "promised_at": (now + timedelta(minutes=30)).isoformat()})
    handled(ws, publish(ws, "reception", "additional_work_approved", work))
    second = wait_for(
        lambda: payloads(ws, "order_at_risk", order_id)[1:], 10, "a second order_at_risk"
    )
    assert len(second) == 1 and Decimal(second[0]["elapsed_share"]) >= Decimal("0.85")
    time.sleep(WATCH_SECONDS * 3)
    assert len(payloads(ws, "order_at_risk", order_id)) == 2
    all_sent(ws)


# ---------------------------------------------------------------- comebacks


def test_a_comeback_is_linked_to_the_original_job_and_technician(ws: Workshop, call: Any) -> None:
    vin = "LSVAL618XRT000077"
    now = datetime.now(UTC)
    first = approve(
        ws,
        [labor("ln-1", "MNT-10K", "1.0"), labor("ln-2", "BRK-FPAD", "1.0")],
        vin=vin,
        approved_at=now - timedelta(days=12),
    )
    jobs = jobs_of(call, first)
    start_job(call, jobs["ln-2"]["job_id"], LIU)
    finish_job(call, jobs["ln-2"]["job_id"], LIU)
    delivered = copy.deepcopy(example("vehicle_delivered")["payload"])
    delivered.update(
        {"order_id": first, "vin": vin, "delivered_at": (now - timedelta(days=10)).isoformat()}
    )
    handled(ws, publish(ws, "reception", "vehicle_delivered", delivered))
    # Delivered: its jobs leave the board.
    board_ids = {
        j["job_id"] for c in call(DISPATCHER).dispatch_board(PUDONG)["columns"].values() for j in c
    }
    assert not board_ids & {j["job_id"] for j in jobs.values()}

    # Back ten days later; the complaint reads differently, the brake job is the same.
    second = new_order_id()
    opened = copy.deepcopy(example("order_opened")["payload"])
    opened.update({"order_id": second, "vin": vin, "complaint": "制动抖动"})
    handled(ws, publish(ws, "reception", "order_opened", opened))
    assert call(ADVISOR).get_order(second)["comeback"] is None  # words alone: no match
    approve(ws, [labor("ln-1", "BRK-FPAD", "1.0")], order_id=second, vin=vin, complaint="制动抖动")
    comeback = call(ADVISOR).get_order(second)["comeback"]
    assert comeback is not None
    assert (comeback["original_order_id"], comeback["original_job_id"]) == (
        first,
        jobs["ln-2"]["job_id"],
    )
    assert (comeback["technician_id"], comeback["matched_by"], comeback["days_after_delivery"]) == (
        "tech.liu.pd",
        "operation_code",
        10,
    )
    [event] = payloads(ws, "comeback_detected", second)
    assert event["original_job_id"] == jobs["ln-2"]["job_id"]
    assert event["technician_id"] == "tech.liu.pd"

    # A third RO with the same words as the first, at Suzhou: a comeback by complaint,
    # charged to Pudong's technician and seen from both sites.
    third = new_order_id()
    opened.update({"order_id": third, "complaint": "踩刹车时 前轮有吱吱声！"})
    handled(ws, publish(ws, "reception", "order_opened", opened, site_id=SUZHOU))
    by_words = call(ADVISOR_SZ).get_order(third)["comeback"]
    assert by_words["matched_by"] == "complaint" and by_words["similarity"] == "1.00"
    assert by_words["technician_id"] == "tech.liu.pd"
    today = domain.local_date(now).isoformat()
    pudong = call(ADVISOR).list_comebacks(period(PUDONG, today, today))["items"]
    assert {c["order_id"] for c in pudong} >= {second, third}
    assert {
        c["order_id"] for c in call(ADVISOR_SZ).list_comebacks(period(None, today, today))["items"]
    } == {third}
    liu = next(
        t
        for t in call(HQ).figures(period(PUDONG, today, today))["technicians"]
        if t["technician_id"] == "tech.liu.pd"
    )
    assert liu["comebacks"] >= 2


# ---------------------------------------------------------------- capacity and attendance


def test_capacity_attendance_and_shift_pattern(ws: Workshop, call: Any) -> None:
    sunday, monday = "2031-06-01", "2031-06-02"
    assert call(ADVISOR_SZ).capacity(SUZHOU, sunday) == {
        "site_id": SUZHOU,
        "date": sunday,
        "available_hours": "48.0",  # six technicians x 8.0 h, every day by default
        "booked_hours": "0.0",
    }
    # Two jobs planned for that Monday.
    order_id = approve(
        ws, [labor("ln-1", "MNT-30K", "1.8"), labor("ln-2", "TYR-BAL", "0.6")], site_id=SUZHOU
    )
    for job in jobs_of(call, order_id, DISPATCHER_SZ).values():
        call(DISPATCHER_SZ).dispatch(
            job["job_id"], {"technician_id": "tech.jin.sz", "planned_date": monday}
        )
    assert call(ADVISOR_SZ).capacity(SUZHOU, monday)["booked_hours"] == "2.4"

    attendance = call(DISPATCHER_SZ).record_attendance(
        SUZHOU,
        {
            "date": monday,
            "entries": [
                {"technician_id": "tech.jin.sz", "status": "present", "hours": "4.5"},
                {"technician_id": "tech.yu.sz", "status": "leave", "note": "年假"},
                {"technician_id": "tl.ren.sz", "status": "present", "hours": "10.0"},
            ],
        },
    )
    statuses = {t["technician_id"]: (t["status"], t["hours"]) for t in attendance["technicians"]}
    assert statuses["tech.yu.sz"] == ("leave", "0.0")
    assert statuses["tech.shi.sz"] == ("scheduled", "8.0")
    assert attendance["total_hours"] == "38.5"  # 4.5 + 0 + 10 + 3 x 8
    assert call(ADVISOR_SZ).capacity(SUZHOU, monday)["available_hours"] == "38.5"

    pattern = call(DISPATCHER_SZ).set_shift_pattern(
        SUZHOU, {"working_days": [1, 2, 3, 4, 5, 6], "hours": "7.5"}
    )
    assert pattern == {"site_id": SUZHOU, "working_days": [1, 2, 3, 4, 5, 6], "hours": "7.5"}
    assert call(ADVISOR_SZ).capacity(SUZHOU, sunday)["available_hours"] == "0.0"
    assert call(ADVISOR_SZ).capacity(SUZHOU, monday)["available_hours"] == "37.0"  # 14.5+3x7.5
    assert call(ADVISOR_SZ).attendance(SUZHOU, sunday)["technicians"][0]["hours"] == "0.0"

    refusals: list[tuple[Any, type[Exception], str]] = [
        (lambda: call(ADVISOR).capacity(SUZHOU, monday), Forbidden, "SITE_FORBIDDEN"),
        (lambda: call(OEM).capacity(PUDONG, monday), Forbidden, "SITE_FORBIDDEN"),
        (lambda: call(None).capacity(PUDONG, monday), Unauthorized, "NO_TENANT"),
        (lambda: call(ADVISOR_SZ).capacity(SUZHOU, "2031-13-01"), ValidationFailed, "INVALID_DATE"),
        (
            lambda: call(JIN).record_attendance(
                SUZHOU,
                {
                    "date": monday,
                    "entries": [{"technician_id": "tech.jin.sz", "status": "present"}],
                },
            ),
            Forbidden,
            "ROLE_FORBIDDEN",
        ),
        (
            lambda: call(DISPATCHER_SZ).record_attendance(
                SUZHOU,
                {
                    "date": monday,
                    "entries": [{"technician_id": "tech.liu.pd", "status": "present"}],
                },
            ),
            ValidationFailed,
            "UNKNOWN_TECHNICIAN",
        ),
        (
            lambda: call(DISPATCHER_SZ).record_attendance(
                SUZHOU,
                {
                    "date": monday,
                    "entries": [{"technician_id": "tech.jin.sz", "status": "sick", "hours": "3"}],
                },
            ),
            ValidationFailed,
            "ATTENDANCE_HOURS",
        ),
        (
            lambda: call(DISPATCHER_SZ).set_shift_pattern(
                SUZHOU, {"working_days": [1], "hours": "8.25"}
            ),
            ValidationFailed,
            "HOURS_PRECISION",
        ),
    ]
    for attempt, error, code in refusals:
        with pytest.raises(error) as caught:
            attempt()
        assert caught.value.code == code
    with pytest.raises(ValidationFailed) as caught:
        call(DISPATCHER_SZ).record_attendance(
            SUZHOU,
            {
                "date": monday,
                "entries": [{"technician_id": "tech.jin.sz", "status": "sick", "hours": "3"}],
            },
        )
    assert caught.value.fields == {
        "entries": {"0": {"hours": ["someone on sick is present 0 hours"]}}
    }
    # Nothing of the refused writes stuck.
    assert call(ADVISOR_SZ).capacity(SUZHOU, monday)["available_hours"] == "37.0"
    assert call(HQ).capacity(SUZHOU, monday)["booked_hours"] == "2.4"


# ---------------------------------------------------------------- figures


def test_figures_per_technician_team_and_site(ws: Workshop, call: Any) -> None:
    """Jin's Wednesday 2025-03-05 at Suzhou, worked by hand.

    Two jobs done, each credited once: 1.0 + 1.2 = 2.2 h sold.  Clocked 08:30-09:00,
    10:00-11:30 and, after the team leader sent the first job back, 09:00-09:30:
    0.5 + 1.5 + 0.5 = 2.5 h.  Present 8.0 h.  One rework.
      efficiency 2.2 / 2.5 = 0.88; productivity 2.5 / 8.0 = 0.3125 -> 0.31;
      proficiency 2.2 / 8.0 = 0.275 -> 0.28.
    His team (Ren 8.0 h present, Yu absent): attended 16.0 h -> productivity
    2.5 / 16 = 0.15625 -> 0.16, proficiency 2.2 / 16 = 0.1375 -> 0.14.
    The site adds team 2's three technicians, 8.0 h each: attended 40.0 h ->
    productivity 2.5 / 40 = 0.0625 -> 0.06, proficiency 2.2 / 40 = 0.055 -> 0.06.
    """
    order_id = approve(
        ws, [labor("ln-1", "BRK-FPAD", "1.0"), labor("ln-2", "BRK-RPAD", "1.2")], site_id=SUZHOU
    )
    jobs = jobs_of(call, order_id, DISPATCHER_SZ)
    first, second = jobs["ln-1"]["job_id"], jobs["ln-2"]["job_id"]
    for job_id in (first, second):
        call(DISPATCHER_SZ).dispatch(job_id, {"technician_id": "tech.jin.sz"})
        call(JIN).confirm_plate(job_id, {"plate": PLATE})
        call(JIN).clock_on(job_id, {})
        call(JIN).clock_off(job_id, {"done": True})
        call(JIN).self_check(job_id, {"items": ALL_OK[domain.SELF_CHECK]})
    call(REN).team_leader_check(
        first, {"items": {**ALL_OK[domain.TEAM_LEADER_CHECK], "parts_correct": "failed"}}
    )
    call(JIN).clock_on(first, {})
    call(JIN).clock_off(first, {"done": True})
    call(JIN).self_check(first, {"items": ALL_OK[domain.SELF_CHECK]})
    for job_id in (first, second):
        call(REN).team_leader_check(job_id, {"items": ALL_OK[domain.TEAM_LEADER_CHECK]})

    # Move the work to that Wednesday (Shanghai time) so the hours are known exactly.
    day = datetime(2025, 3, 5, tzinfo=domain.SITE_TZ)
    spans = [((8, 30), (9, 0)), ((10, 0), (11, 30)), ((9, 0), (9, 30))]
    with ws.engine.begin() as conn:
        ids = (
            conn.execute(
                select(ClockSession.session_id)
                .where(ClockSession.job_id.in_([first, second]))
                .order_by(ClockSession.started_at)
            )
            .scalars()
            .all()
        )
        assert len(ids) == 3
        for sid, ((h1, m1), (h2, m2)) in zip(ids, spans, strict=True):
            conn.execute(
                update(ClockSession)
                .where(ClockSession.session_id == sid)
                .values(
                    started_at=day.replace(hour=h1, minute=m1),
                    ended_at=day.replace(hour=h2, minute=m2),
                )
            )
        conn.execute(
            update(Job)
            .where(Job.job_id.in_([first, second]))
            .values(first_done_at=day.replace(hour=12))
        )
        conn.exec_driver_sql(
            "UPDATE reworks SET at = %(at)s WHERE job_id = %(j)s",
            {"at": day.replace(hour=9), "j": first},
        )
    present = ["tech.jin.sz", "tl.ren.sz", "tl.fang.sz", "tech.shi.sz", "tech.kong.sz"]
    call(DISPATCHER_SZ).record_attendance(
        SUZHOU,
        {
            "date": "2025-03-05",
            "entries": [
                *({"technician_id": t, "status": "present", "hours": "8.0"} for t in present),
                {"technician_id": "tech.yu.sz", "status": "absent"},
            ],
        },
    )

    figures = call(DISPATCHER_SZ).figures(period(SUZHOU, "2025-03-05", "2025-03-05"))
    assert (figures["date_from"], figures["date_to"]) == ("2025-03-05", "2025-03-05")
    assert {t["site_id"] for t in figures["technicians"]} == {SUZHOU}
    jin = next(t for t in figures["technicians"] if t["technician_id"] == "tech.jin.sz")
    assert jin == {
        "technician_id": "tech.jin.sz",
        "name": "金涛",
        "team_id": "team-sz-1",
        "site_id": SUZHOU,
        "sold_hours": "2.2",
        "clocked_hours": "2.5",
        "attended_hours": "8.0",
        "efficiency": "0.88",
        "productivity": "0.31",
        "proficiency": "0.28",
        "reworks": 1,
        "comebacks": 0,
    }
    team = next(t for t in figures["teams"] if t["team_id"] == "team-sz-1")
    assert team["name"] == "机电组"
    assert (team["sold_hours"], team["clocked_hours"], team["attended_hours"]) == (
        "2.2",
        "2.5",
        "16.0",
    )
    assert (team["efficiency"], team["productivity"], team["proficiency"]) == (
        "0.88",
        "0.16",
        "0.14",
    )
    [site] = figures["sites"]
    assert (site["site_id"], site["attended_hours"], site["reworks"]) == (SUZHOU, "40.0", 1)
    assert (site["productivity"], site["proficiency"]) == ("0.06", "0.06")

    with pytest.raises(Forbidden):
        call(DISPATCHER_SZ).figures(period(PUDONG, "2025-03-05", "2025-03-05"))
    with pytest.raises(Forbidden):
        call(OEM).figures(period(None, "2025-03-05", "2025-03-05"))
    with pytest.raises(ValidationFailed) as caught:
        call(HQ).figures(period(None, "2025-03-05", "2025-03-01"))
    assert list(caught.value.fields) == ["to"]
    with pytest.raises(ValidationFailed) as caught:
        call(HQ).figures(period(None, "5 March", "2025-03-05"))
    assert list(caught.value.fields) == ["from"]
    group = call(HQ).figures(period(None, "2025-03-05", "2025-03-05"))
    assert [s["site_id"] for s in group["sites"]] == [PUDONG, SUZHOU]
    assert (group["total"]["sold_hours"], group["total"]["clocked_hours"]) == ("2.2", "2.5")
    assert call(OTHER_HQ).figures(period(None, "2025-03-05", "2025-03-05"))["technicians"] == []


def test_figures_attended_hours_come_from_attendance_and_the_pattern(
    ws: Workshop, call: Any
) -> None:
    """Past days count: Pudong's default pattern is 8.0 h a day; one recorded leave day."""
    figures = call(DISPATCHER).figures(period(PUDONG, "2025-01-06", "2025-01-07"))
    zhao = next(t for t in figures["technicians"] if t["technician_id"] == "tech.zhao.pd")
    assert (zhao["attended_hours"], zhao["productivity"], zhao["efficiency"]) == (
        "16.0",
        "0.00",
        None,
    )
    call(DISPATCHER).record_attendance(
        PUDONG,
        {"date": "2025-01-07", "entries": [{"technician_id": "tech.zhao.pd", "status": "leave"}]},
    )
    figures = call(DISPATCHER).figures(period(PUDONG, "2025-01-06", "2025-01-07"))
    zhao = next(t for t in figures["technicians"] if t["technician_id"] == "tech.zhao.pd")
    assert zhao["attended_hours"] == "8.0"
    assert figures["sites"][0]["attended_hours"] == "88.0"  # 6 x 16 - 8


# ---------------------------------------------------------------- tenancy


def test_another_sites_job_is_not_found_and_roles_are_checked(ws: Workshop, call: Any) -> None:
    order_id = approve(ws, [labor("ln-1", "MNT-OIL", "0.5")])
    job_id = jobs_of(call, order_id)["ln-1"]["job_id"]
    for tenant in (ADVISOR_SZ, OTHER_HQ):
        with pytest.raises(NotFound) as caught:
            call(tenant).get_job(job_id)
        assert caught.value.code == "JOB_NOT_FOUND"
        with pytest.raises(NotFound) as caught:
            call(tenant).get_order(order_id)
        assert caught.value.code == "ORDER_NOT_FOUND"
    with pytest.raises(NotFound):
        call(OEM).get_job(job_id)
    with pytest.raises(Unauthorized):
        call(None).get_job(job_id)
    assert call(HQ).get_job(job_id)["job_id"] == job_id
    with pytest.raises(Forbidden):
        call(ADVISOR_SZ).dispatch_board(PUDONG)
    with pytest.raises(Forbidden):
        call(OEM).dispatch_board(PUDONG)
    assert call(HQ).dispatch_board(PUDONG)["site_id"] == PUDONG
    assert call(HQ).list_bays(PUDONG)["items"][1] == {
        "bay_id": "bay-pd-4w",
        "site_id": PUDONG,
        "name": "四轮定位",
        "kind": "alignment",
    }
    # A technician clocks only for himself; an advisor not at all.
    call(DISPATCHER).dispatch(job_id, {"technician_id": "tech.liu.pd"})
    with pytest.raises(Forbidden):
        call(ADVISOR).confirm_plate(job_id, {"plate": PLATE})
    with pytest.raises(Forbidden):
        call(ADVISOR).clock_on(job_id, {"technician_id": "tech.liu.pd"})
    with pytest.raises(ValidationFailed) as caught:
        call(DISPATCHER).confirm_plate(job_id, {"plate": PLATE, "technician_id": "tech.jin.sz"})
    assert caught.value.code == "UNKNOWN_TECHNICIAN"
