"""Outbox, inbox, dead-lettering and context data, on real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from kombu import Connection, Producer
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, func, insert, select

from aftersales_core.envelope import Envelope
from aftersales_core.errors import Conflict, ValidationFailed
from aftersales_core.messaging import (
    Subscription,
    event_exchange,
    oem_exchange,
    oem_inbox,
    to_dealer_routing_key,
)
from aftersales_core.outbox import OutboxRelay, record
from aftersales_core.service import ServiceBase, command, on_event, on_oem_message
from aftersales_core.tables import PLUMBING_METADATA, inbox, outbox
from aftersales_core.tenancy import Tenant

TEST_TABLES = MetaData()
things = Table(
    "things", TEST_TABLES, Column("id", Integer, primary_key=True), Column("value", String(50))
)
seen = Table(
    "seen",
    TEST_TABLES,
    Column("event_id", String(36), primary_key=True),
    Column("value", String(50)),
    Column("user_id", String(50)),
)

TENANT = Tenant("sa.test", "grp-test", ("site-a",), ("service_advisor",))


class ProducerService(ServiceBase):
    name = "test-producer"

    @command
    def make(self, value: str, fail: bool = False) -> str:
        self.db.session.execute(insert(things).values(value=value))
        self.db.publish("thing_made", {"value": value}, group_id="grp-test", site_id="site-a")
        if fail:
            raise Conflict("refused after the event was recorded", "TEST_REFUSED")
        return value

    @command
    def ask_oem(self, question: str) -> str:
        envelope = self.db.send_to_oem(
            "question",
            {"text": question},
            oem_id="oem-test",
            group_id="grp-test",
            site_id="site-a",
            correlation_id="q-1",
        )
        return envelope.event_id


class ConsumerService(ServiceBase):
    name = "test-consumer"

    @on_oem_message("answer")
    def on_answer(self, message: Envelope) -> None:
        self.db.session.execute(
            insert(seen).values(
                event_id=message.event_id, value=message.payload["text"], user_id=message.group_id
            )
        )

    @on_event("test-producer", "thing_made")
    def on_thing_made(self, event: Envelope) -> None:
        if event.payload["value"] == "poison":
            raise RuntimeError("this handler can never handle poison")
        if event.payload["value"] == "refused":
            raise ValidationFailed("thing_made breaks its contract", "CONTRACT")
        self.db.session.execute(
            insert(seen).values(
                event_id=event.event_id, value=event.payload["value"], user_id=self.caller.user_id
            )
        )


def _database(make_database: Any) -> Any:
    url = make_database("plumbing")
    engine = create_engine(url)
    PLUMBING_METADATA.create_all(engine)
    TEST_TABLES.create_all(engine)
    return url, engine


def _count(engine: Any, table: Table, *where: Any) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def _wait_for(predicate: Any, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def system(make_database: Any, run_services: Any) -> Any:
    producer_url, producer_db = _database(make_database)
    consumer_url, consumer_db = _database(make_database)
    runners = run_services(
        {ProducerService: producer_url, ConsumerService: consumer_url}, REQUEUE_BASE_DELAY=0.01
    )
    consumer_container = runners[1].service_map["test-consumer"]
    return producer_url, producer_db, consumer_db, consumer_container


def test_outbox_commit_or_nothing_and_context_reaches_the_handler(system: Any, rpc: Any) -> None:
    _, producer_db, consumer_db, consumer = system
    proxy = rpc(TENANT)
    with pytest.raises(Conflict):
        proxy["test-producer"].make("refused", fail=True)
    assert _count(producer_db, things) == 0
    assert _count(producer_db, outbox) == 0, "a rolled-back change left an event behind"

    with entrypoint_waiter(consumer, "on_thing_made", timeout=20):
        assert proxy["test-producer"].make("kept") == "kept"
    assert _count(producer_db, things) == 1
    _wait_for(lambda: _count(producer_db, outbox, outbox.c.sent_at.is_not(None)) == 1)
    with consumer_db.connect() as conn:
        rows = conn.execute(select(seen.c.value, seen.c.user_id)).all()
    # The caller's identity travelled gateway-style: RPC context -> outbox headers -> handler.
    assert rows == [("kept", "sa.test")]


def test_relay_crash_between_publish_and_mark_delivers_once(system: Any, amqp_uri: str) -> None:
    producer_url, producer_db, consumer_db, consumer = system
    envelope = Envelope("thing_made", "grp-test", "site-a", {"value": "crash"})
    with producer_db.begin() as conn:
        record(conn, "test-producer", envelope, {"nameko.user_id": "sa.test"})
    relay = OutboxRelay(create_engine(producer_url), amqp_uri)

    def crash(_row: dict[str, Any]) -> None:
        raise SystemExit("relay died after the broker confirmed, before marking the row")

    relay.after_publish = crash
    with entrypoint_waiter(consumer, "on_thing_made", timeout=20):
        with pytest.raises(SystemExit):
            relay.relay_once()
    assert _count(producer_db, outbox, outbox.c.sent_at.is_(None)) == 1, "the row must stay unsent"

    relay.after_publish = None
    with entrypoint_waiter(consumer, "on_thing_made", timeout=20):
        assert relay.relay_all() == 1  # published again: at-least-once
    relay.close()
    assert _count(producer_db, outbox, outbox.c.sent_at.is_(None)) == 0
    assert _count(consumer_db, seen) == 1, "the duplicate was absorbed by the inbox"
    assert _count(consumer_db, inbox, inbox.c.event_id == envelope.event_id) == 1


def _publish_raw(amqp_uri: str, body: dict[str, Any]) -> None:
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.channel()).publish(
            body,
            exchange=event_exchange("test-producer"),
            routing_key=body["type"],
            serializer="json",
            delivery_mode=2,
        )


def test_inbox_drops_a_duplicate(system: Any, amqp_uri: str) -> None:
    _, _, consumer_db, consumer = system
    body = Envelope("thing_made", "grp-test", "site-a", {"value": "twice"}).to_dict()
    for _ in range(2):
        with entrypoint_waiter(consumer, "on_thing_made", timeout=20):
            _publish_raw(amqp_uri, body)
    assert _count(consumer_db, seen) == 1
    assert _count(consumer_db, inbox) == 1


def _queue_depth(amqp_uri: str, name: str) -> int:
    with Connection(amqp_uri) as conn:
        return conn.default_channel.queue_declare(name, passive=True).message_count


def _exists(amqp_uri: str, name: str) -> bool:
    with Connection(amqp_uri) as conn:
        try:
            conn.channel().queue_declare(name, passive=True)
        except Exception:  # noqa: BLE001 - NOT_FOUND closes the channel
            return False
    return True


def test_poison_event_ends_in_the_dead_letter_queue(system: Any, amqp_uri: str) -> None:
    _, _, consumer_db, _ = system
    sub = Subscription("test-consumer", "test-producer", "thing_made")
    poison = Envelope("thing_made", "grp-test", "site-a", {"value": "poison"}).to_dict()
    malformed = {"type": "thing_made", "payload": "not an envelope"}
    _publish_raw(amqp_uri, poison)
    _publish_raw(amqp_uri, malformed)
    _wait_for(lambda: _queue_depth(amqp_uri, sub.queue_name + ".dlq") == 2, timeout=30)
    assert _queue_depth(amqp_uri, sub.queue_name) == 0, "nothing may loop in the main queue"
    with Connection(amqp_uri) as conn:
        channel = conn.default_channel
        dead = [channel.basic_get(sub.queue_name + ".dlq", no_ack=True) for _ in range(2)]
    bodies = [json.loads(m.body) for m in dead]
    assert poison in bodies and malformed in bodies
    assert all(m.headers.get("x-death") for m in dead), "dead-lettered by the broker, with reason"
    assert _count(consumer_db, seen) == 0


def test_relay_backs_off_while_the_broker_is_unreachable(system: Any, amqp_uri: str) -> None:
    producer_url, producer_db, consumer_db, consumer = system
    envelope = Envelope("thing_made", "grp-test", "site-a", {"value": "late"})
    with producer_db.begin() as conn:
        record(conn, "test-producer", envelope, {})
    dead_broker = OutboxRelay(create_engine(producer_url), "amqp://guest:guest@127.0.0.1:1/")
    assert dead_broker.relay_once() == 0
    with producer_db.connect() as conn:
        row = conn.execute(select(outbox)).mappings().one()
    assert row["attempts"] == 1 and row["sent_at"] is None and row["last_error"]
    assert dead_broker.relay_once() == 0, "not retried before its backoff has passed"

    with producer_db.begin() as conn:  # time passes
        conn.execute(outbox.update().values(next_attempt_at=row["created_at"]))
    relay = OutboxRelay(create_engine(producer_url), amqp_uri)
    with entrypoint_waiter(consumer, "on_thing_made", timeout=20):
        assert relay.relay_all() == 1
    relay.close()
    assert _count(consumer_db, seen) == 1


def test_messages_to_and_from_an_oem(system: Any, rpc: Any, amqp_uri: str) -> None:
    _, _, consumer_db, consumer = system
    # The OEM is not connected yet: nothing of its is declared. The dealer's relay
    # declares the OEM's inbox before the first message, so the message waits there.
    message_id = rpc(TENANT)["test-producer"].ask_oem("保修期内吗?")
    inbox = oem_inbox("oem-test").name
    _wait_for(lambda: _queue_depth(amqp_uri, inbox) == 1 if _exists(amqp_uri, inbox) else False)
    with Connection(amqp_uri) as conn:  # the OEM connects now, and finds it
        received = oem_inbox("oem-test")(conn.channel()).get(no_ack=True)
    assert received is not None, "the OEM got nothing"
    assert not any(k.startswith("nameko.") for k in (received.headers or {})), (
        "our staff's ids and roles stay with us"
    )
    question = json.loads(received.body)
    assert question["event_id"] == message_id and question["payload"] == {"text": "保修期内吗?"}

    answer = Envelope("answer", "grp-test", "site-a", {"text": "是"}, correlation_id="q-1")
    for _ in range(2):  # the OEM may send twice: the inbox keeps one
        with entrypoint_waiter(consumer, "on_answer", timeout=20):
            with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
                Producer(conn.channel()).publish(
                    answer.to_dict(),
                    exchange=oem_exchange(),
                    routing_key=to_dealer_routing_key("grp-test", "answer"),
                    serializer="json",
                    delivery_mode=2,
                )
    with consumer_db.connect() as conn:
        assert conn.execute(select(seen.c.value, seen.c.user_id)).all() == [("是", "grp-test")]


def test_refusals_and_undecodable_bodies_are_dead_lettered_at_once_and_kept(
    system: Any, amqp_uri: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A permanent error is not retried and an undecodable body is not dropped; the
    dead-letter queue keeps both however often it is looked at, and `aftersales dlq`
    lists, shows, replays and purges them."""
    from click.testing import CliRunner
    from kombu import Producer, Queue

    from aftersales_cli.main import cli
    from aftersales_core import deadletters

    _, _, consumer_db, _ = system
    sub = Subscription("test-consumer", "test-producer", "thing_made")
    dlq = sub.queue_name + ".dlq"
    refused = Envelope("thing_made", "grp-test", "site-a", {"value": "refused"}).to_dict()
    _publish_raw(amqp_uri, refused)
    with Connection(amqp_uri) as conn:
        Producer(conn.channel()).publish(
            b"{not json", exchange="test-producer.events", routing_key="thing_made",
            content_type="application/json", content_encoding="utf-8",
        )  # fmt: skip
    _wait_for(lambda: _queue_depth(amqp_uri, dlq) == 2, timeout=30)
    for _ in range(7):  # more looks than any delivery limit
        letters = deadletters.show(amqp_uri, dlq)
    assert len(letters) == 2 and _queue_depth(amqp_uri, dlq) == 2
    assert {letter.reason for letter in letters} == {"rejected"}, "at once, not after retries"
    assert all(letter.count == 1 for letter in letters)
    assert refused in [letter.body for letter in letters]
    assert "{not json" in [letter.body for letter in letters]

    monkeypatch.setenv("AMQP_URI", amqp_uri)
    monkeypatch.setattr("aftersales_cli.main.all_subscriptions", lambda: [sub])
    runner = CliRunner()
    listed = runner.invoke(cli, ["dlq", "list"])
    assert listed.exit_code == 0 and f"2  {dlq}" in listed.output
    shown = runner.invoke(cli, ["dlq", "show", dlq])
    assert shown.exit_code == 0 and "rejected" in shown.output

    # an operator drops the undecodable one by hand and replays the other
    with Connection(amqp_uri) as conn:  # take the undecodable letter away by hand
        source = Queue(dlq, channel=conn.channel(), no_declare=True)
        kept = []
        while (message := source.get(no_ack=False)) is not None:
            if message.body in (b"{not json", "{not json"):
                message.ack()
            else:
                kept.append(message)
        for message in kept:
            message.requeue()
    # replayed to where it came from: the handler still refuses it, so it is back
    replayed = runner.invoke(cli, ["dlq", "replay", dlq])
    assert replayed.exit_code == 0 and "replayed 1 message(s)" in replayed.output
    _wait_for(lambda: _queue_depth(amqp_uri, dlq) == 1, timeout=30)
    purged = runner.invoke(cli, ["dlq", "purge", dlq, "--yes"])
    assert purged.exit_code == 0 and "purged 1 message(s)" in purged.output
    assert _queue_depth(amqp_uri, dlq) == 0
    assert runner.invoke(cli, ["dlq", "list"]).output.strip() == "no dead letters"
    assert _count(consumer_db, seen) == 0
