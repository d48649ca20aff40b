"""What the workshop costs where others wait on it, in one process on the local servers.

    .venv/bin/python services/workshop/bench/workshop_rpc.py [--orders 200]

- order_approved handling: events/s with three labor lines each (jobs made, inbox, commit);
- `capacity` (reception asks it for every appointment): sequential RPC latency;
- `dispatch_board` of a site holding every job made above;
- one technician's cycle: dispatch, plate check, clock on, clock off (4 commands).

Needs the local RabbitMQ (a vhost is made and dropped) and PostgreSQL (a database is
made and dropped).  Writes services/workshop/bench/results/workshop_rpc.json.  The
machine is noisy: read the figures as orders of magnitude.
"""

from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import quote  # noqa: E402

import requests  # noqa: E402
from kombu import Connection, Producer  # noqa: E402
from nameko.runners import ServiceRunner  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from aftersales_cli.processes import PROCESSES  # noqa: E402
from aftersales_cli.seed_data import GROUP_ID, PUDONG, demo_group  # noqa: E402
from aftersales_contracts import example  # noqa: E402
from aftersales_core.config import nameko_config  # noqa: E402
from aftersales_core.envelope import Envelope  # noqa: E402
from aftersales_core.messaging import declare_topology, event_exchange, subscriptions_of  # noqa: E402
from aftersales_core.migrate import upgrade  # noqa: E402
from aftersales_core.tenancy import Tenant  # noqa: E402
from aftersales_workshop.service import WorkshopService  # noqa: E402

AMQP = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
MANAGEMENT = "http://127.0.0.1:15672/api"
POSTGRES = os.environ.get("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")
DISPATCHER = Tenant("disp.ma.pd", GROUP_ID, (PUDONG,), ("dispatcher",))
LIU = Tenant("tech.liu.pd", GROUP_ID, (PUDONG,), ("technician",))


def ms(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "mean_ms": round(statistics.mean(samples) * 1000, 1),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1] * 1000, 1),
    }


def timed(n: int, call: object) -> list[float]:
    out = []
    for i in range(n):
        start = time.perf_counter()
        call(i)  # type: ignore[operator]
        out.append(time.perf_counter() - start)
    return out


def run(uri: str, db_url: str, orders: int) -> dict[str, object]:
    upgrade(PROCESSES["workshop"].migrations_dir(), db_url)
    config = nameko_config("workshop")
    config.update({"AMQP_URI": uri, "DATABASE_URL": db_url})
    declare_topology(uri, subscriptions_of(WorkshopService))
    runner = ServiceRunner(config)
    runner.add_service(WorkshopService)
    runner.start()
    rpc_config = {"AMQP_URI": uri, "serializer": "json"}
    group = demo_group()
    try:
        with ClusterRpcProxy(rpc_config, context_data=Tenant.system(GROUP_ID).to_context()) as rpc:
            rpc.workshop.import_reference_data(
                {"group_id": GROUP_ID, "teams": group["teams"], "technicians": group["technicians"]}
            )
        # Reception approves `orders` ROs of three labor lines each.
        base = example("order_approved")["payload"]
        lines = [
            {**base["labor_lines"][0], "line_id": "ln-1"},
            {**base["labor_lines"][1], "line_id": "ln-2"},
            {**base["labor_lines"][1], "line_id": "ln-3", "operation_code": "ALN-4W"},
        ]
        engine = create_engine(db_url)
        start = time.perf_counter()
        with Connection(uri, transport_options={"confirm_publish": True}) as conn:
            producer = Producer(conn.channel())
            for n in range(orders):
                payload = copy.deepcopy(base)
                payload.update({"order_id": f"ro-bench-{n:05d}", "labor_lines": lines})
                producer.publish(
                    Envelope("order_approved", GROUP_ID, PUDONG, payload).to_dict(),
                    exchange=event_exchange("reception"),
                    routing_key="order_approved",
                    serializer="json",
                    delivery_mode=2,
                )
        while True:
            with engine.connect() as conn:
                jobs = conn.execute(text("SELECT count(*) FROM jobs")).scalar_one()
            if jobs == orders * 3:
                break
            time.sleep(0.02)
        approved_rate = orders / (time.perf_counter() - start)
        engine.dispose()

        with ClusterRpcProxy(rpc_config, context_data=DISPATCHER.to_context()) as rpc:
            workshop = rpc.workshop
            capacity = timed(300, lambda _: workshop.capacity(PUDONG, "2026-11-25"))
            board = timed(20, lambda _: workshop.dispatch_board(PUDONG))
            size = sum(workshop.dispatch_board(PUDONG)["counts"].values())
            job_ids = [
                j["job_id"] for j in workshop.dispatch_board(PUDONG)["columns"]["unassigned"][:50]
            ]
            with ClusterRpcProxy(rpc_config, context_data=LIU.to_context()) as tech_rpc:
                liu = tech_rpc.workshop

                def cycle(i: int) -> None:
                    job_id = job_ids[i]
                    workshop.dispatch(job_id, {"technician_id": "tech.liu.pd"})
                    liu.confirm_plate(job_id, {"plate": base["plate"]})
                    liu.clock_on(job_id, {})
                    liu.clock_off(job_id, {"done": True})

                cycles = timed(len(job_ids), cycle)
    finally:
        runner.stop()
    return {
        "order_approved_per_s": round(approved_rate, 1),
        "jobs_made": orders * 3,
        "capacity_rpc": ms(capacity),
        "dispatch_board_rpc": {**ms(board), "jobs_on_board": size},
        "technician_cycle_4_commands": ms(cycles),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    args = parser.parse_args()
    vhost = f"bench-{uuid.uuid4().hex[:6]}"
    auth = ("guest", "guest")
    requests.put(f"{MANAGEMENT}/vhosts/{vhost}", auth=auth, timeout=10).raise_for_status()
    requests.put(
        f"{MANAGEMENT}/permissions/{vhost}/guest",
        auth=auth,
        timeout=10,
        json={"configure": ".*", "write": ".*", "read": ".*"},
    ).raise_for_status()
    uri = AMQP.rstrip("/") + "/" + quote(vhost, safe="")
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    db_name = f"bench_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db_name}"'))
    db_url = make_url(POSTGRES).set(database=db_name).render_as_string(hide_password=False)
    try:
        figures = run(uri, db_url, args.orders)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        requests.delete(f"{MANAGEMENT}/vhosts/{vhost}", auth=auth, timeout=10)
    result = {
        "benchmark": "workshop_rpc",
        "orders": args.orders,
        **figures,
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = Path(__file__).parent / "results" / "workshop_rpc.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
