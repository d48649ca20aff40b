"""Engines and the per-worker database dependency.

Each nameko worker gets one SQLAlchemy session (one transaction).  Because
nameko acks a message and sends an RPC reply *before* dependencies see the
result, the commit cannot live in a dependency hook: `@command` and
`@on_event` (see `service.py`) commit at the end of the method itself, and
`worker_teardown` rolls back whatever was left open.
"""

from __future__ import annotations

import contextlib
import logging
import weakref
from typing import Any

import eventlet
from eventlet.event import Event
from nameko.containers import WorkerContext
from nameko.extensions import DependencyProvider
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from . import outbox as outbox_module
from .envelope import Envelope
from .messaging import OEM_EXCHANGE, to_oem_routing_key
from .tenancy import CONTEXT_KEYS

log = logging.getLogger(__name__)


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """An engine fit for eventlet workers.

    SQLite's C library blocks the whole process while it waits for a lock, so a
    SQLite engine gets one connection that green threads queue for; PostgreSQL
    (psycopg2, made cooperative by eventlet) gets a real pool.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            poolclass=QueuePool,
            pool_size=1,
            max_overflow=0,
            pool_timeout=60,
            connect_args={"check_same_thread": False, "timeout": 30},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def ping(engine: Engine) -> dict[str, Any]:
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"ok": True, "dialect": engine.dialect.name}
    except Exception as exc:  # noqa: BLE001 - health reports any failure
        return {"ok": False, "dialect": engine.dialect.name, "error": str(exc)[:300]}


class WorkerDb:
    """What a worker sees as `self.db`: its session, the outbox, commit and rollback."""

    def __init__(self, provider: Database, worker_ctx: WorkerContext) -> None:
        self._provider = provider
        self._worker_ctx = worker_ctx
        self._session: Session | None = None
        self._published = False

    @property
    def engine(self) -> Engine:
        return self._provider.engine

    @property
    def session(self) -> Session:
        if self._session is None:
            self._session = self._provider.session_factory()
        return self._session

    def publish(
        self,
        event_type: str,
        payload: dict[str, Any],
        *,
        group_id: str,
        site_id: str | None,
        correlation_id: str | None = None,
        version: int = 1,
    ) -> Envelope:
        """Record an event in the outbox; it is sent only if this transaction commits."""
        return self._record(
            Envelope(event_type, group_id, site_id, payload, correlation_id, version)
        )

    def send_to_oem(
        self,
        message_type: str,
        payload: dict[str, Any],
        *,
        oem_id: str,
        group_id: str,
        site_id: str | None,
        correlation_id: str | None = None,
        version: int = 1,
    ) -> Envelope:
        """Record a message to an OEM (claims, parts orders) on the OEM exchange, via the outbox."""
        return self._record(
            Envelope(message_type, group_id, site_id, payload, correlation_id, version),
            internal=False,
            exchange=OEM_EXCHANGE,
            routing_key=to_oem_routing_key(oem_id, message_type),
        )

    def _record(self, envelope: Envelope, *, internal: bool = True, **route: Any) -> Envelope:
        """Into the outbox. Events between our services carry the caller (who did it);
        a message to a manufacturer carries nothing of our staff's ids or roles."""
        context = self._worker_ctx.context_data if internal else {}
        headers = {f"nameko.{k}": context[k] for k in CONTEXT_KEYS if context.get(k)}
        outbox_module.record(self.session, self._provider.service_name, envelope, headers, **route)
        self._published = True
        return envelope

    def commit(self) -> None:
        if self._session is not None:
            self._session.commit()
        if self._published:
            self._published = False
            self._provider.wake_relay()

    def rollback(self) -> None:
        self._published = False
        if self._session is not None:
            self._session.rollback()

    def close(self) -> None:
        """Give the connection back; a database that went away meanwhile is logged,
        never raised (it would kill the service's container from worker teardown)."""
        if self._session is not None:
            session, self._session = self._session, None
            try:
                session.close()  # rolls back anything not committed
            except Exception:  # noqa: BLE001 - the pool drops the broken connection
                log.warning("closing a database session failed", exc_info=True)
                with contextlib.suppress(Exception):
                    session.invalidate()


class Database(DependencyProvider):
    """The service's own database, plus the relay that empties its outbox."""

    def __init__(self, relay_poll_seconds: float = 1.0, relay: bool = True) -> None:
        self.relay_poll_seconds = relay_poll_seconds
        self.relay_enabled = relay
        self.workers: weakref.WeakKeyDictionary[WorkerContext, WorkerDb] = (
            weakref.WeakKeyDictionary()
        )

    def setup(self) -> None:
        config = self.container.config
        self.service_name = self.container.service_name
        self.engine = make_engine(config["DATABASE_URL"], int(config.get("max_workers", 10)) + 2)
        self.session_factory = sessionmaker(bind=self.engine, expire_on_commit=False)
        self.relay = outbox_module.OutboxRelay(self.engine, config["AMQP_URI"])
        self._wake = Event()
        self._running = False

    def start(self) -> None:
        self._running = True
        if self.relay_enabled:
            self.container.spawn_managed_thread(self._relay_forever, identifier="outbox-relay")

    def stop(self) -> None:
        self._running = False
        self.wake_relay()
        self.relay.close()
        self.engine.dispose()

    def kill(self) -> None:
        self.stop()

    def wake_relay(self) -> None:
        if not self._wake.ready():
            self._wake.send(True)

    def _relay_forever(self) -> None:
        while self._running:
            with eventlet.Timeout(self.relay_poll_seconds, False):
                self._wake.wait()
            self._wake = Event()
            if not self._running:
                break
            try:
                self.relay.relay_all()
            except Exception:  # noqa: BLE001 - keep relaying after a database hiccup
                log.exception("outbox relay pass failed; retrying")
                eventlet.sleep(self.relay_poll_seconds)

    def get_dependency(self, worker_ctx: WorkerContext) -> WorkerDb:
        worker_db = WorkerDb(self, worker_ctx)
        self.workers[worker_ctx] = worker_db
        return worker_db

    def worker_teardown(self, worker_ctx: WorkerContext) -> None:
        worker_db = self.workers.pop(worker_ctx, None)
        if worker_db is not None:
            worker_db.close()
