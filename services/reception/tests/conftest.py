"""Reception on the real broker and PostgreSQL, with stand-ins for the services it asks.

The workshop (`capacity`) and parts (`quote`) are small nameko services here that keep
to the agreed RPC signatures; a test sets what they answer (or makes them slow).
Reception asks no one for its sites: the reference data lists them.  Events from the
workshop, parts and claims are published raw on their exchanges, as those services'
outboxes would.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import eventlet
import pytest
from kombu import Connection, Producer
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import Engine, create_engine, func, select

from aftersales_cli.seed_data import GROUP_ID, PUDONG, demo_group
from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope
from aftersales_core.errors import ValidationFailed
from aftersales_core.identifiers import make_vin
from aftersales_core.messaging import event_exchange
from aftersales_core.tables import outbox
from aftersales_core.tenancy import Tenant
from aftersales_reception.service import ReceptionService

OTHER_GROUP = "grp-other"
_SERIALS = itertools.count(500_001)


class FakeWorkshop:
    """The workshop's agreed `capacity(site_id, day)`; hours per (site, day) or 48.0."""

    name = "workshop"
    hours: ClassVar[dict[tuple[str, str], str]] = {}
    delay: ClassVar[float] = 0.0
    calls: ClassVar[list[tuple[str, str]]] = []

    @rpc
    def capacity(self, site_id: str, day: str) -> dict[str, Any]:
        FakeWorkshop.calls.append((site_id, day))
        if FakeWorkshop.delay:
            eventlet.sleep(FakeWorkshop.delay)
        return {
            "site_id": site_id,
            "date": day,
            "available_hours": FakeWorkshop.hours.get((site_id, day), "48.0"),
            "booked_hours": "0.0",
        }


class FakeParts:
    """The parts service's agreed `quote(site_id, part_numbers)` from the demo catalog;
    like the real one it refuses a quote naming an unknown part, saying which."""

    name = "parts"
    callers: ClassVar[list[dict[str, Any]]] = []

    @rpc(expected_exceptions=ValidationFailed)
    def quote(self, site_id: str, part_numbers: list[str]) -> list[dict[str, Any]]:
        FakeParts.callers.append({"site_id": site_id, "part_numbers": list(part_numbers)})
        group = demo_group()
        known = {part["part_number"] for part in group["parts"]}
        unknown = [n for n in part_numbers if n not in known]
        if unknown:  # as the parts service answers
            raise ValidationFailed(
                "unknown part number: " + ", ".join(unknown),
                "UNKNOWN_PART",
                {"part_numbers": [f"unknown part number {n}" for n in unknown]},
            )
        stock = {
            row["part_number"]: row["quantity"]
            for row in group["stock"]
            if row["site_id"] == site_id
        }
        return [
            {
                "part_number": part["part_number"],
                "name": part["name"],
                "unit": part["unit"],
                "price": part["price"],
                "available": str(stock.get(part["part_number"], 0)),
            }
            for part in group["parts"]
            if part["part_number"] in part_numbers
        ]


def reference_data(*, customers: int = 3) -> dict[str, Any]:
    """The demo group's sites, catalog and rates, and a few Pudong customers."""
    group = demo_group()
    return {
        "group_id": GROUP_ID,
        "sites": group["sites"],
        "labor_operations": group["labor_operations"],
        "labor_rates": group["labor_rates"],
        "customers": [c for c in group["customers"] if c["site_id"] == PUDONG][:customers],
    }


