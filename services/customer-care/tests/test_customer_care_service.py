"""CustomerCareService on the real broker and PostgreSQL: the archive fed by reception."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from kombu import Connection, Producer
from nameko.containers import ServiceContainer
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import Engine, create_engine, func, select

from aftersales_contracts import example
from aftersales_core.errors import NotFound, Unauthorized
from aftersales_core.messaging import declare_topology, event_exchange, subscriptions_of
from aftersales_core.tables import inbox, outbox
from aftersales_core.tenancy import Tenant
from aftersales_customer_care.models import ArchiveCustomer, ArchiveVehicle, Followup
from aftersales_customer_care.service import CustomerCareService

# The contract examples' group and site.
GROUP = "grp-huadong"
SITE = "site-pudong"

AGENT = Tenant("cca.song.pd", GROUP, (SITE,), ("customer_care_agent",))
OTHER_SITE = Tenant("cca.wei.sz", GROUP, ("site-suzhou",), ("customer_care_agent",))
HQ = Tenant("hq.chen", GROUP, (), ("hq_manager",))
OTHER_GROUP = Tenant("hq.other", "grp-other", (), ("hq_manager",))

SUBSCRIPTIONS = subscriptions_of(CustomerCareService)


@dataclass
class Care:
    container: ServiceContainer
    engine: Engine
    amqp_uri: str

    def publish(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            Producer(conn.channel()).publish(
                body,
                exchange=event_exchange("reception"),
                routing_key=body["type"],
                serializer="json",
                delivery_mode=2,
                headers=headers or {},
            )

    def deliver(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        """Publish one event and wait until its handler has run (and committed)."""
        handler = f"on_{body['type']}"

        def is_this_event(worker_ctx: Any, _result: Any, _exc_info: Any) -> bool:
            return worker_ctx.args[0].get("event_id") == body["event_id"]

        with entrypoint_waiter(
            self.container, handler, timeout=20, callback=is_this_event
        ) as result:
            self.publish(body, headers)
        result.get()  # re-raises what the handler raised

    def count(self, table: Any, *where: Any) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _queue_depth(amqp_uri: str, name: str) -> int:
    with Connection(amqp_uri) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count


def _wait_for(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def care(migrated_database: Any, run_services: Any, amqp_uri: str) -> Iterator[Care]:
    url = migrated_database("customer-care")
    # Start from empty queues: other tests of this run may have published reception events.
    declare_topology(amqp_uri, SUBSCRIPTIONS)
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        for sub in SUBSCRIPTIONS:
            channel.queue_purge(sub.queue_name)
            channel.queue_purge(sub.queue_name + ".dlq")
    [runner] = run_services({CustomerCareService: url}, REQUEUE_BASE_DELAY=0.01)
    engine = create_engine(url)
    yield Care(runner.service_map["customer-care"], engine, amqp_uri)
    engine.dispose()


def _event(event_type: str, **payload: Any) -> dict[str, Any]:
    """The contract's example; with changes to its payload, a new event of its own."""
    body = example(event_type)
    if payload:
        body["payload"].update(payload)
        body["event_id"] = str(uuid.uuid4())
    return body


def _customer_event(**payload: Any) -> dict[str, Any]:
    return _event("customer_registered", **payload)


def _vehicle_event(**payload: Any) -> dict[str, Any]:
    return _event("vehicle_registered", **payload)


def test_the_archive_follows_reception(care: Care, rpc: Any) -> None:
    care.deliver(_customer_event(), {"nameko.user_id": "sa.wang.pd"})
    care.deliver(_vehicle_event())

    entry = rpc(AGENT)["customer-care"].get_customer("cus-6f1c2a")
    assert entry == {
        "customer_id": "cus-6f1c2a",
        "site_id": SITE,
        "name": "王建国",
        "phones": ["13800138000"],
        "customer_class": "member",
        "agent_id": None,  # no care agent known for the site yet
        "registered_by": "sa.wang.pd",
        "recorded_for": "sa.wang.pd",  # the caller's identity came with the event
        "registered_at": "2026-11-23T02:15:00+00:00",
        "vehicles": [
            {
                "vehicle_id": "veh-91ab33",
                "vin": "LSVAU218XN2183294",
                "plate": "沪A·12345",
                "brand": "Volkswagen",
                "model": "Lavida",
                "sale_date": "2022-05-18",
                "mileage": 8150,
                "recommendations": [],
            }
        ],
        "visits": [],
        "contacts": [],
        "open_reminders": [],
    }

    # A second vehicle, and a redelivered event that must not be handled twice.
    care.deliver(_vehicle_event(vehicle_id="veh-2", vin="LSVAL6188KA218734", sale_date=None))
    care.deliver(example("vehicle_registered"))
    vehicles = rpc(AGENT)["customer-care"].get_customer("cus-6f1c2a")["vehicles"]
    assert [(v["vehicle_id"], v["sale_date"]) for v in vehicles] == [
        ("veh-2", None),
        ("veh-91ab33", "2022-05-18"),
    ]
    assert care.count(inbox) == 3
    assert care.count(ArchiveVehicle.__table__) == 2


