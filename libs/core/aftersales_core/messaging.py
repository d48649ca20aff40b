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
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue
from nameko.events import EventHandler
from nameko.messaging import Consumer, QueueConsumer

from .config import DELIVERY_LIMIT
from .errors import AppError

log = logging.getLogger(__name__)

DEAD_LETTER_EXCHANGE = "aftersales.dead-letter"
DLQ_SUFFIX = ".dlq"
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


def oem_inbox(oem_id: str) -> Queue:
    """An OEM's durable queue for everything addressed to it, declared by the dealer
    before it sends that OEM anything: what is sent before the OEM first connects
    waits there. No delivery limit: nothing is dropped on the dealer's side."""
    return Queue(
        f"to-oem.{oem_id}",
        exchange=oem_exchange(),
        routing_key=f"to-oem.{oem_id}.#",
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def oem_of(routing_key: str) -> str | None:
    """The OEM a dealer-to-OEM routing key addresses (`to-oem.<oem_id>.<type>`)."""
    parts = routing_key.split(".")
    return parts[1] if len(parts) >= 3 and parts[0] == "to-oem" else None


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
        """Keeps what it holds until an operator replays or purges it: no delivery
        limit, so looking at a message (a get that requeues) never loses it."""
        return Queue(
            self.queue_name + DLQ_SUFFIX,
            exchange=dead_letter_exchange(),
            routing_key=self.queue_name,
            durable=True,
            queue_arguments={"x-queue-type": "quorum"},
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
                try:
                    queue(channel).declare()
                except PreconditionFailed:
                    # declared earlier with other arguments (a dead-letter queue of an
                    # older release): it still works; keep it and go on
                    log.warning("%s exists with other arguments; kept as it is", queue.name)
                    channel = conn.channel()
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


class DeadLetteringQueueConsumer(QueueConsumer):
    """nameko's consumer, but a body that cannot be decoded is dead-lettered, not
    acknowledged and lost (kombu's default)."""

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        log.error("dead-lettering an undecodable message from %s: %s",
                  message.delivery_info.get("routing_key"), exc)  # fmt: skip
        dead_letter(message)


def dead_letter(message: Any) -> None:
    """Reject without requeue: the queue's dead-letter exchange takes it to `.dlq`."""
    if message.channel.connection:
        try:
            message.reject(requeue=False)
        except ConnectionError:  # the broker took the message back already
            pass


def permanent(exc: BaseException | None) -> bool:
    """A refusal (a 4xx: a payload that breaks its contract, a rule that says no) will
    fail the same way every time: dead-letter it at once instead of retrying it."""
    return isinstance(exc, AppError) and exc.status < 500


class QuorumEventHandler(EventHandler):
    """nameko's EventHandler on a quorum queue that requeues on error.

    nameko acks and drops a message whose handler raised; here a passing fault is
    requeued (the broker's delivery limit sends a message that keeps failing to the
    dead-letter queue) and a permanent one is dead-lettered at once.
    """

    queue_consumer = DeadLetteringQueueConsumer()

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
        if exc_info is not None and permanent(exc_info[1]):
            log.error(
                "dead-lettering %s: %s", message.delivery_info.get("routing_key"), exc_info[1]
            )
            dead_letter(message)
            return None
        if exc_info is not None:
            count = int((message.headers or {}).get("x-delivery-count") or 0)
            base = float(self.container.config.get("REQUEUE_BASE_DELAY", 0.2))
            eventlet.sleep(requeue_delay(count, base))
        return super().handle_message_processed(message, result, exc_info)
