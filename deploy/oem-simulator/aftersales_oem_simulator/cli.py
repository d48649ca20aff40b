"""`aftersales-oem-simulator`: run the simulated OEM, check a configuration, send a recall."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from kombu import Connection, Producer

from .rules import ConfigError, load_config
from .simulator import Simulator, State, oem_exchange, recall_envelope, to_dealer

DEFAULT_AMQP_URI = "amqp://guest:guest@127.0.0.1:5672/"


def read_config(path: str | None) -> dict[str, Any]:
    """The JSON configuration at `path` (or $OEM_SIMULATOR_CONFIG), else the packaged demo."""
    path = path or os.environ.get("OEM_SIMULATOR_CONFIG")
    if path:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    text = resources.files("aftersales_oem_simulator").joinpath("default-config.json")
    return json.loads(text.read_text(encoding="utf-8"))


def _run(args: argparse.Namespace) -> int:
    config = load_config(read_config(args.config))
    state = State(args.state)
    simulator = Simulator(config, args.amqp_uri, state, queue_name=args.queue)
    simulator.install_signal_handlers()

    def ready() -> None:
        print("aftersales-oem-simulator ready", flush=True)

    simulator.run(ready=ready)
    return 0


def _check(args: argparse.Namespace) -> int:
    config = load_config(read_config(args.config))
    print(
        f"ok: {len(config.warranty_rules)} warranty rule(s), {len(config.parts_rules)} parts "
        f"rule(s), {len(config.recalls)} recall(s)"
    )
    return 0


def _send_recall(args: argparse.Namespace) -> int:
    """Publish one recall notice now (confirmed by the broker), outside the running process."""
    recall = json.loads(Path(args.file).read_text(encoding="utf-8"))
    body = recall_envelope(args.group, recall)
    with Connection(args.amqp_uri, transport_options={"confirm_publish": True}) as conn:
        Producer(conn.channel()).publish(
            json.dumps(body, ensure_ascii=False),
            exchange=oem_exchange(),
            routing_key=to_dealer(args.group, "recall_notice"),
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=body["event_id"],
            declare=[oem_exchange()],
        )
    print(f"recall {recall['recall_id']} sent to {args.group} ({body['event_id']})")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="aftersales-oem-simulator", description=__doc__)
    amqp = os.environ.get("AMQP_URI", DEFAULT_AMQP_URI)
    sub = top.add_subparsers(dest="command")
    run = sub.add_parser("run", help="consume OEM messages and answer them (the default)")
    for p, suppress in ((top, False), (run, True)):
        # A subcommand's defaults would overwrite options given before it: suppress them.
        def default(value: Any, suppress: bool = suppress) -> Any:
            return argparse.SUPPRESS if suppress else value

        p.add_argument(
            "--config",
            default=default(None),
            help="JSON rules (default: $OEM_SIMULATOR_CONFIG or the demo)",
        )
        p.add_argument("--amqp-uri", default=default(amqp), help="broker (default: $AMQP_URI)")
        p.add_argument(
            "--state",
            default=default(os.environ.get("OEM_SIMULATOR_STATE", "var/oem-simulator.db")),
            help="SQLite file remembering what was handled and what is still to send",
        )
        p.add_argument(
            "--queue", default=default(os.environ.get("OEM_SIMULATOR_QUEUE", "oem-simulator"))
        )
    check = sub.add_parser("check-config", help="validate a configuration and exit")
    check.add_argument("--config")
    recall = sub.add_parser("send-recall", help="send a recall notice (JSON file) to a group")
    recall.add_argument("--group", required=True)
    recall.add_argument("--file", required=True)
    recall.add_argument("--amqp-uri", default=amqp)
    return top


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(
        level=os.environ.get("OEM_SIMULATOR_LOG_LEVEL", "INFO"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    args = parser().parse_args(argv)
    handlers = {None: _run, "run": _run, "check-config": _check, "send-recall": _send_recall}
    try:
        sys.exit(handlers[args.command](args))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        sys.exit(2)
