"""Test harness shared by every package's tests.

eventlet must patch the standard library before anything else is imported,
or nameko's tests hang.  Every run gets its own RabbitMQ vhost and its own
PostgreSQL databases, dropped afterwards; a Docker engine, where there is one,
provides both through testcontainers, and elsewhere the local servers named
by `AMQP_URI`, `RABBITMQ_MANAGEMENT_URL` and `DATABASE_URL` do.
"""

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

import contextlib  # noqa: E402
import os  # noqa: E402
import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import quote, urlsplit, urlunsplit  # noqa: E402

import pytest  # noqa: E402
import requests  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

RUN_ID = uuid.uuid4().hex[:8]
LOCAL_AMQP = "amqp://guest:guest@127.0.0.1:5672/"
LOCAL_MANAGEMENT = "http://guest:guest@127.0.0.1:15672"
LOCAL_POSTGRES = "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres"


def _docker_container(factory: Any) -> Any:
    """A started testcontainers container, or None when there is no Docker engine."""
    try:
        from docker.errors import DockerException
    except ImportError:  # pragma: no cover
        return None
    try:
        container = factory()
        container.start()
        return container
    except DockerException:
        return None


@pytest.fixture(scope="session")
def amqp_uri() -> Iterator[str]:
    """A broker URI on a vhost of this run's own."""
    if not os.environ.get("AMQP_URI"):
        from testcontainers.community.rabbitmq import RabbitMqContainer

        container = _docker_container(lambda: RabbitMqContainer("rabbitmq:3.10-management"))
        if container is not None:
            params = container.get_connection_params()
            yield f"amqp://guest:guest@{params.host}:{params.port}/"
            container.stop()
            return
    base = os.environ.get("AMQP_URI", LOCAL_AMQP)
    management = os.environ.get("RABBITMQ_MANAGEMENT_URL", LOCAL_MANAGEMENT)
    parts = urlsplit(management)
    auth = (parts.username or "guest", parts.password or "guest")
    api = urlunsplit(
        (parts.scheme, parts.hostname + (f":{parts.port}" if parts.port else ""), "/api", "", "")
    )
    vhost = f"aftersales-test-{RUN_ID}"
    user = urlsplit(base).username or "guest"
    resp = requests.put(f"{api}/vhosts/{quote(vhost, safe='')}", auth=auth, timeout=10)
    resp.raise_for_status()
    requests.put(
        f"{api}/permissions/{quote(vhost, safe='')}/{user}",
        json={"configure": ".*", "write": ".*", "read": ".*"},
        auth=auth,
        timeout=10,
    ).raise_for_status()
    yield base.rstrip("/") + "/" + quote(vhost, safe="")
    _drop_vhost(api, vhost, auth)


def _drop_vhost(api: str, vhost: str, auth: tuple[str, str]) -> None:
    """Delete the run's queues one by one, then the empty vhost.

    Deleting a vhost that still holds a hundred quorum queues stops all their Raft
    members in one call, during which the shared broker accepted no new connection
    for many minutes; one queue at a time keeps other runs on the broker served.
    """
    name = quote(vhost, safe="")
    with contextlib.suppress(requests.RequestException):
        queues = requests.get(
            f"{api}/queues/{name}", params={"columns": "name"}, auth=auth, timeout=30
        ).json()
        for queue in queues if isinstance(queues, list) else []:
            requests.delete(
                f"{api}/queues/{name}/{quote(queue['name'], safe='')}", auth=auth, timeout=30
            )
    with contextlib.suppress(requests.RequestException):
        requests.delete(f"{api}/vhosts/{name}", auth=auth, timeout=60)


@pytest.fixture(scope="session")
def postgres_admin_url() -> Iterator[str]:
    """A URL of a PostgreSQL server on which this run may create databases."""
    if not os.environ.get("DATABASE_URL"):
        from testcontainers.community.postgres import PostgresContainer

        container = _docker_container(lambda: PostgresContainer("postgres:15"))
        if container is not None:
            yield container.get_connection_url()
            container.stop()
            return
    yield os.environ.get("DATABASE_URL", LOCAL_POSTGRES)


