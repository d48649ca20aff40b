"""Customer care on the real broker and PostgreSQL: every RPC, event handler and the sweep.

One service runs for the whole module (starting one per test is the slow part);
each test works on a site of its own, so tests do not see each other's records.
The sweep timer runs every 0.2 s here, as it would every minute in production.
"""

from __future__ import annotations

import itertools
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from kombu import Connection, Exchange, Producer, Queue
from nameko.containers import ServiceContainer
from nameko.runners import ServiceRunner
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import Engine, create_engine, func, select

from aftersales_cli.processes import PROCESSES
from aftersales_contracts import example, validate_payload
from aftersales_core.config import nameko_config
from aftersales_core.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Unauthorized,
    ValidationFailed,
)
from aftersales_core.etag import IF_MATCH, etag_of
from aftersales_core.identifiers import make_vin
from aftersales_core.messaging import declare_topology, event_exchange, subscriptions_of
from aftersales_core.migrate import upgrade
from aftersales_core.tenancy import Tenant
from aftersales_customer_care.domain import is_call_time
from aftersales_customer_care.models import ComplaintEscalation, Followup, Reminder
from aftersales_customer_care.service import CustomerCareService

GROUP = "grp-huadong"
CST = timezone(timedelta(hours=8))
SUBSCRIPTIONS = subscriptions_of(CustomerCareService)
HQ = Tenant("hq.chen", GROUP, (), ("hq_manager",))
OEM = Tenant("oem.saicvw", GROUP, ("site-pudong",), ("oem",), oem_id="oem-saic-vw")
SYSTEM = Tenant.system(GROUP)
_serials = itertools.count(700_001)


def now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------- the running service


@dataclass
class Care:
    container: ServiceContainer
    engine: Engine
    amqp_uri: str
    out_queue: str
    seen: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, body: dict[str, Any], source: str = "reception") -> None:
        with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
            Producer(conn.channel()).publish(
                body,
                exchange=event_exchange(source),
                routing_key=body["type"],
                serializer="json",
                delivery_mode=2,
            )

    def deliver(self, body: dict[str, Any], source: str = "reception") -> None:
        """Publish one event and wait until its handler has run (and committed)."""

        def is_this_event(worker_ctx: Any, _result: Any, _exc_info: Any) -> bool:
            return worker_ctx.args[0].get("event_id") == body["event_id"]

        with entrypoint_waiter(
            self.container, f"on_{body['type']}", timeout=20, callback=is_this_event
        ) as result:
            self.publish(body, source)
        result.get()

    def published(
        self, event_type: str, timeout: float = 15, **payload: Any
    ) -> list[dict[str, Any]]:
        """Events customer-care put on the bus whose payload has these values."""

        def matching() -> list[dict[str, Any]]:
            return [
                e
                for e in self.seen
                if e["type"] == event_type
                and all(e["payload"].get(k) == v for k, v in payload.items())
            ]

        deadline = time.monotonic() + timeout
        with Connection(self.amqp_uri) as conn:
            channel = conn.channel()
            while True:
                message = channel.basic_get(self.out_queue, no_ack=True)
                while message is not None:
                    self.seen.append(json.loads(message.body))
                    message = channel.basic_get(self.out_queue, no_ack=True)
                found = matching()
                if found or time.monotonic() > deadline:
                    return found
                time.sleep(0.05)

    def one(self, event_type: str, **payload: Any) -> dict[str, Any]:
        found = self.published(event_type, **payload)
        assert len(found) == 1, f"{event_type} {payload}: {len(found)} events"
        body = found[0]
        validate_payload(event_type, body["payload"])  # what we publish keeps the contract
        return body

    def count(self, model: Any, *where: Any) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture(scope="module")
def care(amqp_uri: str, make_database: Any) -> Iterator[Care]:
    url = make_database("customer-care")
    upgrade(PROCESSES["customer-care"].migrations_dir(), url)
    declare_topology(amqp_uri, SUBSCRIPTIONS)
    out_queue = f"test-customer-care-out-{uuid.uuid4().hex[:8]}"
    with Connection(amqp_uri) as conn:
        channel = conn.channel()
        for sub in SUBSCRIPTIONS:
            channel.queue_purge(sub.queue_name)
        Queue(
            out_queue,
            exchange=Exchange("customer-care.events", type="topic", durable=True),
            routing_key="#",
            auto_delete=False,
            durable=False,
        )(channel).declare()
    config = nameko_config("customer-care")
    config.update(
        {
            "AMQP_URI": amqp_uri,
            "DATABASE_URL": url,
            "REQUEUE_BASE_DELAY": 0.01,
            "CUSTOMER_CARE_SWEEP_SECONDS": 0.2,
        }
    )
    runner = ServiceRunner(config)
    runner.add_service(CustomerCareService)
    runner.start()
    engine = create_engine(url)
    yield Care(runner.service_map["customer-care"], engine, amqp_uri, out_queue)
    runner.stop()
    engine.dispose()
    with Connection(amqp_uri) as conn:
        conn.channel().queue_delete(out_queue)


@pytest.fixture
def site() -> str:
    """A site of this test's own."""
    return f"site-t{uuid.uuid4().hex[:8]}"


def agent(site_id: str, user: str = "cca.song") -> Tenant:
    return Tenant(f"{user}.{site_id}", GROUP, (site_id,), ("customer_care_agent",))


def manager(site_id: str) -> Tenant:
    return Tenant(f"ccm.{site_id}", GROUP, (site_id,), ("customer_care_manager",))


def advisor(site_id: str) -> Tenant:
    return Tenant(f"sa.{site_id}", GROUP, (site_id,), ("service_advisor",))


# ---------------------------------------------------------------- events as reception sends them


def event(event_type: str, site_id: str | None, at: datetime | None = None, **payload: Any):
    body = example(event_type)
    body["event_id"] = str(uuid.uuid4())
    body["group_id"] = GROUP
    body["site_id"] = site_id
    body["occurred_at"] = (at or now()).isoformat()
    body["payload"].update(payload)
    return body


@dataclass
class Car:
    customer_id: str
    vehicle_id: str
    vin: str


def register(
    care: Care,
    site_id: str,
    customer_class: str = "member",
    *,
    at: datetime | None = None,
    sale_date: str | None = "2024-01-10",
    mileage: int = 9000,
    name: str = "张伟",
) -> Car:
    n = next(_serials)
    car = Car(f"cus-{n}", f"veh-{n}", make_vin(f"LSVAL618RA{n:06d}"))
    care.deliver(
        event(
            "customer_registered",
            site_id,
            at,
            customer_id=car.customer_id,
            name=name,
            phones=["13916208745"],
            customer_class=customer_class,
        )
    )
    care.deliver(
        event(
            "vehicle_registered",
            site_id,
            at,
            vehicle_id=car.vehicle_id,
            customer_id=car.customer_id,
            vin=car.vin,
            sale_date=sale_date,
            mileage=mileage,
        )
    )
    return car


def deliver_car(
    care: Care,
    site_id: str,
    car: Car,
    *,
    delivered_at: datetime | None = None,
    mileage: int = 9500,
    **extra: Any,
) -> str:
    order_id = f"ro-{uuid.uuid4().hex[:12]}"
    delivered_at = delivered_at or now() - timedelta(hours=1)
    care.deliver(
        event(
            "vehicle_delivered",
            site_id,
            delivered_at,
            order_id=order_id,
            order_number=f"T-{order_id[-6:]}",
            customer_id=car.customer_id,
            vehicle_id=car.vehicle_id,
            vin=car.vin,
            mileage=mileage,
            delivered_at=delivered_at.isoformat(),
            **extra,
        )
    )
    return order_id


