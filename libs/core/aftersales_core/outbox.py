"""Transactional outbox: the event row commits with the state change, a relay publishes it.

`record()` writes the row in the caller's transaction, so a rolled-back change
leaves no event behind.  `OutboxRelay` publishes pending rows with publisher
confirms and marks them sent afterwards; a crash between the two publishes the
row again on the next pass (at-least-once), and consumers' inboxes absorb the
duplicate.  Failed publishes are retried with exponential backoff.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from kombu import Connection, Exchange, Producer
from sqlalchemy import Connection as SAConnection
from sqlalchemy import Engine, func, insert, select, update

from .envelope import Envelope, utcnow
from .messaging import OEM_EXCHANGE, event_exchange, oem_inbox, oem_of
from .tables import outbox

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60.0


def record(
    conn: SAConnection | Any,
    source_service: str,
    envelope: Envelope,
    headers: dict[str, Any],
    *,
    exchange: str | None = None,
    routing_key: str | None = None,
) -> None:
    """Add the message to the outbox inside the caller's open transaction.

    By default an event goes to the service's own exchange under its type; a
    message to an OEM names the OEM exchange and its routing key.
    """
    now = utcnow()
    conn.execute(
        insert(outbox).values(
            event_id=envelope.event_id,
            event_type=envelope.type,
            exchange=exchange or event_exchange(source_service).name,
            routing_key=routing_key or envelope.type,
            body=json.dumps(envelope.to_dict(), ensure_ascii=False),
            headers=json.dumps(headers, ensure_ascii=False),
            created_at=now,
            next_attempt_at=now,
            attempts=0,
        )
    )


def pending_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
        ).scalar_one()


def backoff_seconds(attempts: int) -> float:
    """0.5 s, 1 s, 2 s … capped at a minute."""
    return min(MAX_BACKOFF_SECONDS, 0.5 * (2 ** max(0, attempts - 1)))


class OutboxRelay:
    """Publishes a service's pending outbox rows to its event exchange."""

    def __init__(
        self, engine: Engine, amqp_uri: str, *, batch_size: int = 100, confirm_timeout: float = 10
    ) -> None:
        self.engine = engine
        self.amqp_uri = amqp_uri
        self.batch_size = batch_size
        self.confirm_timeout = confirm_timeout
        self._connection: Connection | None = None
        self._producer: Producer | None = None
        self._declared: set[str] = set()
        # Seam for fault tests: runs after a row is confirmed, before it is marked sent.
        self.after_publish: Callable[[dict[str, Any]], None] | None = None

    def _ensure_producer(self) -> Producer:
        if self._producer is None:
            self._connection = Connection(
                self.amqp_uri, transport_options={"confirm_publish": True}, connect_timeout=5
            )
            self._producer = Producer(self._connection.channel())
        return self._producer

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # noqa: BLE001 - closing a broken connection may fail too
                log.debug("closing relay connection failed", exc_info=True)
        self._connection = self._producer = None
        self._declared.clear()

    def relay_once(self) -> int:
        """Publish one batch of due rows; returns how many were confirmed."""
        now = utcnow()
        with self.engine.begin() as conn:
            rows = (
                conn.execute(
                    select(outbox)
                    .where(outbox.c.sent_at.is_(None), outbox.c.next_attempt_at <= now)
                    .order_by(outbox.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
                .mappings()
                .all()
            )
            if not rows:
                return 0
            failed_from: int | None = None
            error = ""
            published: list[int] = []
            for index, row in enumerate(rows):
                try:
                    self._publish(row)
                except Exception as exc:  # noqa: BLE001 - any broker failure means retry later
                    log.warning("outbox publish of %s failed: %s", row["event_id"], exc)
                    self.close()
                    failed_from, error = index, f"{type(exc).__name__}: {exc}"
                    break
                if self.after_publish is not None:
                    self.after_publish(dict(row))
                published.append(row["id"])
            if published:  # one statement per batch; a crash before commit republishes all
                conn.execute(
                    update(outbox).where(outbox.c.id.in_(published)).values(sent_at=utcnow())
                )
            sent = len(published)
            if failed_from is not None:
                for row in rows[failed_from:]:
                    attempts = row["attempts"] + 1
                    conn.execute(
                        update(outbox)
                        .where(outbox.c.id == row["id"])
                        .values(
                            attempts=attempts,
                            last_error=error[:2000],
                            next_attempt_at=now + timedelta(seconds=backoff_seconds(attempts)),
                        )
                    )
        return sent

    def relay_all(self) -> int:
        """Publish until nothing due is left (or a publish fails)."""
        total = 0
        while True:
            sent = self.relay_once()
            total += sent
            if sent < self.batch_size:
                return total

    def _publish(self, row: Any) -> None:
        producer = self._ensure_producer()
        exchange = Exchange(row["exchange"], type="topic", durable=True)
        if row["exchange"] not in self._declared:
            exchange(producer.channel).declare()
            self._declared.add(row["exchange"])
        oem_id = oem_of(row["routing_key"]) if row["exchange"] == OEM_EXCHANGE else None
        if oem_id and f"inbox:{oem_id}" not in self._declared:
            oem_inbox(oem_id)(producer.channel).declare()  # nothing lost before it binds
            self._declared.add(f"inbox:{oem_id}")
        producer.publish(
            row["body"],  # stored as JSON text already: sent as is, not decoded and re-encoded
            exchange=exchange,
            routing_key=row["routing_key"],
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            headers=json.loads(row["headers"]),
            message_id=row["event_id"],
            timeout=self.confirm_timeout,
        )
