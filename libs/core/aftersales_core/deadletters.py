"""The dead-letter queues, for an operator: what is there and why, a look at each
message, a replay to where it came from once the cause is fixed, a purge.

Every subscription's `<queue>.dlq` keeps what it holds (no delivery limit), so looking
— a get that puts the message back — never loses it. `aftersales dlq` drives this.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from kombu import Connection, Producer, Queue

from .messaging import DLQ_SUFFIX, Subscription


@dataclass(frozen=True)
class DeadLetter:
    """One dead-lettered message and its story, from the broker's `x-death`."""

    queue: str
    reason: str
    count: int
    exchange: str
    routing_key: str
    first_death: str
    body: Any

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def depths(amqp_uri: str, subscriptions: Iterable[Subscription]) -> dict[str, int]:
    """Messages waiting in each dead-letter queue (those holding any)."""
    found = {}
    with Connection(amqp_uri, connect_timeout=5) as conn:
        for sub in subscriptions:
            name = sub.queue_name + DLQ_SUFFIX
            channel = conn.channel()
            try:
                count = channel.queue_declare(name, passive=True).message_count
            except Exception:  # noqa: BLE001 - a queue not declared yet holds nothing
                count = 0
            finally:
                channel.close() if channel.is_open else None
            if count:
                found[name] = count
    return found


def _story(queue: str, message: Any) -> DeadLetter:
    deaths = (message.headers or {}).get("x-death") or [{}]
    death = deaths[0]
    keys = death.get("routing-keys") or [""]
    try:
        body: Any = json.loads(message.body)
    except (ValueError, TypeError):
        body = (
            message.body.decode("utf-8", "replace")
            if isinstance(message.body, bytes)
            else message.body
        )
    return DeadLetter(
        queue=queue,
        reason=str(death.get("reason", "?")),
        count=int(death.get("count", 0) or 0),
        exchange=str(death.get("exchange", "")),
        routing_key=str(keys[0]),
        first_death=str(
            (message.headers or {}).get("x-first-death-reason", death.get("reason", ""))
        ),
        body=body,
    )


@contextmanager
def _held(amqp_uri: str, queue: str, limit: int) -> Iterator[tuple[Any, list[Any]]]:
    """Up to `limit` messages taken (unacknowledged) from `queue`; whatever is neither
    acknowledged nor rejected goes back when the channel closes."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        channel = conn.channel()
        source = Queue(queue, channel=channel, no_declare=True)
        taken = []
        for _ in range(limit):
            message = source.get(no_ack=False)
            if message is None:
                break
            taken.append(message)
        try:
            yield conn, taken
        finally:
            for message in taken:
                if not message.acknowledged:
                    message.requeue()
            channel.close()


def show(amqp_uri: str, queue: str, limit: int = 10) -> list[DeadLetter]:
    """A look at up to `limit` messages; all of them stay in the queue."""
    with _held(amqp_uri, queue, limit) as (_, taken):
        return [_story(queue, message) for message in taken]


def replay(amqp_uri: str, queue: str, limit: int = 1000) -> int:
    """Send messages back where they were first published (exchange and routing key
    from `x-death`), with publisher confirms, and only then remove them here."""
    sent = 0
    with (
        _held(amqp_uri, queue, limit) as (_, taken),
        Connection(amqp_uri, transport_options={"confirm_publish": True}) as confirm,
    ):
        producer = Producer(confirm.channel())
        for message in taken:
            story = _story(queue, message)
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            producer.publish(
                message.body,
                exchange=story.exchange,
                routing_key=story.routing_key,
                headers=headers,
                content_type=message.content_type,
                content_encoding=message.content_encoding,
                delivery_mode=2,
            )
            message.ack()
            sent += 1
    return sent


def purge(amqp_uri: str, queue: str) -> int:
    """Drop everything the queue holds; how many messages were dropped."""
    with Connection(amqp_uri, connect_timeout=5) as conn:
        return int(conn.channel().queue_purge(queue) or 0)
