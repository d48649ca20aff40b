"""The shape every aftersales nameko service shares.

- `@command`: an RPC that changes state; commits at its end, before nameko
  replies, so a caller never sees a result that was then rolled back.
- `@query`: a read-only RPC; nothing it did is committed.
- `@on_event(source, type)`: an event handler on a quorum queue; the inbox row,
  the effect and any outgoing events commit in one transaction, before the ack.
- `ServiceBase`: the `db` and `caller` dependencies and the `health` RPC.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from nameko.containers import WorkerContext
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy.exc import IntegrityError

from . import (
    idempotency,
    inbox,
    rpc_errors,  # noqa: F401 - typed errors across RPC
)
from .db import Database, ping
from .envelope import Envelope
from .errors import EXPECTED_ERRORS
from .messaging import QuorumEventHandler
from .outbox import pending_count
from .tenancy import Tenant

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)


class ResilientRpc(Rpc):
    """nameko's RPC entrypoint, but a reply that cannot be sent (the broker is
    restarting) is logged instead of killing the service's container: the service
    reconnects and serves again, and the caller, which has given up by then, may
    retry with its Idempotency-Key."""

    def handle_result(self, message: Any, worker_ctx: Any, result: Any, exc_info: Any) -> Any:
        try:
            return super().handle_result(message, worker_ctx, result, exc_info)
        except Exception as exc:  # noqa: BLE001 - no reply must ever kill the container
            log.warning("could not reply to %s: %s", worker_ctx.call_id, exc)
            return result, exc_info


rpc = ResilientRpc.decorator


def transactional(fn: F) -> F:
    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            result = fn(self, *args, **kwargs)
            self.db.commit()
            return result
        except BaseException:
            self.db.rollback()
            raise

    return wrapper  # type: ignore[return-value]


def once_per_request(fn: F) -> F:
    """Run a command once per Idempotency-Key: a repeat answers the first result.

    The result is recorded in the command's own transaction, so the effect and the
    record commit together; two executions racing on one key both pass the lookup,
    the record's primary key fails the second at commit, its effect rolls back and
    it answers what the first one recorded.
    """

    @functools.wraps(fn)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        context = self.caller.context
        method = f"{self.name}.{fn.__name__}"
        done, result = idempotency.first_result(self.db.session, context, method)
        if done:
            self.db.rollback()
            return result
        try:
            result = fn(self, *args, **kwargs)
            idempotency.record(self.db.session, context, method, result)
            self.db.commit()
            return result
        except IntegrityError:
            self.db.rollback()
            done, result = idempotency.first_result(self.db.session, context, method)
            if done:
                self.db.rollback()
                return result
            raise
        except BaseException:
            self.db.rollback()
            raise

    return wrapper  # type: ignore[return-value]


def command(fn: F) -> F:
    """An RPC that changes state, commits before it replies, and acts once per request
    (Idempotency-Key) however often the request arrives."""
    return rpc(expected_exceptions=EXPECTED_ERRORS)(once_per_request(fn))


def query(fn: F) -> F:
    """A read-only RPC."""
    return rpc(expected_exceptions=EXPECTED_ERRORS)(fn)


def on_oem_message(message_type: str) -> Callable[[F], F]:
    """Handle one message type arriving from OEM systems (any group's), once."""
    return on_event("oem", message_type)


def on_event(source_service: str, event_type: str) -> Callable[[F], F]:
    """Handle one event type once: inbox claim, effect and events commit together.

    `source_service` "oem" means the OEM exchange (see `on_oem_message`).
    """

    def decorator(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(self: Any, body: Any) -> Any:
            envelope = Envelope.from_dict(body)
            handler = f"{self.name}.{fn.__name__}"
            try:
                if not inbox.claim(self.db.session, envelope, handler):
                    self.db.rollback()
                    return None
                result = fn(self, envelope)
                self.db.commit()
                return result
            except BaseException:
                self.db.rollback()
                raise

        return QuorumEventHandler.decorator(source_service, event_type)(wrapper)

    return decorator


class Caller:
    """Who the current worker acts for, from nameko's context data."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    @property
    def tenant(self) -> Tenant:
        """The tenant; raises Unauthorized when the call carries none."""
        return Tenant.from_context(self.context)

    @property
    def user_id(self) -> str | None:
        return self.context.get("user_id")


class CallerProvider(DependencyProvider):
    def get_dependency(self, worker_ctx: WorkerContext) -> Caller:
        return Caller(dict(worker_ctx.data))


class ServiceBase:
    """Base of the five dealer services: its database, the caller, health."""

    name = "base"
    db = Database()
    caller = CallerProvider()

    @rpc
    def health(self) -> dict[str, Any]:
        """Reached over the broker, so the broker is up; reports the database and outbox."""
        database = ping(self.db.engine)
        status = "up" if database["ok"] else "down"
        result: dict[str, Any] = {
            "service": self.name,
            "status": status,
            "database": database,
            "broker": {"ok": True},
        }
        if database["ok"]:
            result["outbox_pending"] = pending_count(self.db.engine)
        return result
