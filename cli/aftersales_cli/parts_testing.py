"""Test support for the parts service: the demo group's suppliers, tenants of every
parts role, and `Parts`, a handle on a running service (seed it, publish other
services' events to it, read what it published, check that its books balance).

Used by `services/parts/tests` (their `conftest.py` makes the fixtures) and by the
gateway's parts route tests.
"""

from __future__ import annotations

import copy
import json
import time
from decimal import Decimal
from typing import Any

from kombu import Connection, Producer
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import Engine, select

from aftersales_cli.seed_data import GROUP_ID, HANGZHOU, PUDONG, SUZHOU, demo_group
from aftersales_contracts import validate_payload
from aftersales_core.envelope import Envelope
from aftersales_core.messaging import event_exchange, oem_exchange, to_dealer_routing_key
from aftersales_core.tables import outbox
from aftersales_core.tenancy import Tenant

OTHER_GROUP = "grp-other"

SUPPLIERS = [
    {
        "supplier_id": "sup-saic-vw",
        "name": "上汽大众汽车有限公司",
        "kind": "oem",
        "oem_id": "oem-saic-vw",
        "site_ids": [PUDONG],
        "lead_time_days": 5,
        "emergency_lead_time_days": 2,
    },
    {
        "supplier_id": "sup-gac-toyota",
        "name": "广汽丰田汽车有限公司",
        "kind": "oem",
        "oem_id": "oem-gac-toyota",
        "site_ids": [SUZHOU],
        "lead_time_days": 4,
        "emergency_lead_time_days": 1,
    },
    {
        "supplier_id": "sup-faw-vw",
        "name": "一汽-大众汽车有限公司",
        "kind": "oem",
        "oem_id": "oem-faw-vw",
        "site_ids": [HANGZHOU],
        "lead_time_days": 6,
        "emergency_lead_time_days": 3,
    },
    {
        "supplier_id": "sup-local-hd",
        "name": "上海华东汽配商行",
        "kind": "local",
        "oem_id": None,
        "site_ids": [],
        "lead_time_days": 1,
        "emergency_lead_time_days": 0,
    },
]

SYSTEM = Tenant.system(GROUP_ID)
HQ = Tenant("hq.chen", GROUP_ID, (), ("hq_manager",))
OTHER_HQ = Tenant("hq.other", OTHER_GROUP, (), ("hq_manager",))
OTHER_KEEPER = Tenant("wh.other", OTHER_GROUP, ("site-other",), ("warehouse_keeper",))
MANAGER_PD = Tenant("pm.guo.pd", GROUP_ID, (PUDONG,), ("parts_manager",))
PLANNER_PD = Tenant("pp.he.pd", GROUP_ID, (PUDONG,), ("parts_planner", "parts_buyer"))
KEEPER_PD = Tenant("wh.gao.pd", GROUP_ID, (PUDONG,), ("warehouse_keeper",))
CLERK_PD = Tenant("pc.lin.pd", GROUP_ID, (PUDONG,), ("parts_counter_clerk",))
ADVISOR_PD = Tenant("sa.wang.pd", GROUP_ID, (PUDONG,), ("service_advisor",))
KEEPER_SZ = Tenant("wh.du.sz", GROUP_ID, (SUZHOU,), ("warehouse_keeper",))
MANAGER_SZ = Tenant("pm.yuan.sz", GROUP_ID, (SUZHOU,), ("parts_manager",))
KEEPER_HZ = Tenant("wh.mao.hz", GROUP_ID, (HANGZHOU,), ("warehouse_keeper", "parts_counter_clerk"))
MANAGER_HZ = Tenant(
    "pm.shao.hz", GROUP_ID, (HANGZHOU,), ("parts_manager", "parts_planner", "parts_buyer")
)
OEM = Tenant("oem.saicvw", GROUP_ID, (PUDONG,), ("oem",), "oem-saic-vw")

D = Decimal


def stock_at(site_id: str) -> dict[str, int]:
    """The demo group's opening stock of a site: part number -> quantity."""
    return {
        row["part_number"]: row["quantity"]
        for row in demo_group()["stock"]
        if row["site_id"] == site_id
    }  # noqa: E501


