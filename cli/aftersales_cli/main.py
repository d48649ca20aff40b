"""`aftersales`: the operator's command line."""

from __future__ import annotations

import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # before nameko, kombu or any socket is imported

import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from datetime import timedelta  # noqa: E402
from typing import Any  # noqa: E402

import click  # noqa: E402

from aftersales_core import config as settings  # noqa: E402
from aftersales_core.messaging import declare_topology  # noqa: E402
from aftersales_core.migrate import upgrade  # noqa: E402
from aftersales_core.tenancy import ROLES, Tenant  # noqa: E402

from .processes import PROCESSES, all_subscriptions  # noqa: E402

NAMES = click.Choice(list(PROCESSES))


@click.group()
def cli() -> None:
    """Run and operate aftersales: five dealer services and the HTTP gateway."""


def _migrate(names: list[str]) -> None:
    for name in names:
        url = settings.database_url(name)
        click.echo(f"migrating {name:<14} {_redact(url)}")
        upgrade(PROCESSES[name].migrations_dir(), url)
    queues = declare_topology(settings.amqp_uri(), all_subscriptions())
    click.echo(f"declared {len(queues)} queues on {_redact(settings.amqp_uri())}")


def _redact(url: str) -> str:
    head, sep, tail = url.rpartition("@")
    if not sep or "://" not in head:
        return url
    scheme, _, creds = head.partition("://")
    return f"{scheme}://{creds.split(':')[0]}:***@{tail}"


@cli.command()
@click.option("--service", "-s", "names", multiple=True, type=NAMES, help="default: all")
def migrate(names: tuple[str, ...]) -> None:
    """Bring each database to its latest schema and declare the queues."""
    _migrate(list(names) or list(PROCESSES))


@cli.command("run-service")
@click.argument("name", type=NAMES)
def run_service(name: str) -> None:
    """Run one service in this process until SIGINT or SIGTERM."""
    import logging

    from nameko.runners import ServiceRunner

    logging.basicConfig(
        level=os.environ.get("AFTERSALES_LOG_LEVEL", "INFO"),
        format=f"%(asctime)s {name} %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("nameko.containers").addFilter(_expected_errors_without_trace)
    port = os.environ.get("GATEWAY_PORT", "8000")
    config = settings.nameko_config(name, WEB_SERVER_ADDRESS=f"0.0.0.0:{port}")
    runner = ServiceRunner(config)
    runner.add_service(PROCESSES[name].service_class())

    def shutdown(signum: int, _frame: Any) -> None:
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    runner.wait()


def _expected_errors_without_trace(record: Any) -> bool:
    """A refused request (a 4xx) is logged in one line, not with a traceback."""
    if str(record.msg).startswith("(expected)"):
        record.exc_info = None
    return True


def _health(port: str, timeout: float = 3) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=timeout) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")
    except OSError:
        return 0, {}


@cli.command()
@click.option("--seed/--no-seed", default=False, help="load the demo dealer group once up")
@click.option("--wait", default=90.0, show_default=True, help="seconds to wait for health")
def up(seed: bool, wait: float) -> None:
    """Migrate, then start all six processes (each its own OS process); Ctrl-C stops them."""
    _migrate(list(PROCESSES))
    port = os.environ.get("GATEWAY_PORT", "8000")
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop_all(*_: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    for name in PROCESSES:
        children[name] = subprocess.Popen(
            [sys.executable, "-m", "aftersales_cli", "run-service", name],
            start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
        )
    try:
        deadline = time.monotonic() + wait
        status = 0
        while not stopping and time.monotonic() < deadline:
            status, report = _health(port)
            if status == 200 or _dead(children):
                break
            time.sleep(0.5)
        if status != 200:
            raise click.ClickException(
                f"the system did not become healthy: {status} {_dead(children)}"
            )
        click.echo(
            f"aftersales is up: gateway http://127.0.0.1:{port}/  "
            f"docs http://127.0.0.1:{port}/docs  health http://127.0.0.1:{port}/health"
        )
        if seed:
            _seed()
        click.echo("Ctrl-C stops every process.")
        while not stopping:
            dead = _dead(children)
            if dead:
                raise click.ClickException(f"process stopped unexpectedly: {', '.join(dead)}")
            time.sleep(0.5)
    finally:
        _stop(children)


def _dead(children: dict[str, subprocess.Popen[bytes]]) -> list[str]:
    return [name for name, child in children.items() if child.poll() is not None]


def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for name, child in children.items():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            click.echo(f"{name} did not stop in time; killing it", err=True)
            child.kill()
            child.wait()
    click.echo("all processes stopped")


@cli.command()
@click.option("--user", "user_id", required=True, help="a user id (seeded staff fill the rest)")
@click.option("--group", "group_id", help="group id")
@click.option("--site", "site_ids", multiple=True, help="site id (repeatable)")
@click.option(
    "--role", "roles", multiple=True, type=click.Choice([r for r in ROLES if r != "system"])
)
@click.option("--oem", "oem_id", help="OEM id, for an OEM integration user")
@click.option("--hours", default=8.0, show_default=True, help="validity")
def token(
    user_id: str,
    group_id: str | None,
    site_ids: tuple[str, ...],
    roles: tuple[str, ...],
    oem_id: str | None,
    hours: float,
) -> None:
    """Issue a development JWT (signed with $JWT_SECRET)."""
    from aftersales_gateway.auth import issue_token

    from .seed_data import users_by_id

    known = users_by_id().get(user_id, {})
    group_id = group_id or known.get("group_id")
    if not group_id:
        raise click.UsageError("unknown user: give --group, --site and --role")
    tenant = Tenant(
        user_id=user_id,
        group_id=group_id,
        site_ids=tuple(site_ids) or tuple(known.get("site_ids", ())),
        roles=tuple(roles) or tuple(known.get("roles", ())),
        oem_id=oem_id or known.get("oem_id"),
    )
    if not tenant.roles:
        raise click.UsageError("give at least one --role")
    click.echo(issue_token(tenant, ttl=timedelta(hours=hours)))


def _seed() -> None:
    from nameko.standalone.rpc import ClusterRpcProxy

    from .seed_data import demo_group
    from .seeding import LOADERS

    data = demo_group()
    group_id = data["group"]["group_id"]
    context = Tenant.system(group_id).to_context() | {"user_id": "seed"}
    config = {"AMQP_URI": settings.amqp_uri(), "serializer": "json"}
    with ClusterRpcProxy(config, context_data=context, timeout=60) as rpc:
        results = {name: load(rpc, data) for name, load in LOADERS.items()}
    for service, counts in results.items():
        click.echo(f"seeded {service:<10} " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@cli.command()
def seed() -> None:
    """Load the demo dealer group (3 sites, staff, catalog, parts, customers)."""
    _seed()


if __name__ == "__main__":
    cli()