@dataclass
class Reception:
    """Reception running with its stand-ins; helpers to drive and inspect it."""

    engine: Engine
    container: Any
    amqp_uri: str
    make_rpc: Any
    workshop: type[FakeWorkshop] = FakeWorkshop
    parts: type[FakeParts] = FakeParts

    def as_(self, tenant: Tenant) -> Any:
        return self.make_rpc(tenant).reception

    @contextlib.contextmanager
    def own_proxy(self, tenant: Tenant) -> Iterator[Any]:
        """A proxy of its own, for one greenthread of a concurrency test."""
        from nameko.standalone.rpc import ClusterRpcProxy

        config = {"AMQP_URI": self.amqp_uri, "serializer": "json"}
        with ClusterRpcProxy(config, context_data=tenant.to_context(), timeout=30) as proxy:
            yield proxy.reception

    def publish(
        self,
        source: str,
        event_type: str,
        payload: dict[str, Any],
        *,
        handler: str,
        site_id: str | None = PUDONG,
        group_id: str = GROUP_ID,
        occurred_at: str | None = None,
        event_id: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Envelope:
        """Publish an event as its producer's relay would, and wait until it is handled."""
        kwargs: dict[str, Any] = {}
        if occurred_at:
            kwargs["occurred_at"] = occurred_at
        if event_id:
            kwargs["event_id"] = event_id
        envelope = Envelope(
            event_type, group_id, site_id, payload, payload.get("order_id"), **kwargs
        )
        with entrypoint_waiter(self.container, handler, timeout=15):
            with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
                Producer(conn.channel()).publish(
                    envelope.to_dict(),
                    exchange=event_exchange(source),
                    routing_key=event_type,
                    serializer="json",
                    headers=headers or {},
                    delivery_mode=2,
                )
        return envelope

    def events(self, event_type: str) -> list[Envelope]:
        """Events reception recorded in its outbox, each checked against its contract."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(outbox.c.body).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
            ).all()
        found = []
        for (body,) in rows:
            envelope = Envelope.from_dict(json.loads(body))
            validate_payload(event_type, envelope.payload)
            found.append(envelope)
        return found

    def new_vehicle(self, model: str = "朗逸", mileage: int = 62350) -> dict[str, Any]:
        """A customer of Pudong with one car of their own, for one test."""
        serial = next(_SERIALS)
        customer = self.as_(Tenant.system(GROUP_ID, PUDONG)).register_customer(
            {
                "site_id": PUDONG,
                "name": f"测试客户{serial}",
                "phones": [f"139{serial:08d}"],
                "customer_class": "member",
                "vehicles": [
                    {
                        "vin": make_vin(f"LSVAL618KA{serial:06d}"),
                        "plate": f"沪A·{serial % 100000:05d}",
                        "brand": "上汽大众",
                        "model": model,
                        "mileage": mileage,
                    }
                ],
            }
        )
        return customer["vehicles"][0]

    def count(self, table: Any) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture(scope="module")
def reception(amqp_uri: str, make_database: Any) -> Iterator[Reception]:
    """Reception on a fresh database with the demo reference data loaded, and its stand-ins;
    one per test module (starting and stopping nameko runners is the slow part), so each
    test works on vehicles of its own (`Reception.new_vehicle`)."""
    from nameko.runners import ServiceRunner
    from nameko.standalone.rpc import ClusterRpcProxy

    from aftersales_cli.processes import PROCESSES
    from aftersales_core.config import nameko_config
    from aftersales_core.messaging import declare_topology, subscriptions_of
    from aftersales_core.migrate import upgrade

    url = make_database("reception")
    upgrade(PROCESSES["reception"].migrations_dir(), url)
    runners = []
    for cls in (ReceptionService, FakeWorkshop, FakeParts):
        config = nameko_config(cls.name)
        config.update(
            {
                "AMQP_URI": amqp_uri,
                "DATABASE_URL": url,
                "DOWNSTREAM_RPC_TIMEOUT": 1.0,
                "REQUEUE_BASE_DELAY": 0.01,
            }
        )
        declare_topology(amqp_uri, subscriptions_of(cls))
        runner = ServiceRunner(config)
        runner.add_service(cls)
        runner.start()
        runners.append(runner)
    proxies: dict[Tenant | None, Any] = {}

    def make_rpc(tenant: Tenant | None) -> Any:
        if tenant not in proxies:
            context = tenant.to_context() if tenant is not None else {}
            proxies[tenant] = ClusterRpcProxy(
                {"AMQP_URI": amqp_uri, "serializer": "json"}, context_data=context, timeout=15
            ).start()
        return proxies[tenant]

    engine = create_engine(url)
    system = Reception(engine, runners[0].service_map["reception"], amqp_uri, make_rpc)
    system.as_(Tenant.system(GROUP_ID)).import_reference_data(copy.deepcopy(reference_data()))
    try:
        yield system
    finally:
        for proxy in proxies.values():
            with contextlib.suppress(Exception):
                proxy.stop()

        def stop(runner: Any) -> None:
            with contextlib.suppress(Exception):
                runner.stop()

        list(eventlet.GreenPool().imap(stop, runners))  # each takes a second or two
        engine.dispose()


@pytest.fixture(autouse=True)
def fresh_stand_ins() -> None:
    FakeWorkshop.hours = {}
    FakeWorkshop.delay = 0.0
    FakeWorkshop.calls = []
    FakeParts.callers = []
