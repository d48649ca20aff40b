"""The plumbing tables every service database has: `outbox`, `inbox` and
`requests_done`."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

PLUMBING_METADATA = MetaData()

# Integer on SQLite so that the primary key is its ROWID and autoincrements.
_ID = BigInteger().with_variant(Integer(), "sqlite")

outbox = Table(
    "outbox",
    PLUMBING_METADATA,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("event_type", String(100), nullable=False),
    Column("exchange", String(200), nullable=False),
    Column("routing_key", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("headers", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("sent_at", DateTime(timezone=True)),
)
Index(
    "ix_outbox_pending",
    outbox.c.next_attempt_at,
    postgresql_where=outbox.c.sent_at.is_(None),
    sqlite_where=outbox.c.sent_at.is_(None),
)

inbox = Table(
    "inbox",
    PLUMBING_METADATA,
    Column("event_id", String(36), nullable=False),
    Column("handler", String(200), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("event_id", "handler", name="pk_inbox"),
)

# Requests done by a command, by the caller's Idempotency-Key: a late or repeated
# execution of the same request answers the first result (see `idempotency`).
requests_done = Table(
    "requests_done",
    PLUMBING_METADATA,
    Column("key", String(64), nullable=False),
    Column("method", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("result", Text, nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("key", "method", name="pk_requests_done"),
)