class Parts:
    """The running parts service and what a test needs around it."""

    def __init__(self, url: str, engine: Engine, container: Any, amqp_uri: str, rpc: Any) -> None:
        self.url = url
        self.engine = engine
        self.container = container
        self.amqp_uri = amqp_uri
        self._rpc = rpc

    def rpc(self, tenant: Tenant | None) -> Any:
        return self._rpc(tenant).parts

    def seed(self, *, stock: bool = True, suppliers: bool = True) -> dict[str, int]:
        data = demo_group()
        return self.rpc(SYSTEM).import_reference_data(
            {
                "group_id": GROUP_ID,
                "parts": data["parts"],
                "suppliers": copy.deepcopy(SUPPLIERS) if suppliers else [],
                "stock": data["stock"] if stock else [],
            }
        )

    # -- events in -------------------------------------------------------------------
    def publish(
        self,
        source: str,
        event_type: str,
        payload: dict[str, Any],
        *,
        site_id: str = PUDONG,
        group_id: str = GROUP_ID,
        wait: str | None = None,
        event_id: str | None = None,
    ) -> Envelope:
        """Publish another service's event as it would (checked against its contract)."""
        validate_payload(event_type, payload)
        envelope = Envelope(event_type, group_id, site_id, payload, payload.get("order_id"))
        if event_id:
            envelope = Envelope(
                event_type, group_id, site_id, payload, payload.get("order_id"), 1, event_id
            )
        if source == "oem":
            exchange, key = oem_exchange(), to_dealer_routing_key(group_id, event_type)
        else:
            exchange, key = event_exchange(source), event_type

        def send() -> None:
            with Connection(self.amqp_uri, transport_options={"confirm_publish": True}) as conn:
                Producer(conn.channel()).publish(
                    envelope.to_dict(), exchange=exchange, routing_key=key,
                    serializer="json", delivery_mode=2,
                )  # fmt: skip

        if wait:
            with entrypoint_waiter(self.container, wait, timeout=20):
                send()
        else:
            send()
        return envelope

    def request_parts(
        self,
        order_id: str,
        lines: list[tuple[str, str] | tuple[str, str, str]],
        *,
        site_id: str = PUDONG,
        approved_by: str = "sa.wang.pd",
        wait: bool = True,
    ) -> Envelope:
        """Reception's `part_requested` for an RO: lines of (part number, quantity[, payer])."""
        payload = {
            "order_id": order_id,
            "order_number": f"PD-{order_id[-6:]}",
            "vin": "LSVAL618XK2187342",
            "approved_by": approved_by,
            "lines": [
                {
                    "line_id": f"ln-{index}",
                    "part_number": line[0],
                    "quantity": line[1],
                    "payer": line[2] if len(line) > 2 else "customer",
                }
                for index, line in enumerate(lines, 1)
            ],
        }
        return self.publish(
            "reception",
            "part_requested",
            payload,
            site_id=site_id,
            wait="on_part_requested" if wait else None,
        )

    # -- events out ------------------------------------------------------------------
    def sent(self, event_type: str, *, wait_for: int = 0) -> list[dict[str, Any]]:
        """Envelopes parts recorded in its outbox, oldest first, each checked against its
        contract; waits (briefly) until at least `wait_for` are there."""
        deadline = time.monotonic() + 5
        while True:
            with self.engine.connect() as conn:
                rows = conn.execute(
                    select(outbox.c.body)
                    .where(outbox.c.event_type == event_type)
                    .order_by(outbox.c.id)
                ).all()
            bodies = [json.loads(row.body) for row in rows]
            if len(bodies) >= wait_for or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        for body in bodies:
            validate_payload(event_type, body["payload"])
        return bodies

    def payloads(self, event_type: str, **match: Any) -> list[dict[str, Any]]:
        return [
            body["payload"]
            for body in self.sent(event_type)
            if all(body["payload"].get(k) == v for k, v in match.items())
        ]

    def balanced(self, *sites: str) -> None:
        """账、卡、物相符 at every site named (default: all three)."""
        for site in sites or (PUDONG, SUZHOU, HANGZHOU):
            result = self.rpc(HQ).reconcile({"site_id": site})
            assert result["balanced"], result["mismatches"]

    def item(self, site_id: str, part_number: str, stock_class: str = "usable") -> dict[str, Any]:
        rows = self.rpc(HQ).list_stock(
            {"site_id": site_id, "part_number": part_number, "stock_class": stock_class}
        )["items"]
        assert len(rows) == 1, rows
        return rows[0]
