"""Outbox relay throughput against raw kombu confirmed publishing, in one process.

    .venv/bin/python bench/outbox_relay.py [--events 3000]

Needs the local RabbitMQ (a vhost is made and dropped) and PostgreSQL (a
database is made and dropped).  Writes bench/results/outbox_relay.json.  The
figure that matters is the ratio: this machine is noisy, absolute rates are not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import requests
from kombu import Connection, Exchange, Producer, Queue
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aftersales_core.envelope import Envelope
from aftersales_core.messaging import event_exchange
from aftersales_core.outbox import OutboxRelay, record
from aftersales_core.tables import PLUMBING_METADATA

AMQP = os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/")
MANAGEMENT = "http://127.0.0.1:15672/api"
POSTGRES = os.environ.get("DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/postgres")


def raw_kombu(uri: str, n: int) -> float:
    body = Envelope("bench_event", "grp", "site", {"i": 0, "note": "x" * 200}).to_dict()
    exchange = Exchange("bench-raw", type="topic", durable=True)
    with Connection(uri, transport_options={"confirm_publish": True}) as conn:
        channel = conn.channel()
        Queue("bench-raw-q", exchange, routing_key="#", durable=True)(channel).declare()
        producer = Producer(channel)
        start = time.perf_counter()
        for _ in range(n):
            producer.publish(
                body,
                exchange=exchange,
                routing_key="bench_event",
                serializer="json",
                delivery_mode=2,
            )
        return n / (time.perf_counter() - start)


def outbox(uri: str, db_url: str, n: int) -> tuple[float, float]:
    engine = create_engine(db_url)
    PLUMBING_METADATA.create_all(engine)
    with Connection(uri) as conn:
        channel = conn.channel()
        exchange = event_exchange("bench")
        exchange(channel).declare()
        Queue("bench-outbox-q", exchange, routing_key="#", durable=True)(channel).declare()
    start = time.perf_counter()
    for start_i in range(0, n, 100):  # a realistic transaction: a state change per commit
        with engine.begin() as conn:
            for i in range(start_i, min(n, start_i + 100)):
                record(
                    conn,
                    "bench",
                    Envelope("bench_event", "grp", "site", {"i": i, "note": "x" * 200}),
                    {},
                )
    record_rate = n / (time.perf_counter() - start)
    relay = OutboxRelay(engine, uri, batch_size=200)
    start = time.perf_counter()
    sent = relay.relay_all()
    relay_rate = sent / (time.perf_counter() - start)
    relay.close()
    engine.dispose()
    assert sent == n, (sent, n)
    return record_rate, relay_rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=3000)
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
        baseline = raw_kombu(uri, args.events)
        record_rate, relay_rate = outbox(uri, db_url, args.events)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
        requests.delete(f"{MANAGEMENT}/vhosts/{vhost}", auth=auth, timeout=10)
    result = {
        "benchmark": "outbox_relay",
        "events": args.events,
        "raw_kombu_confirmed_publish_per_s": round(baseline),
        "outbox_record_per_s": round(record_rate),
        "outbox_relay_per_s": round(relay_rate),
        "relay_vs_raw_kombu": round(relay_rate / baseline, 3),
        "machine": f"{platform.node()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    out = Path(__file__).parent / "results" / "outbox_relay.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