def followup_of(rpc: Any, tenant: Tenant, order_id: str) -> dict[str, Any]:
    found = rpc(tenant)["customer-care"].list_followups({"order_id": order_id})["items"]
    assert len(found) == 1 and found[0]["order_id"] == order_id
    return rpc(tenant)["customer-care"].get_followup(found[0]["followup_id"])


def wait_for(predicate: Callable[[], Any], timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.1)


def import_agents(rpc: Any, site_id: str, *users: str) -> dict[str, int]:
    return rpc(SYSTEM)["customer-care"].import_reference_data(
        {
            "group_id": GROUP,
            "agents": [
                {
                    "user_id": f"{u}.{site_id}",
                    "name": u,
                    "site_ids": [site_id],
                    "roles": ["customer_care_agent"],
                    "group_id": GROUP,  # a directory entry as it is: extra keys are ignored
                }
                for u in users
            ],
        }
    )


# ---------------------------------------------------------------- reference data and agents


def test_agents_are_imported_and_customers_balanced(care: Care, rpc: Any, site: str) -> None:
    early = register(care, site, "regular")  # before any agent is known: unassigned
    assert rpc(HQ)["customer-care"].get_customer(early.customer_id)["agent_id"] is None

    counts = import_agents(rpc, site, "cca.a", "cca.b")
    assert counts == {"agents": 2, "site_policies": 0, "assigned": 1}
    assert import_agents(rpc, site, "cca.a", "cca.b") == {
        "agents": 0,
        "site_policies": 0,
        "assigned": 0,
    }
    # a: 1 (the early one), b: 0 -> b, then a tie (1-1) -> a, then b
    cars = [register(care, site) for _ in range(3)]
    agents = [rpc(HQ)["customer-care"].get_customer(c.customer_id)["agent_id"] for c in cars]
    assert agents == [f"cca.b.{site}", f"cca.a.{site}", f"cca.b.{site}"]
    mine = rpc(HQ)["customer-care"].list_customers({"site_id": site, "agent_id": f"cca.b.{site}"})[
        "items"
    ]
    assert sorted(c["customer_id"] for c in mine) == sorted(
        [cars[0].customer_id, cars[2].customer_id]
    )
    assert len(rpc(agent(site))["customer-care"].list_customers()["items"]) == 4
    assert (
        rpc(agent(site))["customer-care"].list_customers({"customer_class": "regular"})["items"][0][
            "customer_id"
        ]
        == early.customer_id
    )
    with pytest.raises(ValidationFailed) as caught:
        rpc(agent(site))["customer-care"].list_customers({"colour": "red"})["items"]
    assert "colour" in caught.value.fields
    with pytest.raises(Forbidden):
        rpc(agent(site))["customer-care"].list_customers({"site_id": "site-elsewhere"})["items"]


def test_import_is_for_the_system_or_headquarters(care: Care, rpc: Any, site: str) -> None:
    data = {"group_id": GROUP, "agents": []}
    with pytest.raises(Forbidden) as caught:
        rpc(manager(site))["customer-care"].import_reference_data(data)
    assert caught.value.code == "ROLE_FORBIDDEN"
    with pytest.raises(Forbidden) as caught:
        rpc(SYSTEM)["customer-care"].import_reference_data({"group_id": "grp-other"})
    assert caught.value.code == "GROUP_FORBIDDEN"
    with pytest.raises(ValidationFailed) as bad:
        rpc(SYSTEM)["customer-care"].import_reference_data(
            {"group_id": GROUP, "site_policies": [{"site_id": site, "max_attempts": 0}]}
        )
    assert "site_policies" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        rpc(SYSTEM)["customer-care"].import_reference_data({"group_id": GROUP, "staff": []})
    assert "staff" in bad.value.fields
    with pytest.raises(Unauthorized):
        rpc()["customer-care"].import_reference_data(data)


# ---------------------------------------------------------------- the site's policy


def test_site_policy(care: Care, rpc: Any, site: str) -> None:
    policy = rpc(agent(site))["customer-care"].get_site_policy(site)
    assert policy["settings"]["rest_windows"] == [{"start": "12:00", "end": "14:00"}]
    assert policy["updated_by"] is None

    changed = rpc(manager(site))["customer-care"].set_site_policy(
        site, {"rest_weekdays": [5, 6], "max_attempts": 4}
    )
    assert changed["settings"]["rest_weekdays"] == [5, 6]
    assert changed["settings"]["max_attempts"] == 4
    assert changed["settings"]["call_hours"] == {"start": "09:00", "end": "20:00"}  # kept
    assert changed["updated_by"] == f"ccm.{site}"

    with pytest.raises(Forbidden):
        rpc(agent(site))["customer-care"].set_site_policy(site, {"max_attempts": 5})
    with pytest.raises(Forbidden):
        rpc(manager("site-elsewhere"))["customer-care"].set_site_policy(site, {})
    with pytest.raises(ValidationFailed) as caught:
        rpc(manager(site))["customer-care"].set_site_policy(
            site, {"rest_windows": [{"start": "14:00", "end": "12:00"}]}
        )
    assert caught.value.code == "INVALID_POLICY"
    assert "rest_windows" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        rpc(manager(site))["customer-care"].set_site_policy(site, {"call_hours": "all day"})
    assert "call_hours" in caught.value.fields
    with pytest.raises(Forbidden):
        rpc(agent("site-elsewhere"))["customer-care"].get_site_policy(site)
    with pytest.raises(NotFound):
        rpc(OEM)["customer-care"].get_site_policy(site)
    # unchanged by the refused attempts
    assert rpc(HQ)["customer-care"].get_site_policy(site)["settings"]["max_attempts"] == 4


# ---------------------------------------------------------------- delivered -> follow-up due


