"""The six processes of aftersales and where their code and migrations live."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from aftersales_core.messaging import Subscription, subscriptions_of


@dataclass(frozen=True)
class Process:
    name: str
    service_path: str  # "module:Class"

    @property
    def package(self) -> str:
        return self.service_path.split(".", 1)[0]

    def service_class(self) -> type:
        module, _, cls = self.service_path.partition(":")
        return getattr(importlib.import_module(module), cls)

    def migrations_dir(self) -> Path:
        return Path(str(resources.files(self.package) / "migrations"))


PROCESSES: dict[str, Process] = {
    p.name: p
    for p in (
        Process("reception", "aftersales_reception.service:ReceptionService"),
        Process("workshop", "aftersales_workshop.service:WorkshopService"),
        Process("parts", "aftersales_parts.service:PartsService"),
        Process("claims", "aftersales_claims.service:ClaimsService"),
        Process("customer-care", "aftersales_customer_care.service:CustomerCareService"),
        Process("gateway", "aftersales_gateway.service:GatewayService"),
    )
}


def all_subscriptions() -> list[Subscription]:
    found: list[Subscription] = []
    for process in PROCESSES.values():
        found.extend(subscriptions_of(process.service_class()))
    return found
