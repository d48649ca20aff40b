"""Calls to other services with a deadline, optionally as the service itself.

One deadline covers the whole call — publishing the request as well as waiting for
the answer — so a stalled broker is a 503 within the deadline, not a hung worker.
A service that does not answer in time, or does not offer the method, is a 503
`ServiceUnavailable`: the caller refuses rather than guesses. An event handler has
no user behind it, so it calls as `Tenant.system(group, site)`.
"""

from __future__ import annotations

import logging
from typing import Any

import eventlet
from amqp.exceptions import ConnectionError as AMQPConnectionError
from kombu.exceptions import OperationalError as KombuOperationalError
from nameko.containers import WorkerContext
from nameko.exceptions import MethodNotFound, RemoteError, UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import MethodProxy, ReplyListener

from . import idempotency, rpc_errors  # noqa: F401 - typed errors across RPC
from .errors import AppError, ServiceUnavailable
from .tenancy import CONTEXT_KEYS, Tenant

log = logging.getLogger(__name__)

# What a service's failure says when its database went away (the type's name crosses
# the RPC hop), and what publishing raises while the broker is away.
DATABASE_ERRORS = frozenset({"OperationalError", "InterfaceError", "DisconnectionError"})
BROKER_ERRORS = (OSError, KombuOperationalError, AMQPConnectionError)


class RemoteCaller:
    def __init__(self, worker_ctx: WorkerContext, listener: ReplyListener, timeout: float) -> None:
        self.worker_ctx = worker_ctx
        self.listener = listener
        self.timeout = timeout

    def call(
        self,
        service: str,
        method: str,
        *args: Any,
        as_tenant: Tenant | None = None,
        context: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Any:
        """One RPC, answered within the deadline or refused with 503.

        The request expires in the broker with the deadline, so a call nobody took in
        time is dropped, not run after its caller gave up. `context` adds context data
        for this call only (the gateway's Idempotency-Key); a key this worker received
        is not passed further down, where one request may make several calls.
        """
        proxy = MethodProxy(
            self.worker_ctx, service, method, self.listener, expiration=self.timeout
        )
        saved = dict(self.worker_ctx.data)
        try:
            with eventlet.Timeout(self.timeout):
                for key in idempotency.CONTEXT:
                    self.worker_ctx.data.pop(key, None)
                if as_tenant is not None:
                    for key in CONTEXT_KEYS:
                        self.worker_ctx.data.pop(key, None)
                    self.worker_ctx.data.update(as_tenant.to_context())
                self.worker_ctx.data.update(context or {})
                try:
                    reply = proxy.call_async(*args, **kwargs)
                finally:
                    self.worker_ctx.data.clear()
                    self.worker_ctx.data.update(saved)
                return reply.result()
        except eventlet.Timeout:
            raise ServiceUnavailable(
                f"{service} did not answer within {self.timeout:g} s",
                "SERVICE_TIMEOUT",
                {"service": [service]},
            ) from None
        except (UnknownService, MethodNotFound) as exc:
            raise ServiceUnavailable(
                f"{service}.{method} is not available",
                "SERVICE_UNAVAILABLE",
                {"service": [service]},
            ) from exc
        except AppError:
            raise
        except RemoteError as exc:
            if exc.exc_type in DATABASE_ERRORS:
                log.warning("%s.%s: its database is not reachable: %s", service, method, exc)
                raise ServiceUnavailable(
                    f"{service} cannot reach its database",
                    "DATABASE_UNAVAILABLE",
                    {"service": [service]},
                ) from None
            log.error("%s.%s failed: %s", service, method, exc)
            raise ServiceUnavailable(
                f"{service}.{method} failed", "DOWNSTREAM_FAILED", {"service": [service]}
            ) from None
        except BROKER_ERRORS as exc:
            log.warning("%s.%s: the broker is not reachable: %s", service, method, exc)
            raise ServiceUnavailable(
                "the message broker is not reachable", "BROKER_UNAVAILABLE"
            ) from None


class Remote(DependencyProvider):
    """`self.remote.call("workshop", "capacity", site_id, day)`.

    The deadline is `DOWNSTREAM_RPC_TIMEOUT`, by default half of `RPC_TIMEOUT`, so a
    service's own answer still reaches a caller that waits `RPC_TIMEOUT`; the gateway
    sets `DOWNSTREAM_RPC_TIMEOUT` to its full `RPC_TIMEOUT`.
    """

    rpc_reply_listener = ReplyListener()

    def __init__(self, timeout_setting: str = "DOWNSTREAM_RPC_TIMEOUT", share: float = 0.5):
        self.timeout_setting = timeout_setting
        self.share = share

    def setup(self) -> None:
        config = self.container.config
        default = float(config.get("RPC_TIMEOUT", 10)) * self.share
        self.timeout = float(config.get(self.timeout_setting, default))

    def get_dependency(self, worker_ctx: WorkerContext) -> RemoteCaller:
        return RemoteCaller(worker_ctx, self.rpc_reply_listener, self.timeout)
