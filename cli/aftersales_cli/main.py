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
    if name == "gateway":
        _require_secret()
    port = os.environ.get("GATEWAY_PORT", "8000")
    host = os.environ.get("GATEWAY_HOST", "127.0.0.1")  # loopback unless told otherwise
    config = settings.nameko_config(name, WEB_SERVER_ADDRESS=f"{host}:{port}")
    runner = ServiceRunner(config)
    runner.add_service(PROCESSES[name].service_class())

    def shutdown(signum: int, _frame: Any) -> None:
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    runner.wait()


def _require_secret() -> None:
    """Refuse to start (or to sign a token) without a strong JWT_SECRET."""
    from aftersales_gateway.auth import InsecureSecret, secret

    try:
        secret()
    except InsecureSecret as exc:
        raise click.ClickException(str(exc)) from None


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
@click.option(
    "--demo-password",
    envvar="AFTERSALES_DEMO_PASSWORD",
    help="with --seed, in development mode: the demo staff's initial password",
)
def up(seed: bool, wait: float, demo_password: str | None) -> None:
    """Migrate, then start all six processes (each its own OS process) and keep them
    running: a process that dies is restarted with a growing pause while the others
    keep serving. Ctrl-C stops them all."""
    _require_secret()
    _migrate(list(PROCESSES))
    port = os.environ.get("GATEWAY_PORT", "8000")
    supervisor = Supervisor(list(PROCESSES))
    seeding = False

    def stop_all(*_: Any) -> None:
        supervisor.stopping = True
        if seeding:  # a silent broker must not hold Ctrl-C hostage
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop_all)
    signal.signal(signal.SIGTERM, stop_all)
    supervisor.start_all()
    try:
        deadline = time.monotonic() + wait
        status = 0
        while not supervisor.stopping and time.monotonic() < deadline:
            status, report = _health(port)
            if status == 200:
                break
            supervisor.tend()
            time.sleep(0.5)
        if status != 200:
            raise click.ClickException(f"the system did not become healthy: {status}")
        click.echo(
            f"aftersales is up: gateway http://127.0.0.1:{port}/  "
            f"docs http://127.0.0.1:{port}/docs  health http://127.0.0.1:{port}/health"
        )
        if seed:
            seeding = True
            try:
                _seed(demo_password)
            except KeyboardInterrupt:
                return
            finally:
                seeding = False
        click.echo("Ctrl-C stops every process.")
        while not supervisor.stopping:
            supervisor.tend()
            time.sleep(0.5)
    finally:
        supervisor.stop_all()


class Supervisor:
    """The six processes: started, restarted when one dies (1 s, 2 s, 4 s… up to 30 s;
    a process that ran a minute starts from 1 s again), stopped in order."""

    FIRST_PAUSE, LONGEST_PAUSE, HEALTHY_RUN = 1.0, 30.0, 60.0

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self.children: dict[str, subprocess.Popen[bytes]] = {}
        self.started: dict[str, float] = {}
        self.pause: dict[str, float] = dict.fromkeys(names, self.FIRST_PAUSE)
        self.restart_at: dict[str, float] = {}
        self.restarts: dict[str, int] = dict.fromkeys(names, 0)
        self.stopping = False

    def start(self, name: str) -> None:
        self.children[name] = subprocess.Popen(
            [sys.executable, "-m", "aftersales_cli", "run-service", name],
            start_new_session=True,  # Ctrl-C reaches us; we stop the children in order
        )
        self.started[name] = time.monotonic()

    def start_all(self) -> None:
        for name in self.names:
            self.start(name)

    def tend(self) -> None:
        """Restart what died, once its pause is over."""
        now = time.monotonic()
        for name, child in list(self.children.items()):
            code = child.poll()
            if code is None or self.stopping:
                continue
            if name not in self.restart_at:
                ran = now - self.started[name]
                if ran >= self.HEALTHY_RUN:
                    self.pause[name] = self.FIRST_PAUSE
                self.restart_at[name] = now + self.pause[name]
                click.echo(
                    f"{name} stopped (exit {code}) after {ran:.0f} s; "
                    f"restarting in {self.pause[name]:g} s",
                    err=True,
                )
                self.pause[name] = min(self.pause[name] * 2, self.LONGEST_PAUSE)
            elif now >= self.restart_at[name]:
                del self.restart_at[name]
                self.restarts[name] += 1
                self.start(name)
                click.echo(f"{name} restarted (restart {self.restarts[name]})", err=True)

    def stop_all(self) -> None:
        _stop(self.children)


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
    """Issue a token for an operator or a test (signed with $JWT_SECRET)."""
    from aftersales_gateway.auth import issue_token

    _require_secret()
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


def _seed(demo_password: str | None = None) -> None:
    from nameko.standalone.rpc import ClusterRpcProxy

    from aftersales_gateway.auth import dev_mode

    from .seed_data import demo_group
    from .seeding import LOADERS

    data = demo_group()
    if demo_password:
        if not dev_mode():
            raise click.UsageError("a demo password is for AFTERSALES_DEV_MODE=1 only")
        for person in data["staff"]:
            person["password"] = demo_password
    group_id = data["group"]["group_id"]
    context = Tenant.system(group_id).to_context() | {"user_id": "seed"}
    config = {"AMQP_URI": settings.amqp_uri(), "serializer": "json"}
    with ClusterRpcProxy(config, context_data=context, timeout=60) as rpc:
        results = {name: load(rpc, data) for name, load in LOADERS.items()}
    for service, counts in results.items():
        click.echo(f"seeded {service:<10} " + ", ".join(f"{k}={v}" for k, v in counts.items()))


@cli.command()
@click.option(
    "--demo-password",
    envvar="AFTERSALES_DEMO_PASSWORD",
    help="in development mode: the initial password of every demo staff member",
)
def seed(demo_password: str | None) -> None:
    """Load the demo dealer group (3 sites, staff, catalog, parts, customers)."""
    _seed(demo_password)


@cli.group()
def dlq() -> None:
    """Dead-letter queues: what failed and why; replay once the cause is fixed."""


@dlq.command("list")
def dlq_list() -> None:
    """Every dead-letter queue that holds messages, and how many."""
    from aftersales_core import deadletters

    found = deadletters.depths(settings.amqp_uri(), all_subscriptions())
    if not found:
        click.echo("no dead letters")
    for queue, count in sorted(found.items()):
        click.echo(f"{count:>6}  {queue}")


@dlq.command("show")
@click.argument("queue")
@click.option("--limit", default=10, show_default=True)
def dlq_show(queue: str, limit: int) -> None:
    """The messages of QUEUE (they stay there): why, how often, from where, the body."""
    from aftersales_core import deadletters

    for letter in deadletters.show(settings.amqp_uri(), queue, limit):
        click.echo(json.dumps(letter.to_dict(), ensure_ascii=False, default=str))


@dlq.command("replay")
@click.argument("queue")
@click.option("--limit", default=1000, show_default=True)
def dlq_replay(queue: str, limit: int) -> None:
    """Send QUEUE's messages back where they were published (after the fix)."""
    from aftersales_core import deadletters

    click.echo(f"replayed {deadletters.replay(settings.amqp_uri(), queue, limit)} message(s)")


@dlq.command("purge")
@click.argument("queue")
@click.confirmation_option(prompt="Drop every message of this dead-letter queue?")
def dlq_purge(queue: str) -> None:
    """Drop everything QUEUE holds (asks first; --yes to skip)."""
    from aftersales_core import deadletters

    click.echo(f"purged {deadletters.purge(settings.amqp_uri(), queue)} message(s)")


if __name__ == "__main__":
    cli()
