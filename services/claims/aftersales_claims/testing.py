"""Test support for claims: speak for reception and for an OEM on the broker, and
listen to what claims publishes.  Used by claims' own tests and the end-to-end ones."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kombu import Connection, Producer, Queue

from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope
from aftersales_core.messaging import event_exchange, oem_exchange, to_dealer_routing_key


def publish(amqp_uri: str, exchange: Any, routing_key: str, envelope: Envelope) -> None:
    """Publish one envelope with publisher confirms, as a relay would."""
    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.channel()).publish(
            envelope.to_dict(),
            exchange=exchange,
            routing_key=routing_key,
            serializer="json",
            delivery_mode=2,
            declare=[exchange],
        )


def reception_event(
    amqp_uri: str, event_type: str, payload: dict[str, Any], group_id: str, site_id: str | None
) -> Envelope:
    """A reception event, checked against its contract first."""
    validate_payload(event_type, payload)
    envelope = Envelope(
        event_type, group_id, site_id, payload, correlation_id=payload.get("order_id")
    )
    publish(amqp_uri, event_exchange("reception"), event_type, envelope)
    return envelope


def oem_message(
    amqp_uri: str, message_type: str, payload: dict[str, Any], group_id: str, site_id: str | None
) -> Envelope:
    """A message from an OEM to a dealer group, checked against its contract first."""
    validate_payload(message_type, payload)
    envelope = Envelope(message_type, group_id, site_id, payload)
    publish(amqp_uri, oem_exchange(), to_dealer_routing_key(group_id, message_type), envelope)
    return envelope


class Listener:
    """A queue bound to an exchange: collects the envelopes that arrive on it."""

    def __init__(self, conn: Connection, queue: Queue) -> None:
        self.conn = conn
        self.queue = queue(conn.channel())
        self.queue.declare()
        self.received: list[dict[str, Any]] = []

    def drain(self) -> list[dict[str, Any]]:
        while (message := self.queue.get(no_ack=True)) is not None:
            self.received.append(json.loads(message.body))
        return self.received

    def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for body in self.drain():
                if predicate(body):
                    self.received.remove(body)
                    return body
            time.sleep(0.05)
        raise AssertionError(f"no matching message within {timeout} s: {self.received[-5:]}")

    def of_type(self, message_type: str, timeout: float = 20, **payload: Any) -> dict[str, Any]:
        return self.wait_for(
            lambda b: (
                b["type"] == message_type
                and all(b["payload"].get(k) == v for k, v in payload.items())
            ),
            timeout,
        )


@contextmanager
def listening(amqp_uri: str, exchange: Any, routing_key: str, name: str) -> Iterator[Listener]:
    """Listen on `exchange` for `routing_key` (a topic pattern) while the block runs."""
    with Connection(amqp_uri) as conn:
        queue = Queue(name, exchange, routing_key=routing_key, auto_delete=False, durable=False)
        listener = Listener(conn, queue)
        try:
            yield listener
        finally:
            listener.queue.delete()