def test_a_vehicle_arriving_before_its_customer_is_kept(care: Care, rpc: Any) -> None:
    care.deliver(_vehicle_event())
    assert care.count(ArchiveVehicle.__table__, ArchiveVehicle.customer_id == "cus-6f1c2a") == 1
    with pytest.raises(NotFound):
        rpc(AGENT)["customer-care"].get_customer("cus-6f1c2a")

    care.deliver(_customer_event())
    entry = rpc(AGENT)["customer-care"].get_customer("cus-6f1c2a")
    assert entry["recorded_for"] is None  # published without a caller
    assert [v["vehicle_id"] for v in entry["vehicles"]] == ["veh-91ab33"]


def test_archive_tenancy(care: Care, rpc: Any) -> None:
    care.deliver(_customer_event())
    care.deliver(_vehicle_event())

    with pytest.raises(NotFound) as caught:
        rpc(OTHER_SITE)["customer-care"].get_customer("cus-6f1c2a")
    assert caught.value.code == "CUSTOMER_NOT_FOUND"
    with pytest.raises(NotFound):
        rpc(OTHER_GROUP)["customer-care"].get_customer("cus-6f1c2a")
    with pytest.raises(NotFound):
        rpc(AGENT)["customer-care"].get_customer("cus-unknown")
    with pytest.raises(Unauthorized):
        rpc()["customer-care"].get_customer("cus-6f1c2a")

    entry = rpc(HQ)["customer-care"].get_customer("cus-6f1c2a")
    assert entry["site_id"] == SITE
    assert len(entry["vehicles"]) == 1


@pytest.mark.parametrize(
    ("body", "queue"),
    [
        (_customer_event(customer_class="vip"), "customer_registered"),
        (_vehicle_event(vin="SHORT"), "vehicle_registered"),
        (_event("vehicle_delivered", delivered_at="yesterday"), "vehicle_delivered"),
    ],
    ids=["bad-customer-class", "short-vin", "delivery-without-a-time"],
)
def test_a_payload_that_breaks_the_contract_is_dead_lettered(
    care: Care, rpc: Any, body: dict[str, Any], queue: str
) -> None:
    [sub] = [s for s in SUBSCRIPTIONS if s.event_type == queue]
    care.publish(body)
    _wait_for(lambda: _queue_depth(care.amqp_uri, sub.queue_name + ".dlq") == 1, timeout=30)
    assert _queue_depth(care.amqp_uri, sub.queue_name) == 0, "nothing may loop in the main queue"

    with Connection(care.amqp_uri) as conn:
        dead = conn.default_channel.basic_get(sub.queue_name + ".dlq", no_ack=True)
    assert json.loads(dead.body) == body
    assert dead.headers.get("x-death"), "dead-lettered by the broker"
    assert care.count(ArchiveCustomer.__table__) == 0
    assert care.count(ArchiveVehicle.__table__) == 0
    assert care.count(Followup.__table__) == 0
    assert care.count(outbox) == 0, "no follow-up announced for a refused delivery"
    assert care.count(inbox) == 0, "a failed handling must not mark the event as seen"


def test_subscriptions() -> None:
    """What customer care listens to; each is a quorum queue declared at start-up."""
    assert sorted((s.source, s.event_type) for s in SUBSCRIPTIONS) == [
        ("claims", "recall_announced"),
        ("parts", "special_order_arrived"),
        ("reception", "additional_work_declined"),
        ("reception", "customer_registered"),
        ("reception", "order_settled"),
        ("reception", "vehicle_delivered"),
        ("reception", "vehicle_registered"),
    ]


def test_health(care: Care, rpc: Any) -> None:
    health = rpc()["customer-care"].health()
    assert health["service"] == "customer-care"
    assert health["status"] == "up"
    assert health["database"] == {"ok": True, "dialect": "postgresql"}
    assert health["outbox_pending"] == 0
