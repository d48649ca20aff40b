"""The simulated OEM as a process on the broker.

It consumes everything addressed to an OEM (`to-oem.#` on `aftersales.oem`) from a
quorum queue of its own, decides by the rules, and answers on
`to-dealer.<group_id>.<type>` with publisher confirms.

Nothing is lost or doubled across a crash: a message's event_id, the answers it
causes and the payments it schedules are written to a small SQLite state in one
transaction before the message is acknowledged (a redelivered message is found
there and only acknowledged); answers are sent from that state and marked sent
after the broker confirmed them, so a crash in between sends them again with the
same event_id, which the dealer's inbox absorbs.
"""

from __future__ import annotations

import json
import logging
import signal
import sqlite3
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

from kombu import Connection, Consumer, Exchange, Producer, Queue, binding

from .rules import Config, decide, ship

log = logging.getLogger("aftersales_oem_simulator")

OEM_EXCHANGE = "aftersales.oem"
CHINA = timezone(timedelta(hours=8))
_SCHEMA = """
CREATE TABLE IF NOT EXISTS processed (
    event_id TEXT PRIMARY KEY, type TEXT NOT NULL, handled_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS outgoing (
    id INTEGER PRIMARY KEY AUTOINCREMENT, due_at REAL NOT NULL, routing_key TEXT NOT NULL,
    event_id TEXT NOT NULL, body TEXT NOT NULL, sent_at REAL);
CREATE TABLE IF NOT EXISTS payables (
    id INTEGER PRIMARY KEY AUTOINCREMENT, due_at REAL NOT NULL, group_id TEXT NOT NULL,
    site_id TEXT, oem_id TEXT NOT NULL, claim_id TEXT NOT NULL, claim_number TEXT NOT NULL,
    amount TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'due');
CREATE TABLE IF NOT EXISTS oem_numbers (claim_id TEXT PRIMARY KEY, number TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


def oem_exchange() -> Exchange:
    return Exchange(OEM_EXCHANGE, type="topic", durable=True)


def oem_inbox(oem_id: str) -> Queue:
    """The queue the dealer declares for one OEM (docs/oem-messages.md, "Queues"):
    declared here with the same arguments, so whoever comes first makes it."""
    return Queue(
        f"to-oem.{oem_id}",
        exchange=oem_exchange(),
        routing_key=f"to-oem.{oem_id}.#",
        durable=True,
        queue_arguments={"x-queue-type": "quorum"},
    )


def envelope(
    message_type: str,
    group_id: str,
    site_id: str | None,
    payload: dict[str, Any],
    correlation_id: str | None,
    event_id: str | None = None,
) -> dict[str, Any]:
    """The common envelope every aftersales message carries."""
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "type": message_type,
        "version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "group_id": group_id,
        "site_id": site_id,
        "correlation_id": correlation_id,
        "payload": payload,
    }


def recall_envelope(group_id: str, recall: dict[str, Any]) -> dict[str, Any]:
    """A recall notice with an event_id fixed by its content: sent twice, handled once."""
    payload = {k: v for k, v in recall.items() if k != "group_id"}
    digest = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    event_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"recall:{group_id}:{digest}"))
    return envelope("recall_notice", group_id, None, payload, payload["recall_id"], event_id)


class State:
    """The simulator's memory: what it handled, what it must still send or pay."""

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), isolation_level=None)
        self.db.executescript(_SCHEMA)

    def transaction(self) -> sqlite3.Connection:
        return _Transaction(self.db)  # type: ignore[return-value]

    def seen(self, event_id: str) -> bool:
        row = self.db.execute("SELECT 1 FROM processed WHERE event_id = ?", (event_id,))
        return row.fetchone() is not None

    def next_value(self, name: str) -> int:
        self.db.execute(
            "INSERT INTO counters (name, value) VALUES (?, 1) "
            "ON CONFLICT(name) DO UPDATE SET value = value + 1",
            (name,),
        )
        return self.db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()[0]

    def oem_number(self, claim_id: str, oem_id: str) -> str:
        row = self.db.execute("SELECT number FROM oem_numbers WHERE claim_id = ?", (claim_id,))
        found = row.fetchone()
        if found:
            return found[0]
        year = datetime.now(CHINA).year
        number = f"{oem_id.upper()}-{year}-{self.next_value('oem_claim_' + oem_id):07d}"
        self.db.execute("INSERT INTO oem_numbers VALUES (?, ?)", (claim_id, number))
        return number

    def queue(self, due_at: float, routing_key: str, body: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO outgoing (due_at, routing_key, event_id, body) VALUES (?, ?, ?, ?)",
            (due_at, routing_key, body["event_id"], json.dumps(body, ensure_ascii=False)),
        )

    def due(self, now: float) -> list[tuple[int, str, str, str]]:
        rows = self.db.execute(
            "SELECT id, routing_key, event_id, body FROM outgoing "
            "WHERE sent_at IS NULL AND due_at <= ? ORDER BY due_at, id",
            (now,),
        )
        return rows.fetchall()

    def mark_sent(self, row_id: int, now: float) -> None:
        self.db.execute("UPDATE outgoing SET sent_at = ? WHERE id = ?", (now, row_id))

    def pending(self) -> int:
        row = self.db.execute("SELECT count(*) FROM outgoing WHERE sent_at IS NULL")
        return row.fetchone()[0]


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on error."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def to_dealer(group_id: str, message_type: str) -> str:
    return f"to-dealer.{group_id}.{message_type}"