def test_delivered_car_gets_a_follow_up_due_within_72_hours(
    care: Care, rpc: Any, site: str
) -> None:
    import_agents(rpc, site, "cca.song")
    car = register(care, site, "member")
    delivered_at = now() - timedelta(hours=1)
    order_id = deliver_car(
        care,
        site,
        car,
        delivered_at=delivered_at,
        next_service_date=None,
        next_service_mileage=15000,
    )

    due = care.one("followup_due", order_id=order_id)
    payload = due["payload"]
    assert due["site_id"] == site and due["correlation_id"] == order_id
    assert payload["customer_class"] == "member" and payload["mandatory"] is True
    assert payload["agent_id"] == f"cca.song.{site}"
    due_at = datetime.fromisoformat(payload["due_at"])
    deadline = datetime.fromisoformat(payload["deadline"])
    assert deadline == delivered_at + timedelta(hours=72)
    assert delivered_at < due_at < deadline
    assert is_call_time(due_at, rpc_policy(rpc, site))

    followup = followup_of(rpc, agent(site), order_id)
    assert followup["followup_id"] == payload["followup_id"]
    assert followup["status"] == "open" and followup["attempts"] == 0
    assert followup["next_attempt_at"] == payload["due_at"]
    assert followup["customer_name"] == "张伟" and followup["phones"] == ["13916208745"]
    assert followup["overdue"] is False and followup["within_72h"] is None

    # The same delivery again (a re-sent fact with a new event id): nothing new.
    care.deliver(
        event(
            "vehicle_delivered",
            site,
            delivered_at,
            order_id=order_id,
            customer_id=car.customer_id,
            vehicle_id=car.vehicle_id,
            vin=car.vin,
            delivered_at=delivered_at.isoformat(),
        )
    )
    assert care.count(Followup, Followup.order_id == order_id) == 1
    assert len(care.published("followup_due", timeout=0.5, order_id=order_id)) == 1

    # The delivery also scheduled the next service, by mileage: sold 2024-01-10 at 0 km,
    # 9 500 km today, so 15 000 km is reached at the car's average daily distance.
    [reminder] = rpc(agent(site))["customer-care"].list_reminders({"kind": "service_due"})["items"]
    assert reminder["vehicle_id"] == car.vehicle_id
    assert reminder["details"]["basis"] == "mileage"
    today = delivered_at.astimezone(CST).date()
    per_day = Decimal(9500) / (today - date(2024, 1, 10)).days
    assert Decimal(reminder["details"]["average_daily_km"]) == round(per_day, 1)
    assert date.fromisoformat(reminder["details"]["service_due_on"]) > today
    assert reminder["agent_id"] == f"cca.song.{site}"

    customer = rpc(agent(site))["customer-care"].get_customer(car.customer_id)
    assert [v["order_id"] for v in customer["visits"]] == [order_id]
    assert customer["vehicles"][0]["mileage"] == 9500
    assert [r["reminder_id"] for r in customer["open_reminders"]] == [reminder["reminder_id"]]


def rpc_policy(rpc: Any, site_id: str) -> Any:
    from aftersales_customer_care.domain import CarePolicy

    return CarePolicy.from_settings(rpc(HQ)["customer-care"].get_site_policy(site_id)["settings"])


def test_an_unknown_customer_is_followed_up_as_a_member(care: Care, rpc: Any, site: str) -> None:
    n = next(_serials)
    stranger = Car(f"cus-x{n}", f"veh-x{n}", make_vin(f"LSVAL618RA{n:06d}"))
    order_id = deliver_car(care, site, stranger)
    payload = care.one("followup_due", order_id=order_id)["payload"]
    assert (payload["customer_class"], payload["mandatory"], payload["agent_id"]) == (
        None,
        True,
        None,
    )
    # A regular customer is followed up too, just not counted as a member.
    regular = register(care, site, "regular")
    order_id = deliver_car(care, site, regular)
    assert care.one("followup_due", order_id=order_id)["payload"]["mandatory"] is False


