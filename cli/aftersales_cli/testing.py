"""Test support: the whole system in one process, for HTTP-level tests.

`System` runs the five services and the gateway as nameko runners on a test
vhost, one database each, and speaks HTTP to the gateway with tokens issued
for any tenant.  The root `conftest.py` offers it as the `gateway_system`
fixture (one per test module).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import eventlet
import requests

from aftersales_core.envelope import Envelope
from aftersales_core.messaging import event_exchange
from aftersales_core.tenancy import Tenant
from aftersales_gateway.auth import issue_token

from .contract_check import check_response
from .processes import PROCESSES
from .seed_data import GROUP_ID, demo_group
from .seeding import LOADERS

SERVICES = ("gateway", "reception", "customer-care", "workshop", "parts", "claims")
RPC_TIMEOUT = 3
HEALTH_TIMEOUT = 2
JWT_SECRET = "aftersales-http-tests-" + "k" * 48

PUDONG, SUZHOU, HANGZHOU = "site-pudong", "site-suzhou", "site-hangzhou"
ADVISOR_PD = Tenant("sa.wang.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
ADVISOR_SZ = Tenant("sa.qian.sz", GROUP_ID, (SUZHOU,), ("service_advisor",))
HQ = Tenant("hq.chen", GROUP_ID, (PUDONG, SUZHOU, HANGZHOU), ("hq_manager",))
OTHER_ADVISOR = Tenant("sa.other", "grp-other", ("site-other",), ("service_advisor",))
OTHER_HQ = Tenant("hq.other", "grp-other", (), ("hq_manager",))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class System:
    """Six nameko runners on the test vhost, one database each; start and stop by name."""

    def __init__(self, amqp_uri: str, databases: dict[str, str], port: int) -> None:
        self.amqp_uri = amqp_uri
        self.databases = databases
        self.base_url = f"http://127.0.0.1:{port}"
        self.extra = {
            "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
            "RPC_TIMEOUT": RPC_TIMEOUT,
            "HEALTH_TIMEOUT": HEALTH_TIMEOUT,
        }
        self.runners: dict[str, Any] = {}

    def start(self, name: str) -> Any:
        from nameko.runners import ServiceRunner

        from aftersales_core.config import nameko_config
        from aftersales_core.messaging import declare_topology, subscriptions_of

        cls = PROCESSES[name].service_class()
        config = nameko_config(cls.name)
        config.update(
            {"AMQP_URI": self.amqp_uri, "DATABASE_URL": self.databases[name], **self.extra}
        )
        declare_topology(self.amqp_uri, subscriptions_of(cls))
        runner = ServiceRunner(config)
        runner.add_service(cls)
        runner.start()
        self.runners[name] = runner
        return runner

    def stop(self, name: str) -> Any:
        runner = self.runners.pop(name)
        runner.stop()
        return runner

    @contextlib.contextmanager
    def stopped(self, name: str) -> Iterator[Any]:
        """Stop one service for the block, then start it again."""
        runner = self.stop(name)
        try:
            yield runner
        finally:
            self.start(name)

    def settle(self, timeout: float = 15) -> None:
        """Wait until every outbox is sent and every event queue is empty.

        The test vhost is shared by the whole run: events left behind would be
        consumed by another module's services.
        """
        from kombu import Connection

        from aftersales_cli.processes import all_subscriptions

        queues = [sub.queue_name for sub in all_subscriptions()]

        def settled() -> bool:
            health = self.get("/health").json()["services"]
            if any(entry.get("outbox_pending", 0) for entry in health.values()):
                return False
            with Connection(self.amqp_uri) as conn:
                channel = conn.default_channel
                return all(
                    channel.queue_declare(name, passive=True).message_count == 0 for name in queues
                )

        wait_for(settled, timeout, "outboxes and event queues are empty")

    def stop_all(self) -> None:
        """Stop every runner at once (each takes a second or two to drain)."""

        def stop(name: str) -> None:
            with contextlib.suppress(Exception):
                self.stop(name)

        list(eventlet.GreenPool().imap(stop, list(self.runners)))

    # -- HTTP -------------------------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        tenant: Tenant | None = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        headers = dict(headers or {})
        if tenant is not None:
            token = issue_token(tenant)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        kwargs.setdefault("timeout", 30)
        response = requests.request(method, self.base_url + path, headers=headers, **kwargs)
        check_response(response)
        return response

    def get(self, path: str, tenant: Tenant | None = None, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, tenant, **kwargs)

    def post(self, path: str, tenant: Tenant | None = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, tenant, **kwargs)


def wait_for(predicate: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def publish_event(amqp_uri: str, source: str, envelope: Envelope) -> None:
    """Publish an event onto its producer's exchange with publisher confirms, as the
    producer's outbox relay would."""
    from kombu import Connection, Producer

    with Connection(amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.channel()).publish(
            envelope.to_dict(),
            exchange=event_exchange(source),
            routing_key=envelope.type,
            serializer="json",
            delivery_mode=2,
        )


def seed(amqp_uri: str) -> dict[str, dict[str, int]]:
    """Load the demo group through every service's loader, as `aftersales seed` does."""
    from nameko.standalone.rpc import ClusterRpcProxy

    data = demo_group()
    config = {"AMQP_URI": amqp_uri, "serializer": "json"}
    context = Tenant.system(GROUP_ID).to_context()
    with ClusterRpcProxy(config, context_data=context, timeout=60) as rpc:
        return {name: load(rpc, data) for name, load in LOADERS.items()}


@contextlib.contextmanager
def running_system(amqp_uri: str, make_database: Callable[[str], str]) -> Iterator[System]:
    """Migrate six fresh databases, start everything, seed the demo group; stop at the end."""
    from aftersales_core.migrate import upgrade

    databases = {}
    for name in SERVICES:
        databases[name] = make_database(name)
        upgrade(PROCESSES[name].migrations_dir(), databases[name])
    running = System(amqp_uri, databases, free_port())
    try:
        for name in SERVICES:
            running.start(name)
        seed(amqp_uri)
        wait_for(lambda: running.get("/health").status_code == 200, 20, "the system is healthy")
        yield running
        running.settle()
    finally:
        running.stop_all()
