"""Exchanges, queues and the event-handler entrypoint.

Every subscription is a quorum queue with a delivery limit and a dead-letter
exchange: a handler that keeps failing has its message requeued (the broker
counts deliveries) and, past the limit, routed to that queue's own
`<queue>.dlq` — never looping forever, never dropped.  Queues are declared at
start-up (`declare_topology`, run by `aftersales migrate` and by every
service's start), so events published before a consumer first runs are kept.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import eventlet
from kombu import Connection, Exchange, Queue
from nameko.events import EventHandler
from nameko.messaging import Consumer

from .config import DELIVERY_LIMIT

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "aftersales.dead-letter"
OEM_EXCHANGE = "aftersales.oem"


def event_exchange(source_service: str) -> Exchange:
    """The topic exchange a service publishes its events to (nameko's naming)."""
    return Exchange(f"{source_service}.events", type="topic", durable=True)


def dead_letter_exchange() -> Exchange:
    return Exchange(DEAD_LETTER_EXCHANGE, type="direct", durable=True)


def queue_name(consumer_service: str, source_service: str, event_type: str) -> str:
    return f"evt-{source_service}-{event_type}--{consumer_service}"


def quorum_arguments(dead_letter_routing_key: str | None) -> dict[str, Any]:
    args: dict[str, Any] = {"x-queue-type": "quorum", "x-delivery-limit": DELIVERY_LIMIT}
    if dead_letter_routing_key:
        args["x-dead-letter-exchange"] = DEAD_LETTER_EXCHANGE
        args["x-dead-letter-routing-key"] = dead_letter_routing_key
    return args


def oem_exchange() -> Exchange:
    """Where dealer and OEM systems talk.

    Dealer to OEM: `to-oem.<oem_id>.<type>`; OEM to dealer: `to-dealer.<group_id>.<type>`.
    """
    return Exchange(OEM_EXCHANGE, type="topic", durable=True)


def to_oem_routing_key(oem_id: str, message_type: str) -> str:
    return f"to-oem.{oem_id}.{message_type}"


def to_dealer_routing_key(group_id: str, message_type: str) -> str:
    return f"to-dealer.{group_id}.{message_type}"


@dataclass(frozen=True)
class Subscription:
    """A consumer service listening to one message type of one source.

    The source is a dealer service (its `<source>.events` exchange, routing key =
    event type) or `oem` (the OEM exchange, any group's `to-dealer.*.<type>`).
    """

    consumer: str
    source: str
    event_type: str

    @property
    def queue_name(self) -> str:
        return queue_name(self.consumer, self.source, self.event_type)

    @property
    def exchange(self) -> Exchange:
        return oem_exchange() if self.source == "oem" else event_exchange(self.source)

    @property
    def routing_key(self) -> str:
        if self.source == "oem":
            return to_dealer_routing_key("*", self.event_type)
        return self.event_type

    def queue(self) -> Queue:
        return Queue(
            self.queue_name,
            exchange=self.exchange,
            routing_key=self.routing_key,
            durable=True,
            queue_arguments=quorum_arguments(self.queue_name),
        )

    def dead_letter_queue(self) -> Queue:
        return Queue(
            self.queue_name + ".dlq",
            exchange=dead_letter_exchange(),
            routing_key=self.queue_name,
            durable=True,
            queue_arguments=quorum_arguments(None),
        )


def declare_topology(amqp_uri: str, subscriptions: Iterable[Subscription]) -> list[str]:
    """Declare exchanges, queues, bindings and dead-letter queues; idempotent."""
    declared = []
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        dead_letter_exchange()(channel).declare()
        oem_exchange()(channel).declare()
        for sub in subscriptions:
            sub.exchange(channel).declare()
            for queue in (sub.dead_letter_queue(), sub.queue()):
                queue(channel).declare()
                declared.append(queue.name)
    return declared


def subscriptions_of(service_cls: type) -> list[Subscription]:
    """The subscriptions a nameko service class declares with `@on_event`."""
    found = []
    for name in dir(service_cls):
        for entrypoint in getattr(getattr(service_cls, name, None), "nameko_entrypoints", ()):
            if isinstance(entrypoint, QuorumEventHandler):
                found.append(
                    Subscription(service_cls.name, entrypoint.source_service, entrypoint.event_type)
                )
    return found


def requeue_delay(delivery_count: int, base: float = 0.2) -> float:
    """A short, growing pause before a failed message goes back, so a passing
    fault (a database restart) has time to clear before the limit is reached."""
    return min(5.0, base * (2**delivery_count))


class QuorumEventHandler(EventHandler):
    """nameko's EventHandler on a quorum queue that requeues on error.

    nameko acks and drops a message whose handler raised; here it is
    requeued so that the broker's delivery limit sends a poison message to the
    dead-letter queue.
    """

    def __init__(self, source_service: str, event_type: str, **kwargs: Any) -> None:
        kwargs["requeue_on_error"] = True
        super().__init__(source_service, event_type, **kwargs)

    def setup(self) -> None:
        sub = Subscription(self.container.service_name, self.source_service, self.event_type)
        self.queue = sub.queue()
        # Declare the dead-letter side too, before consuming, so nothing can miss it.
        declare_topology(self.container.config["AMQP_URI"], [sub])
        Consumer.setup(self)

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None):
        if exc_info is not None:
            count = int((message.headers or {}).get("x-delivery-count") or 0)
            base = float(self.container.config.get("REQUEUE_BASE_DELAY", 0.2))
            eventlet.sleep(requeue_delay(count, base))
        return super().handle_message_processed(message, result, exc_info)