class Simulator:
    """Consume, decide, answer.  `clock` is injectable for tests."""

    def __init__(
        self,
        config: Config,
        amqp_uri: str,
        state: State,
        queue_name: str = "oem-simulator",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.amqp_uri = amqp_uri
        self.state = state
        self.queue_name = queue_name
        self.clock = clock
        self.running = True

    # ---------------------------------------------------------------- topology

    def queues(self) -> list[Queue]:
        """Each configured OEM's inbox, the durable queue the dealer declares before it
        sends that OEM anything (what came before the simulator started is there).
        Without configured OEMs (a development catch-all): a queue of its own for
        everything addressed to any OEM."""
        if self.config.oem_ids:
            return [oem_inbox(oem) for oem in self.config.oem_ids]
        return [
            Queue(
                self.queue_name,
                bindings=[binding(oem_exchange(), routing_key="to-oem.#")],
                durable=True,
                queue_arguments={"x-queue-type": "quorum", "x-delivery-limit": 5},
            )
        ]

    # ---------------------------------------------------------------- handling

    def handle(self, body: dict[str, Any], routing_key: str) -> str:
        """Decide one message and record its answers; returns what was done (for the log)."""
        event_id = str(body["event_id"])
        if self.state.seen(event_id):
            return "duplicate, ignored"
        parts = routing_key.split(".")
        oem_id = parts[1] if len(parts) >= 3 else str(body.get("payload", {}).get("oem_id"))
        message_type = body.get("type")
        with self.state.transaction() as db:
            if message_type == "warranty_claim":
                done = self._claim(body, oem_id)
            elif message_type == "parts_order":
                done = self._order(body, oem_id)
            else:
                done = f"{message_type}: not something this OEM answers"
            db.execute(
                "INSERT INTO processed VALUES (?, ?, ?)",
                (event_id, str(message_type), datetime.now(UTC).isoformat()),
            )
        return done

    def _claim(self, body: dict[str, Any], oem_id: str) -> str:
        claim = body["payload"]
        group_id, site_id = body["group_id"], body.get("site_id")
        verdict = decide(self.config, claim, group_id)
        now = self.clock()
        decided_at = now + self.config.decision_delay_seconds
        reason = verdict.reason or (verdict.reason_code if verdict.reason_code else None)
        decision = envelope(
            "claim_decision",
            group_id,
            site_id,
            {
                "claim_id": claim["claim_id"],
                "claim_number": claim["claim_number"],
                "oem_id": oem_id,
                "oem_claim_number": self.state.oem_number(claim["claim_id"], oem_id),
                "submission_count": claim["submission_count"],
                "outcome": verdict.outcome,
                "approved_amount": str(verdict.approved_amount),
                "reason_code": verdict.reason_code,
                "reason": reason,
                "old_parts": list(verdict.old_parts),
                "decided_at": datetime.fromtimestamp(decided_at, UTC).isoformat(),
            },
            claim["claim_id"],
        )
        self.state.queue(decided_at, to_dealer(group_id, "claim_decision"), decision)
        # A new decision replaces a payment not yet made for an earlier one.
        self.state.db.execute(
            "UPDATE payables SET state = 'replaced' WHERE claim_id = ? AND state = 'due'",
            (claim["claim_id"],),
        )
        if verdict.outcome != "rejected" and self.config.payment_enabled:
            self.state.db.execute(
                "INSERT INTO payables (due_at, group_id, site_id, oem_id, claim_id, claim_number,"
                " amount) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    decided_at + self.config.payment_delay_seconds,
                    group_id,
                    site_id,
                    oem_id,
                    claim["claim_id"],
                    claim["claim_number"],
                    str(verdict.approved_amount),
                ),
            )
        return (
            f"claim {claim['claim_number']} #{claim['submission_count']}: {verdict.outcome} "
            f"{verdict.approved_amount} {verdict.reason_code or ''} ({verdict.rule})"
        )

    def _order(self, body: dict[str, Any], oem_id: str) -> str:
        order = body["payload"]
        shipment = ship(self.config, order, datetime.now(CHINA).date())
        if shipment is None:
            return f"order {order['po_number']}: nothing shipped"
        notice = envelope(
            "shipment_notice",
            body["group_id"],
            body.get("site_id"),
            {
                "shipment_id": f"shp-{uuid.uuid4().hex[:10]}",
                "po_id": order["po_id"],
                "oem_id": oem_id,
                "shipped_at": datetime.now(UTC).isoformat(),
                "expected_at": shipment.expected_at.isoformat(),
                "lines": list(shipment.lines),
            },
            order["po_id"],
        )
        self.state.queue(
            self.clock() + self.config.notice_delay_seconds,
            to_dealer(body["group_id"], "shipment_notice"),
            notice,
        )
        return f"order {order['po_number']}: {len(shipment.lines)} line(s) shipped"

    def queue_recall(self, group_id: str, recall: dict[str, Any]) -> bool:
        """Queue a recall notice once (its event_id is fixed by its content)."""
        body = recall_envelope(group_id, recall)
        if self.state.seen(body["event_id"]):
            return False
        with self.state.transaction() as db:
            self.state.queue(self.clock(), to_dealer(group_id, "recall_notice"), body)
            db.execute(
                "INSERT INTO processed VALUES (?, ?, ?)",
                (body["event_id"], "recall_notice", datetime.now(UTC).isoformat()),
            )
        return True

    def batch_payments(self) -> int:
        """Credit notes for the payments due: one per group, dealer and OEM."""
        now = self.clock()
        with self.state.transaction() as db:
            rows = db.execute(
                "SELECT id, group_id, site_id, oem_id, claim_id, claim_number, amount "
                "FROM payables WHERE state = 'due' AND due_at <= ? ORDER BY id",
                (now,),
            ).fetchall()
            batches: dict[tuple[str, str | None, str], list[tuple[Any, ...]]] = defaultdict(list)
            for row in rows:
                batches[(row[1], row[2], row[3])].append(row)
            today = datetime.now(CHINA).date()
            for (group_id, site_id, oem_id), items in batches.items():
                seq = self.state.next_value(f"credit_{oem_id}_{today:%Y%m%d}")
                payment_id = f"cn-{oem_id}-{today:%Y%m%d}-{seq:04d}"
                total = sum((Decimal(i[6]) for i in items), Decimal("0"))
                credit = envelope(
                    "claim_payment",
                    group_id,
                    site_id,
                    {
                        "payment_id": payment_id,
                        "oem_id": oem_id,
                        "dealer_code": site_id or "",
                        "paid_on": today.isoformat(),
                        "claims": [
                            {"claim_id": i[4], "claim_number": i[5], "amount": i[6]} for i in items
                        ],
                        "total": f"{total:.2f}",
                    },
                    payment_id,
                )
                self.state.queue(now, to_dealer(group_id, "claim_payment"), credit)
                db.executemany(
                    "UPDATE payables SET state = 'paid' WHERE id = ?", [(i[0],) for i in items]
                )
        return len(rows)

    # ---------------------------------------------------------------- the broker

    def flush(self, producer: Producer) -> int:
        """Send what is due, each confirmed by the broker before it is marked sent."""
        self.batch_payments()
        sent = 0
        for row_id, routing_key, event_id, body in self.state.due(self.clock()):
            producer.publish(
                body,
                exchange=oem_exchange(),
                routing_key=routing_key,
                content_type="application/json",
                content_encoding="utf-8",
                delivery_mode=2,
                message_id=event_id,
                retry=True,
                timeout=10,
            )
            self.state.mark_sent(row_id, self.clock())
            sent += 1
            log.info("sent %s %s", routing_key, event_id)
        return sent

    def on_message(self, body: Any, message: Any) -> None:
        routing_key = message.delivery_info.get("routing_key", "")
        try:
            if isinstance(body, (bytes, str)):
                body = json.loads(body)
            done = self.handle(body, routing_key)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            # Not a message this OEM can read: answering is impossible, retrying is useless.
            log.error("dropped a malformed message on %s: %r", routing_key, exc)
            message.ack()
            return
        except Exception:
            log.exception("failed on %s; it will come again", routing_key)
            message.requeue()
            return
        log.info("%s: %s", routing_key, done)
        message.ack()

    def run(self, ready: Callable[[], None] | None = None, poll: float = 0.2) -> None:
        """Consume and answer until stopped; reconnect after a broker failure."""
        for recall in self.config.recalls:
            if self.queue_recall(recall["group_id"], recall):
                log.info("recall %s queued for %s", recall["recall_id"], recall["group_id"])
        while self.running:
            try:
                with Connection(
                    self.amqp_uri, transport_options={"confirm_publish": True}, heartbeat=0
                ) as conn:
                    consumer_channel = conn.channel()
                    consumer_channel.basic_qos(0, 10, False)
                    queues = [queue(consumer_channel) for queue in self.queues()]
                    for queue in queues:
                        queue.declare()
                    producer = Producer(conn.channel())
                    with Consumer(
                        consumer_channel,
                        queues=queues,
                        callbacks=[self.on_message],
                        accept=["json"],
                    ):
                        if ready is not None:
                            ready()
                            ready = None
                        while self.running:
                            self.flush(producer)
                            try:
                                conn.drain_events(timeout=poll)
                            except TimeoutError:
                                pass
                    self.flush(producer)
            except (ConnectionError, OSError) as exc:
                if not self.running:
                    break
                log.warning("broker connection lost (%s); reconnecting", exc)
                time.sleep(1)

    def stop(self, *_: Any) -> None:
        self.running = False

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