def test_a_second_delivery_supersedes_the_service_reminder(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    deliver_car(care, site, car, next_service_date="2027-06-01", next_service_mileage=None)
    deliver_car(care, site, car, next_service_date="2027-09-01", next_service_mileage=None)
    open_ = rpc(agent(site))["customer-care"].list_reminders({"kind": "service_due"})["items"]
    assert [r["details"]["next_service_date"] for r in open_] == ["2027-09-01"]
    assert [r["remind_on"] for r in open_] == ["2027-08-25"]  # 7 days ahead
    cancelled = rpc(agent(site))["customer-care"].list_reminders(
        {"kind": "service_due", "status": "cancelled"}
    )["items"]
    assert [r["outcome"] for r in cancelled] == ["superseded"]


# ---------------------------------------------------------------- attempts


def test_not_reached_three_times_is_unreachable(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    order_id = deliver_car(care, site, car)
    followup_id = followup_of(rpc, agent(site), order_id)["followup_id"]
    cc = rpc(agent(site))["customer-care"]

    first = cc.record_followup_attempt(followup_id, {"outcome": "not_reached"})
    assert (first["status"], first["attempts"]) == ("open", 1)
    assert datetime.fromisoformat(first["next_attempt_at"]) > now() + timedelta(hours=1)
    callback = (now() + timedelta(hours=5)).replace(microsecond=0)
    second = cc.record_followup_attempt(
        followup_id,
        {"outcome": "not_reached", "comment": "客户在开会", "callback_at": callback.isoformat()},
    )
    assert datetime.fromisoformat(second["next_attempt_at"]) == callback
    assert care.published("followup_done", timeout=0.3, order_id=order_id) == []

    third = cc.record_followup_attempt(followup_id, {"outcome": "not_reached"})
    assert (third["status"], third["attempts"], third["next_attempt_at"]) == (
        "unreachable",
        3,
        None,
    )
    assert [a["outcome"] for a in third["attempt_log"]] == ["not_reached"] * 3
    assert third["attempt_log"][1]["comment"] == "客户在开会"
    done = care.one("followup_done", order_id=order_id)["payload"]
    assert (done["outcome"], done["satisfaction"], done["within_72h"]) == (
        "unreachable",
        None,
        False,
    )
    with pytest.raises(Conflict) as caught:
        cc.record_followup_attempt(followup_id, {"outcome": "not_reached"})
    assert caught.value.code == "ILLEGAL_TRANSITION"
    history = rpc(agent(site))["customer-care"].get_customer(car.customer_id)["contacts"]
    assert [c["outcome"] for c in history] == ["not_reached"] * 3


def test_attempt_validation_and_tenancy(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    order_id = deliver_car(care, site, car)
    followup_id = followup_of(rpc, agent(site), order_id)["followup_id"]
    cc = rpc(agent(site))["customer-care"]
    bad = [
        ({"outcome": "reached"}, "satisfaction"),
        ({"outcome": "reached", "satisfaction": "unsatisfied"}, "comment"),
        ({"outcome": "not_reached", "satisfaction": "satisfied"}, "satisfaction"),
        ({"outcome": "reached", "satisfaction": "satisfied", "scores": {"advisor": 11}}, "scores"),
        ({"outcome": "reached", "satisfaction": "satisfied", "mood": "good"}, "mood"),
        ({"outcome": "voicemail"}, "outcome"),
        ({"outcome": "not_reached", "callback_at": "2020-01-01T00:00:00+00:00"}, "callback_at"),
    ]
    for body, field_ in bad:
        with pytest.raises(ValidationFailed) as caught:
            cc.record_followup_attempt(followup_id, body)
        assert field_ in caught.value.fields, body
    with pytest.raises(Forbidden):
        rpc(advisor(site))["customer-care"].record_followup_attempt(
            followup_id, {"outcome": "not_reached"}
        )
    with pytest.raises(NotFound):
        rpc(agent("site-elsewhere"))["customer-care"].record_followup_attempt(
            followup_id, {"outcome": "not_reached"}
        )
    with pytest.raises(NotFound):
        rpc(agent("site-elsewhere"))["customer-care"].get_followup(followup_id)
    with pytest.raises(NotFound):
        rpc(OEM)["customer-care"].get_followup(followup_id)
    with pytest.raises(Forbidden):
        rpc(OEM)["customer-care"].list_followups()["items"]
    # Nothing was recorded by the refused calls.
    assert cc.get_followup(followup_id)["attempts"] == 0


def test_a_satisfied_customer_with_a_survey(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    order_id = deliver_car(care, site, car)
    followup_id = followup_of(rpc, agent(site), order_id)["followup_id"]
    scores = {"advisor": 9, "repair_quality": 8, "timing": 7, "facility": 10, "pickup": 9}
    result = rpc(agent(site))["customer-care"].record_followup_attempt(
        followup_id,
        {
            "outcome": "reached",
            "satisfaction": "satisfied",
            "scores": scores,
            "would_recommend": 9,
            "comment": "服务很好",
        },
    )
    assert (result["status"], result["within_72h"], result["complaint_id"]) == ("done", True, None)
    assert result["survey_index"] == "86.0"  # (9 + 8 + 7 + 10 + 9) / 5 x 10
    done = care.one("followup_done", order_id=order_id)["payload"]
    assert (done["outcome"], done["satisfaction"], done["survey_index"]) == (
        "reached",
        "satisfied",
        "86.0",
    )
    assert done["within_72h"] is True and done["done_by"] == f"cca.song.{site}"
    done_list = rpc(agent(site))["customer-care"].list_followups({"status": "done"})["items"]
    assert [f["followup_id"] for f in done_list] == [followup_id]


# ---------------------------------------------------------------- unsatisfied -> complaint


def test_unsatisfied_follow_up_opens_a_complaint(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site, name="王建国")
    first_order = deliver_car(care, site, car)
    followup_id = followup_of(rpc, agent(site), first_order)["followup_id"]
    result = rpc(agent(site))["customer-care"].record_followup_attempt(
        followup_id,
        {
            "outcome": "reached",
            "satisfaction": "unsatisfied",
            "comment": "刹车还是有异响",
            "scores": {"repair_quality": 3},
            "would_recommend": 2,
        },
    )
    complaint_id = result["complaint_id"]
    assert complaint_id

    raised = care.one("complaint_raised", complaint_id=complaint_id)
    assert raised["payload"]["source"] == "followup"
    assert raised["payload"]["channel"] == "followup"
    assert raised["payload"]["followup_id"] == followup_id
    assert raised["payload"]["order_id"] == first_order
    assert raised["payload"]["description"] == "刹车还是有异响"
    assert raised["payload"]["at_risk"] is False
    done = care.one("followup_done", order_id=first_order)["payload"]
    assert done["complaint_id"] == complaint_id and done["satisfaction"] == "unsatisfied"

    complaint = rpc(agent(site))["customer-care"].get_complaint(complaint_id)
    assert complaint["status"] == "registered"
    assert complaint["customer_name"] == "王建国"
    assert complaint["phone"] == "13916208745"
    assert [h["action"] for h in complaint["history"]] == ["register"]

    # Unhappy again after the next visit: the open complaint is escalated, not duplicated.
    second_order = deliver_car(care, site, car)
    second = followup_of(rpc, agent(site), second_order)["followup_id"]
    again = rpc(agent(site))["customer-care"].record_followup_attempt(
        second, {"outcome": "reached", "satisfaction": "unsatisfied", "comment": "仍未解决"}
    )
    assert again["complaint_id"] == complaint_id
    escalated = care.one("complaint_escalated", complaint_id=complaint_id)["payload"]
    assert (escalated["reason"], escalated["level"], escalated["escalated_to"]) == (
        "followup_unsatisfied",
        1,
        "customer_care_manager",
    )
    assert len(care.published("complaint_raised", timeout=0.3, customer_id=car.customer_id)) == 1


def test_a_customer_at_risk_escalates_at_once(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    order_id = deliver_car(care, site, car)
    followup_id = followup_of(rpc, agent(site), order_id)["followup_id"]
    result = rpc(agent(site))["customer-care"].record_followup_attempt(
        followup_id,
        {
            "outcome": "reached",
            "satisfaction": "neutral",
            "at_risk": True,
            "comment": "客户表示要打400投诉",
        },
    )
    complaint_id = result["complaint_id"]
    assert care.one("complaint_raised", complaint_id=complaint_id)["payload"]["at_risk"] is True
    escalated = care.one("complaint_escalated", complaint_id=complaint_id)["payload"]
    assert (escalated["reason"], escalated["level"]) == ("at_risk", 1)
    complaint = rpc(manager(site))["customer-care"].get_complaint(complaint_id)
    assert complaint["at_risk"] is True and complaint["escalation_level"] == 1
    assert [e["reason"] for e in complaint["escalations"]] == ["at_risk"]
    assert [h["action"] for h in complaint["history"]] == ["register", "escalate"]


# ---------------------------------------------------------------- complaints by RPC


def test_register_a_complaint(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site, name="李娜")
    complaint = rpc(advisor(site))["customer-care"].register_complaint(
        {
            "site_id": site,
            "customer_id": car.customer_id,
            "vehicle_id": car.vehicle_id,
            "channel": "walk_in",
            "description": "等待时间过长",
            "category": "waiting_time",
        }
    )
    assert complaint["customer_name"] == "李娜"
    assert complaint["source"] == "staff" and complaint["registered_by"] == f"sa.{site}"
    assert complaint["department"] == "workshop"  # waiting time: the workshop investigates
    received = datetime.fromisoformat(complaint["received_at"])
    assert datetime.fromisoformat(complaint["acknowledge_by"]) == received + timedelta(hours=24)
    assert datetime.fromisoformat(complaint["resolve_by"]) == received + timedelta(days=7)
    raised = care.one("complaint_raised", complaint_id=complaint["complaint_id"])
    assert raised["payload"]["category"] == "waiting_time"

    # Another service registers one for a walk-in stranger (no archive entry).
    other = rpc(SYSTEM)["customer-care"].register_complaint(
        {
            "site_id": site,
            "customer_name": "刘女士",
            "phone": "13761234567",
            "channel": "phone",
            "description": "订的配件迟迟不到",
        }
    )
    assert other["source"] == "service" and other["customer_id"] is None

    listed = rpc(agent(site))["customer-care"].list_complaints({"open": True})["items"]
    assert {c["complaint_id"] for c in listed} == {
        complaint["complaint_id"],
        other["complaint_id"],
    }
    mine = rpc(agent(site))["customer-care"].list_complaints({"customer_id": car.customer_id})[
        "items"
    ]
    assert [c["complaint_id"] for c in mine] == [complaint["complaint_id"]]


def test_complaint_registration_errors(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    cc = rpc(advisor(site))["customer-care"]
    base = {
        "site_id": site,
        "customer_id": car.customer_id,
        "channel": "phone",
        "description": "态度差",
    }
    bad = [
        ({**base, "description": ""}, "description"),
        ({**base, "channel": "carrier_pigeon"}, "channel"),
        ({**base, "category": "weather"}, "category"),
        ({**base, "received_at": (now() + timedelta(days=1)).isoformat()}, "received_at"),
        ({**base, "received_at": (now() - timedelta(days=200)).isoformat()}, "received_at"),
        ({**base, "received_at": "2026-11-25T10:00:00"}, "received_at"),  # no time zone
        ({**base, "customer_id": None}, "customer_name"),
        ({**base, "customer_id": "cus-nobody"}, "customer_id"),
        ({**base, "phone": "call me"}, "phone"),
        ({k: v for k, v in base.items() if k != "site_id"}, "site_id"),
    ]
    for body, field_ in bad:
        with pytest.raises(ValidationFailed) as caught:
            cc.register_complaint(body)
        assert field_ in caught.value.fields, body
    with pytest.raises(Forbidden):
        cc.register_complaint({**base, "site_id": "site-elsewhere"})
    with pytest.raises(NotFound):  # the customer of a site I cannot see
        rpc(advisor("site-elsewhere"))["customer-care"].register_complaint(
            {**base, "site_id": "site-elsewhere"}
        )
    with pytest.raises(Forbidden):
        rpc(OEM)["customer-care"].register_complaint(base)
    assert rpc(HQ)["customer-care"].list_complaints({"site_id": site})["items"] == []


# ---------------------------------------------------------------- the closed loop


def run_loop(rpc: Any, site: str, complaint_id: str, classification: str) -> dict[str, Any]:
    handler, boss = rpc(agent(site))["customer-care"], rpc(manager(site))["customer-care"]
    handler.complaint_action(
        complaint_id,
        "judge",
        {"valid": True, "note": "已致歉并安排检查", "category": classification},
    )
    handler.complaint_action(
        complaint_id,
        "investigate",
        {"department": "workshop", "responsible_person": "刘强", "findings": "刹车片未涂消音膏"},
    )
    handler.complaint_action(
        complaint_id,
        "propose",
        {
            "solutions": [
                {"description": "免费返修"},
                {"description": "退还工时费", "cost": "216.00"},
            ]
        },
    )
    boss.complaint_action(complaint_id, "approve", {"solution_number": 1, "note": "同意返修"})
    handler.complaint_action(
        complaint_id, "carry_out", {"customer_accepted": True, "accepted_by": "王建国"}
    )
    handler.complaint_action(
        complaint_id, "follow_up", {"customer_satisfied": True, "note": "返修后无异响"}
    )
    return boss.complaint_action(
        complaint_id, "close", {"classification": classification, "summary": "返修解决，客户满意"}
    )


def test_the_closed_loop_with_history(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    complaint = rpc(agent(site))["customer-care"].register_complaint(
        {
            "site_id": site,
            "customer_id": car.customer_id,
            "channel": "phone",
            "description": "刹车异响",
        }
    )
    complaint_id = complaint["complaint_id"]
    handler = rpc(agent(site))["customer-care"]

    with pytest.raises(Conflict) as caught:
        handler.complaint_action(complaint_id, "close", {"classification": "price", "summary": "x"})
    assert caught.value.code == "ILLEGAL_TRANSITION"
    with pytest.raises(ValidationFailed) as bad:
        handler.complaint_action(complaint_id, "judge", {"valid": "maybe", "note": "x"})
    assert "valid" in bad.value.fields
    with pytest.raises(ValidationFailed) as bad:
        handler.complaint_action(complaint_id, "dance", {})
    assert "action" in bad.value.fields
    with pytest.raises(Forbidden):
        rpc(Tenant("tech.x", GROUP, (site,), ("technician",)))["customer-care"].complaint_action(
            complaint_id, "judge", {"valid": True, "note": "x"}
        )
    with pytest.raises(NotFound):
        rpc(agent("site-elsewhere"))["customer-care"].complaint_action(
            complaint_id, "judge", {"valid": True, "note": "x"}
        )
    with pytest.raises(NotFound):
        rpc(OEM)["customer-care"].complaint_action(
            complaint_id, "escalate", {"reason": "manual", "note": "x"}
        )

    # Approval needs a manager.
    handler.complaint_action(complaint_id, "judge", {"valid": True, "note": "受理"})
    handler.complaint_action(
        complaint_id,
        "investigate",
        {"department": "workshop", "responsible_person": "刘强", "findings": "未紧固"},
    )
    for cost in ("-5", "NaN", "12345678.00"):
        with pytest.raises(ValidationFailed) as bad:
            handler.complaint_action(
                complaint_id, "propose", {"solutions": [{"description": "赔偿", "cost": cost}]}
            )
        assert "solutions" in bad.value.fields
    handler.complaint_action(complaint_id, "propose", {"solutions": [{"description": "返修"}]})
    with pytest.raises(Forbidden):
        handler.complaint_action(complaint_id, "approve", {"solution_number": 1})
    # A service advisor may escalate by hand.
    rpc(advisor(site))["customer-care"].complaint_action(
        complaint_id, "escalate", {"reason": "manual", "note": "客户情绪激动"}
    )
    escalated = care.one("complaint_escalated", complaint_id=complaint_id)["payload"]
    assert (escalated["reason"], escalated["escalated_by"]) == ("manual", f"sa.{site}")

    rpc(manager(site))["customer-care"].complaint_action(
        complaint_id, "approve", {"solution_number": 1}
    )
    # The customer refuses the solution: back to investigation, round again.
    refused = handler.complaint_action(
        complaint_id, "carry_out", {"customer_accepted": False, "note": "要求赔偿"}
    )
    assert refused["status"] == "investigated"
    closed = run_loop_from_investigated(rpc, site, complaint_id)
    assert closed["status"] == "closed" and closed["classification"] == "repair_quality"
    assert closed["valid"] is True and closed["closed_by"] == f"ccm.{site}"
    steps = [(h["action"], h["from_status"], h["to_status"], h["by"]) for h in closed["history"]]
    assert steps == [
        ("register", None, "registered", f"cca.song.{site}"),
        ("judge", "registered", "judged", f"cca.song.{site}"),
        ("investigate", "judged", "investigated", f"cca.song.{site}"),
        ("propose", "investigated", "solution_proposed", f"cca.song.{site}"),
        ("escalate", "solution_proposed", "solution_proposed", f"sa.{site}"),
        ("approve", "solution_proposed", "solution_approved", f"ccm.{site}"),
        ("carry_out", "solution_approved", "investigated", f"cca.song.{site}"),
        ("propose", "investigated", "solution_proposed", f"cca.song.{site}"),
        ("approve", "solution_proposed", "solution_approved", f"ccm.{site}"),
        ("carry_out", "solution_approved", "carried_out", f"cca.song.{site}"),
        ("follow_up", "carried_out", "followed_up", f"cca.song.{site}"),
        ("close", "followed_up", "closed", f"ccm.{site}"),
    ]
    assert closed["history"][7]["details"]["solutions"][1]["cost"] == "500.00"
    event_ = care.one("complaint_closed", complaint_id=complaint_id)["payload"]
    assert (event_["classification"], event_["valid"], event_["department"]) == (
        "repair_quality",
        True,
        "workshop",
    )
    assert event_["within_deadline"] is True and event_["escalation_level"] == 1
    with pytest.raises(Conflict):
        handler.complaint_action(complaint_id, "escalate", {"reason": "manual", "note": "x"})


def run_loop_from_investigated(rpc: Any, site: str, complaint_id: str) -> dict[str, Any]:
    handler, boss = rpc(agent(site))["customer-care"], rpc(manager(site))["customer-care"]
    handler.complaint_action(
        complaint_id,
        "propose",
        {"solutions": [{"description": "返修"}, {"description": "赔偿", "cost": "500"}]},
    )
    boss.complaint_action(complaint_id, "approve", {"solution_number": 1})
    handler.complaint_action(
        complaint_id, "carry_out", {"customer_accepted": True, "accepted_by": "张伟"}
    )
    handler.complaint_action(
        complaint_id, "follow_up", {"customer_satisfied": True, "note": "满意"}
    )
    return boss.complaint_action(
        complaint_id, "close", {"classification": "repair_quality", "summary": "返修解决"}
    )


def test_an_invalid_complaint_is_closed_at_judgement(care: Care, rpc: Any, site: str) -> None:
    complaint = rpc(agent(site))["customer-care"].register_complaint(
        {
            "site_id": site,
            "customer_name": "周先生",
            "channel": "phone",
            "description": "保养为什么要换机滤",
        }
    )
    closed = rpc(agent(site))["customer-care"].complaint_action(
        complaint["complaint_id"],
        "judge",
        {"valid": False, "note": "已解释保养规范", "classification": "price"},
    )
    assert (closed["status"], closed["valid"], closed["classification"]) == (
        "closed",
        False,
        "price",
    )
    event_ = care.one("complaint_closed", complaint_id=complaint["complaint_id"])["payload"]
    assert event_["valid"] is False and event_["summary"] == "已解释保养规范"


# ---------------------------------------------------------------- the sweep: deadlines


def test_the_sweep_escalates_missed_deadlines_once(care: Care, rpc: Any, site: str) -> None:
    cc = rpc(agent(site))["customer-care"]
    late = cc.register_complaint(
        {
            "site_id": site,
            "customer_name": "来信客户",
            "channel": "letter",
            "description": "上月来信投诉",
            "received_at": (now() - timedelta(days=2)).isoformat(),
        }
    )
    very_late = cc.register_complaint(
        {
            "site_id": site,
            "customer_name": "老客户",
            "channel": "letter",
            "description": "八天前的来信",
            "received_at": (now() - timedelta(days=8)).isoformat(),
        }
    )
    on_time = cc.register_complaint(
        {"site_id": site, "customer_name": "新客户", "channel": "phone", "description": "今天"}
    )
    assert late["overdue"] == ["acknowledge_overdue"]

    ack = care.one("complaint_escalated", complaint_id=late["complaint_id"])["payload"]
    assert (ack["reason"], ack["level"], ack["escalated_by"]) == (
        "acknowledge_overdue",
        1,
        "system",
    )

    def both() -> list[dict[str, Any]] | None:
        found = care.published(
            "complaint_escalated", timeout=0, complaint_id=very_late["complaint_id"]
        )
        return found if len(found) == 2 else None

    reasons = sorted(e["payload"]["reason"] for e in wait_for(both))
    assert reasons == ["acknowledge_overdue", "resolution_overdue"]

    time.sleep(1.0)  # five more sweeps: nothing is escalated twice
    assert (
        len(care.published("complaint_escalated", timeout=0, complaint_id=late["complaint_id"]))
        == 1
    )
    assert (
        care.count(ComplaintEscalation, ComplaintEscalation.complaint_id == late["complaint_id"])
        == 1
    )
    assert (
        care.published("complaint_escalated", timeout=0, complaint_id=on_time["complaint_id"]) == []
    )
    assert rpc(SYSTEM)["customer-care"].run_sweep()["complaints_escalated"] == 0
    # Acknowledged late: the acknowledgement deadline no longer matters, the resolution one does.
    judged = cc.complaint_action(late["complaint_id"], "judge", {"valid": True, "note": "补登记"})
    assert judged["overdue"] == [] and judged["escalation_level"] == 1
    with pytest.raises(Forbidden):
        cc.run_sweep()


def test_the_sweep_flags_overdue_follow_ups(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    order_id = deliver_car(care, site, car, delivered_at=now() - timedelta(hours=80))
    followup_id = followup_of(rpc, agent(site), order_id)["followup_id"]
    assert wait_for(
        lambda: care.count(
            Followup, Followup.followup_id == followup_id, Followup.overdue_at.isnot(None)
        )
    )
    overdue = rpc(agent(site))["customer-care"].list_followups({"overdue": True})["items"]
    assert [f["followup_id"] for f in overdue] == [followup_id]
    assert overdue[0]["overdue"] is True
    assert rpc(agent(site))["customer-care"].list_followups({"overdue": False})["items"] == []
    # Still callable, just no longer on time.
    done = rpc(agent(site))["customer-care"].record_followup_attempt(
        followup_id, {"outcome": "reached", "satisfaction": "satisfied"}
    )
    assert (done["status"], done["within_72h"]) == ("done", False)


# ---------------------------------------------------------------- reminders


def test_declined_work_is_offered_again(care: Care, rpc: Any, site: str) -> None:
    car = register(care, site)
    declined_at = now()
    body = event(
        "additional_work_declined",
        site,
        declined_at,
        vehicle_id=car.vehicle_id,
        work_id=f"aw-{uuid.uuid4().hex[:6]}",
        description="后雨刮片老化，建议更换",
    )
    care.deliver(body)
    care.deliver(body)  # redelivered: handled once
    [reminder] = rpc(agent(site))["customer-care"].list_reminders({"kind": "recommendation"})[
        "items"
    ]
    assert reminder["customer_id"] == car.customer_id and reminder["contact_name"] == "张伟"
    assert (
        reminder["remind_on"]
        == (declined_at.astimezone(CST).date() + timedelta(days=30)).isoformat()
    )
    assert "后雨刮片老化" in reminder["title"]
    vehicles = rpc(agent(site))["customer-care"].get_customer(car.customer_id)["vehicles"]
    assert [r["description"] for r in vehicles[0]["recommendations"]] == ["后雨刮片老化，建议更换"]
    # The next service reminder mentions it too.
    deliver_car(care, site, car, next_service_date="2027-06-01", next_service_mileage=None)
    [service] = rpc(agent(site))["customer-care"].list_reminders({"kind": "service_due"})["items"]
    assert service["details"]["recommendations"] == ["后雨刮片老化，建议更换"]
    due = rpc(agent(site))["customer-care"].list_reminders(
        {"due_by": declined_at.astimezone(CST).date().isoformat()}
    )["items"]
    assert due == []  # not due yet


def test_special_order_arrival_is_a_call_today(care: Care, rpc: Any, site: str) -> None:
    body = event("special_order_arrived", site, sale_id=f"cs-{uuid.uuid4().hex[:6]}")
    care.deliver(body, source="parts")
    [reminder] = rpc(agent(site))["customer-care"].list_reminders({"kind": "special_order"})[
        "items"
    ]
    assert (reminder["contact_name"], reminder["phone"]) == ("刘女士", "13761234567")
    assert reminder["details"]["part_number"] == "000071122A"
    assert reminder["remind_on"] == now().astimezone(CST).date().isoformat()

    cc = rpc(Tenant(f"sa.{site}", GROUP, (site,), ("service_advisor",)))["customer-care"]
    tried = cc.complete_reminder(reminder["reminder_id"], {"outcome": "not_reached"})
    assert (tried["status"], tried["attempts"]) == ("open", 1)
    done = cc.complete_reminder(
        reminder["reminder_id"], {"outcome": "contacted", "note": "明天来取"}
    )
    assert (done["status"], done["attempts"], done["outcome"]) == ("done", 2, "contacted")
    with pytest.raises(Conflict):
        cc.complete_reminder(reminder["reminder_id"], {"outcome": "contacted"})
    with pytest.raises(ValidationFailed):
        cc.complete_reminder(reminder["reminder_id"], {"outcome": "maybe"})
    with pytest.raises(NotFound):
        rpc(agent("site-elsewhere"))["customer-care"].complete_reminder(
            reminder["reminder_id"], {"outcome": "contacted"}
        )
    with pytest.raises(Forbidden):
        rpc(Tenant("tech.x", GROUP, (site,), ("technician",)))["customer-care"].complete_reminder(
            reminder["reminder_id"], {"outcome": "contacted"}
        )
    assert (
        rpc(agent(site))["customer-care"].list_reminders({"kind": "special_order"})["items"] == []
    )


def test_recall_notices_reach_affected_vehicles(care: Care, rpc: Any, site: str) -> None:
    known = register(care, site)
    other = register(care, site)
    later_vin = make_vin(f"LSVAL618RA{next(_serials):06d}")
    recall_id = f"RC-{uuid.uuid4().hex[:6]}"
    body = event(
        "recall_announced",
        None,
        recall_id=recall_id,
        vins=[known.vin, later_vin, make_vin("LSVAL618RA999999")],
        starts_on=now().astimezone(CST).date().isoformat(),
    )
    body["correlation_id"] = recall_id
    care.deliver(body, source="claims")
    recalls = rpc(agent(site))["customer-care"].list_reminders({"kind": "recall"})["items"]
    assert [r["vehicle_id"] for r in recalls] == [known.vehicle_id]
    assert recalls[0]["details"]["recall_id"] == recall_id
    assert other.vehicle_id not in {r["vehicle_id"] for r in recalls}

    # A recalled car that joins the archive later is notified too.
    n = next(_serials)
    care.deliver(
        event("customer_registered", site, customer_id=f"cus-{n}", customer_class="regular")
    )
    care.deliver(
        event(
            "vehicle_registered", site, vehicle_id=f"veh-{n}", customer_id=f"cus-{n}", vin=later_vin
        )
    )
    recalls = rpc(agent(site))["customer-care"].list_reminders({"kind": "recall"})["items"]
    assert sorted(r["vehicle_id"] for r in recalls) == sorted([known.vehicle_id, f"veh-{n}"])
    care.deliver(body, source="claims")  # the same recall again: no duplicates
    assert care.count(Reminder, Reminder.dedupe_key.like(f"recall:{recall_id}:%")) == 2


# ---------------------------------------------------------------- lost and loyal customers


def test_lost_vehicles_and_their_reasons(care: Care, rpc: Any, site: str) -> None:
    gone = register(care, site, at=now() - timedelta(days=400))
    back = register(care, site, at=now() - timedelta(days=400))
    deliver_car(care, site, back, delivered_at=now() - timedelta(days=30))
    fresh = register(care, site)
    lost = rpc(agent(site))["customer-care"].list_lost_vehicles()["items"]
    assert [v["vehicle_id"] for v in lost] == [gone.vehicle_id]
    assert lost[0]["last_visit_at"] is None and lost[0]["reason"] is None
    assert fresh.vehicle_id not in {v["vehicle_id"] for v in lost}

    recorded = rpc(agent(site))["customer-care"].record_lost_reason(
        gone.vehicle_id, {"reason": "moved_away", "note": "搬去成都"}
    )
    assert recorded["reason"] == "moved_away"
    lost = rpc(HQ)["customer-care"].list_lost_vehicles({"site_id": site})["items"]
    assert (lost[0]["reason"], lost[0]["reason_note"]) == ("moved_away", "搬去成都")
    with pytest.raises(ValidationFailed):
        rpc(agent(site))["customer-care"].record_lost_reason(gone.vehicle_id, {"reason": "aliens"})
    with pytest.raises(NotFound):
        rpc(agent("site-elsewhere"))["customer-care"].record_lost_reason(
            gone.vehicle_id, {"reason": "price"}
        )
    with pytest.raises(Forbidden):
        rpc(advisor(site))["customer-care"].record_lost_reason(gone.vehicle_id, {"reason": "price"})


def test_loyal_customers(care: Care, rpc: Any, site: str) -> None:
    loyal_car = register(care, site)
    once = register(care, site)
    for days in (200, 100, 10):
        deliver_car(care, site, loyal_car, delivered_at=now() - timedelta(days=days))
    deliver_car(care, site, once)
    loyal = rpc(agent(site))["customer-care"].list_loyal_customers()["items"]
    assert [(c["customer_id"], c["visits"]) for c in loyal] == [(loyal_car.customer_id, 3)]
    # A shorter period counts fewer visits.
    since = (now() - timedelta(days=150)).astimezone(CST).date().isoformat()
    assert rpc(agent(site))["customer-care"].list_loyal_customers({"from": since})["items"] == []


# ---------------------------------------------------------------- figures


def test_a_closed_complaint_shows_in_the_figures(care: Care, rpc: Any, site: str) -> None:
    """Deliveries, follow-ups, a complaint closed with a classification, ROs, churn."""
    import_agents(rpc, site, "cca.song")
    c1 = register(care, site, at=now() - timedelta(days=200))
    # Last seen 366 days ago: active when the period starts (yesterday), lost during it.
    register(care, site, at=now() - timedelta(days=366))
    happy = deliver_car(care, site, c1)
    unhappy = deliver_car(care, site, c1)
    for order_id in (happy, unhappy):
        settled = event(
            "order_settled",
            site,
            order_id=order_id,
            customer_id=c1.customer_id,
            vehicle_id=c1.vehicle_id,
            vin=c1.vin,
        )
        care.deliver(settled)
    cc = rpc(agent(site))["customer-care"]
    cc.record_followup_attempt(
        followup_of(rpc, agent(site), happy)["followup_id"],
        {
            "outcome": "reached",
            "satisfaction": "satisfied",
            "scores": dict.fromkeys(
                ["advisor", "repair_quality", "timing", "facility", "pickup"], 9
            ),
            "would_recommend": 10,
        },
    )
    complaint_id = cc.record_followup_attempt(
        followup_of(rpc, agent(site), unhappy)["followup_id"],
        {
            "outcome": "reached",
            "satisfaction": "unsatisfied",
            "comment": "异响未除",
            "scores": {"repair_quality": 3, "timing": 5},
            "would_recommend": 3,
        },
    )["complaint_id"]

    local_today = now().astimezone(CST).date()
    period = {
        "site_id": site,
        "from": (local_today - timedelta(days=1)).isoformat(),
        "to": (local_today + timedelta(days=1)).isoformat(),
    }
    before = rpc(agent(site))["customer-care"].figures(period)
    assert before["sites"][0]["complaints"]["by_category"] == {}
    assert before["sites"][0]["complaints"]["open"] == 1

    run_loop(rpc, site, complaint_id, "repair_quality")
    care.one("complaint_closed", complaint_id=complaint_id)

    figures = rpc(agent(site))["customer-care"].figures(period)
    assert (figures["from"], figures["to"]) == (period["from"], period["to"])
    [mine] = figures["sites"]
    assert mine["site_id"] == site
    assert mine["followups"]["deliveries"] == 2
    assert mine["followups"]["done_within_72h"] == 2
    assert mine["followups"]["done_within_72h_rate"] == "100.0"
    assert mine["followups"]["reach_rate"] == "100.0"
    assert mine["followups"]["satisfaction"] == {"satisfied": 1, "neutral": 0, "unsatisfied": 1}
    # survey indexes 90.0 and (3 + 5) / 2 x 10 = 40.0 -> CSI 65.0
    assert mine["csi"]["csi"] == "65.0"
    assert mine["csi"]["net_promoter_score"] == "0.0"  # one promoter, one detractor
    assert mine["complaints"] == {
        "raised": 1,
        "repair_orders": 2,
        "per_100_repair_orders": "50.00",
        "closed": 1,
        "closed_invalid": 0,
        "by_category": {"repair_quality": 1},
        "escalated": 0,
        "open": 0,
    }
    assert mine["customers"] == {
        "active_at_start": 2,
        "lost": 1,
        "churn_rate": "50.0",
        "loyal": 0,
    }
    assert figures["total"]["complaints"]["by_category"] == {"repair_quality": 1}


def test_figures_per_site_and_for_headquarters(care: Care, rpc: Any) -> None:
    sites = [f"site-t{uuid.uuid4().hex[:8]}" for _ in range(2)]
    for index, site_id in enumerate(sites):
        for _ in range(index + 1):
            deliver_car(care, site_id, register(care, site_id))
    today = now().astimezone(CST).date()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": today.isoformat()}
    hq = rpc(HQ)["customer-care"].figures(period)
    by_site = {s["site_id"]: s for s in hq["sites"]}
    assert {sid: by_site[sid]["followups"]["deliveries"] for sid in sites} == {
        sites[0]: 1,
        sites[1]: 2,
    }
    assert hq["total"]["followups"]["deliveries"] == sum(
        s["followups"]["deliveries"] for s in hq["sites"]
    )
    own = rpc(agent(sites[0]))["customer-care"].figures(period)
    assert [s["site_id"] for s in own["sites"]] == [sites[0]]
    with pytest.raises(Forbidden):
        rpc(agent(sites[0]))["customer-care"].figures({"site_id": sites[1]})
    with pytest.raises(Forbidden):
        rpc(OEM)["customer-care"].figures({})
    with pytest.raises(ValidationFailed) as caught:
        rpc(HQ)["customer-care"].figures({"from": "2026-12-01", "to": "2026-11-01"})
    assert "from" in caught.value.fields
    with pytest.raises(ValidationFailed) as caught:
        rpc(HQ)["customer-care"].figures({"from": "yesterday"})
    assert "from" in caught.value.fields


# ---------------------------------------------------------------- documents and pages


def editing(rpc: Any, tenant: Tenant, if_match: str) -> Any:
    """The service as the gateway calls it for a write sent with `If-Match`."""
    from nameko.standalone.rpc import ClusterRpcProxy

    context = {**tenant.to_context(), IF_MATCH: if_match}
    proxy = ClusterRpcProxy(
        {"AMQP_URI": rpc.amqp_uri, "serializer": "json"}, context_data=context, timeout=15
    )
    rpc.proxies.append(proxy)
    return proxy.start()["customer-care"]


@pytest.fixture
def writer(care: Care) -> Iterator[Any]:
    """Proxies for writes with an `If-Match`, stopped after the test."""

    class Writer:
        amqp_uri = care.amqp_uri
        proxies: list[Any] = []

    yield Writer
    for proxy in Writer.proxies:
        proxy.stop()


def test_a_complaint_step_on_an_old_version_is_refused(
    care: Care, rpc: Any, writer: Any, site: str
) -> None:
    car = register(care, site)
    registered = rpc(advisor(site))["customer-care"].register_complaint(
        {"site_id": site, "customer_id": car.customer_id, "channel": "phone", "description": "x"}
    )
    cid = registered["complaint_id"]
    first = etag_of(rpc(agent(site))["customer-care"].get_complaint(cid))
    assert first == etag_of(registered)  # the register answer is the document
    judged = editing(writer, agent(site), first).judge_complaint(
        cid, {"valid": True, "note": "受理"}
    )
    assert judged["status"] == "judged"
    with pytest.raises(PreconditionFailed) as caught:
        editing(writer, agent(site), first).investigate_complaint(
            cid, {"department": "workshop", "responsible_person": "x", "findings": "y"}
        )
    assert caught.value.code == "PRECONDITION_FAILED"
    with pytest.raises(PreconditionFailed):
        editing(writer, advisor(site), first).escalate_complaint(
            cid, {"reason": "manual", "note": "again"}
        )
    after = rpc(agent(site))["customer-care"].get_complaint(cid)
    assert after == judged and etag_of(after) != first  # nothing changed
    assert [h["action"] for h in after["history"]] == ["register", "judge"]
    investigated = editing(writer, agent(site), f"{etag_of(after)}").investigate_complaint(
        cid, {"department": "workshop", "responsible_person": "x", "findings": "y"}
    )
    assert investigated["status"] == "investigated"
    assert editing(writer, agent(site), "*").propose_solutions(
        cid, {"solutions": [{"description": "返修", "cost": "10.5"}]}
    )["solutions"] == [{"number": 1, "description": "返修", "cost": "10.50"}]


def test_a_policy_change_on_an_old_version_is_refused(
    rpc: Any, writer: Any, care: Care, site: str
) -> None:
    first = etag_of(rpc(manager(site))["customer-care"].get_site_policy(site))
    changed = editing(writer, manager(site), first).set_site_policy(
        site, {"max_attempts": 4, "holidays": ["2027-10-01"]}
    )
    assert changed["settings"]["max_attempts"] == 4
    assert changed["settings"]["holidays"] == ["2027-10-01"]
    with pytest.raises(PreconditionFailed):
        editing(writer, manager(site), first).set_site_policy(site, {"max_attempts": 5})
    assert rpc(HQ)["customer-care"].get_site_policy(site) == changed


def test_lists_are_pages(care: Care, rpc: Any, site: str) -> None:
    cars = [register(care, site) for _ in range(3)]
    cc = rpc(agent(site))["customer-care"]
    first = cc.list_customers({"limit": 2})
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = cc.list_customers({"limit": 2, "cursor": first["next_cursor"]})
    assert second["next_cursor"] is None
    seen = [c["customer_id"] for c in first["items"] + second["items"]]
    assert seen == [c.customer_id for c in cars]  # in registration order, none twice
    assert [c["customer_id"] for c in cc.list_customers({"q": "张"})["items"]] == seen
    assert cc.list_customers({"q": "139162"})["items"][0]["phones"] == ["13916208745"]
    assert cc.list_customers({"q": "nobody"})["items"] == []
    with pytest.raises(ValidationFailed) as caught:
        cc.list_customers({"cursor": "not-a-cursor"})
    assert caught.value.code == "INVALID_CURSOR"
    with pytest.raises(ValidationFailed):
        cc.list_customers({"limit": 201})

    orders = [deliver_car(care, site, car) for car in cars]
    pages, cursor = [], None
    while True:
        got = cc.list_followups({"limit": 1, **({"cursor": cursor} if cursor else {})})
        pages.append(got["items"])
        cursor = got["next_cursor"]
        if cursor is None:
            break
    assert [len(p) for p in pages] == [1, 1, 1]
    listed = [p[0] for p in pages]
    assert sorted(f["order_id"] for f in listed) == sorted(orders)
    assert [f["next_attempt_at"] for f in listed] == sorted(f["next_attempt_at"] for f in listed)
    reminders = cc.list_reminders({"kind": "service_due", "limit": 2})
    assert len(reminders["items"]) == 2 and reminders["next_cursor"]
    rest = cc.list_reminders({"kind": "service_due", "cursor": reminders["next_cursor"]})
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