@pytest.fixture(scope="session")
def make_database(postgres_admin_url: str) -> Iterator[Any]:
    """Factory: a fresh, empty PostgreSQL database for this run; all dropped at the end."""
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make(label: str) -> str:
        name = f"t_{RUN_ID}_{label.replace('-', '_')}_{len(created)}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(postgres_admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    with admin.connect() as conn:
        for name in created:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture
def migrated_database(make_database: Any) -> Any:
    """Factory: a fresh database migrated to the head of a process's migrations."""
    from aftersales_cli.processes import PROCESSES
    from aftersales_core.migrate import upgrade

    def make(process: str) -> str:
        url = make_database(process)
        upgrade(PROCESSES[process].migrations_dir(), url)
        return url

    return make


@pytest.fixture
def run_services(amqp_uri: str) -> Iterator[Any]:
    """Run nameko services in this process on the test vhost; stopped after the test.

    `run_services({ServiceClass: database_url, ...}, **extra_config)`
    """
    from nameko.runners import ServiceRunner

    from aftersales_core.config import nameko_config
    from aftersales_core.messaging import declare_topology, subscriptions_of

    runners: list[ServiceRunner] = []

    def start(services: dict[type, str], **extra: Any) -> list[ServiceRunner]:
        started = []
        for cls, database_url in services.items():
            config = nameko_config(cls.name)
            config.update({"AMQP_URI": amqp_uri, "DATABASE_URL": database_url, **extra})
            declare_topology(amqp_uri, subscriptions_of(cls))
            runner = ServiceRunner(config)
            runner.add_service(cls)
            runner.start()
            runners.append(runner)
            started.append(runner)
        return started

    yield start
    for runner in reversed(runners):
        with contextlib.suppress(Exception):
            runner.stop()


@pytest.fixture
def rpc(amqp_uri: str) -> Iterator[Any]:
    """Factory: a standalone RPC proxy acting for a tenant (one per greenthread)."""
    from nameko.standalone.rpc import ClusterRpcProxy

    proxies: list[Any] = []

    def make(tenant: Any = None, timeout: float = 15) -> Any:
        context = tenant.to_context() if tenant is not None else {}
        proxy = ClusterRpcProxy(
            {"AMQP_URI": amqp_uri, "serializer": "json"}, context_data=context, timeout=timeout
        )
        proxies.append(proxy)
        return proxy.start()

    yield make
    for proxy in proxies:
        with contextlib.suppress(Exception):
            proxy.stop()


@pytest.fixture(autouse=True)
def fast_teardown() -> Iterator[None]:
    """Replace nameko's pytest fixture of this name.

    nameko's version stops every AMQP consumer created during a test when that test
    ends; a module-scoped system's consumers (and a service restarted inside a test)
    must outlive the test, or stopping their container later waits forever.
    """
    yield


@pytest.fixture(scope="module")
def gateway_system(amqp_uri: str, make_database: Any) -> Iterator[Any]:
    """The five services and the gateway in this process, seeded; one per test module.

    See `aftersales_cli.testing.System`: `.get/.post(path, tenant, ...)`, `.stopped(name)`.
    """
    from aftersales_cli.testing import JWT_SECRET, running_system

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JWT_SECRET", JWT_SECRET)
        with running_system(amqp_uri, make_database) as system:
            yield system


# ---------------------------------------------------------------- test tiers

INFRASTRUCTURE = {"amqp_uri", "postgres_admin_url", "rabbit_config"}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Mark each test with its tier: `unit` needs neither broker nor database (the
    whole tier runs in seconds: `pytest -m unit`); `e2e` lives in tests/e2e; `fault`
    in tests/fault; every other test that reaches RabbitMQ or PostgreSQL is `service`."""
    for item in items:
        path = str(item.path)
        if "/tests/fault/" in path:
            item.add_marker(pytest.mark.fault)
        elif "/tests/e2e/" in path:
            item.add_marker(pytest.mark.e2e)
        elif INFRASTRUCTURE.intersection(item.fixturenames):
            item.add_marker(pytest.mark.service)
        else:
            item.add_marker(pytest.mark.unit)
