"""Loading the demo group into a running system: one loader per service.

Each loader takes the RPC proxy and the demo data and returns what it added;
every service's import is idempotent, so seeding twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Loader = Callable[[Any, dict[str, Any]], dict[str, int]]


def gateway(rpc: Any, data: dict[str, Any]) -> dict[str, int]:
    return rpc.gateway.import_directory(
        {"group": data["group"], "sites": data["sites"], "staff": data["staff"]}
    )


def reception(rpc: Any, data: dict[str, Any]) -> dict[str, int]:
    """The group's sites (as the directory has them: reception asks no one else), its
    labor catalog, rates and customers."""
    return rpc.reception.import_reference_data(
        {
            "group_id": data["group"]["group_id"],
            "sites": data["sites"],
            "labor_operations": data["labor_operations"],
            "labor_rates": data["labor_rates"],
            "customers": data["customers"],
        }
    )


def workshop(rpc: Any, data: dict[str, Any]) -> dict[str, int]:
    """Teams (each led by its first technician, as the seed data lists them) and
    technicians."""
    leaders: dict[str, str] = {}
    for technician in data["technicians"]:
        if technician.get("team_id"):
            leaders.setdefault(technician["team_id"], technician["technician_id"])
    teams = [
        {**team, "leader_id": team.get("leader_id") or leaders.get(team["team_id"])}
        for team in data["teams"]
    ]
    return rpc.workshop.import_reference_data(
        {
            "group_id": data["group"]["group_id"],
            "teams": teams,
            "technicians": data["technicians"],
        }
    )


def parts(rpc: Any, data: dict[str, Any]) -> dict[str, int]:
    """The catalog, suppliers per site, and opening stock booked into the ledger."""
    return rpc.parts.import_reference_data(
        {
            "group_id": data["group"]["group_id"],
            "parts": data["parts"],
            "suppliers": data["suppliers"],
            "stock": data["stock"],
        }
    )


def claims(rpc: Any, data: dict[str, Any]) -> dict[str, int]:
    """Each brand's warranty terms and the labor catalog claims check hours against."""
    return rpc.claims.import_reference_data(
        {
            "group_id": data["group"]["group_id"],
            "warranty_terms": data["warranty_terms"],
            "labor_operations": data["labor_operations"],
        }
    )


def customer_care(rpc: Any, data: dict[str, Any]) -> dict[str, int]:
    """Care agents of each site; customers are then assigned to them, balanced by count."""
    return rpc["customer-care"].import_reference_data(
        {
            "group_id": data["group"]["group_id"],
            "agents": [s for s in data["staff"] if "customer_care_agent" in s["roles"]],
        }
    )


# In dependency order: the directory first, then each service's reference data.
LOADERS: dict[str, Loader] = {
    "gateway": gateway,
    "customer-care": customer_care,
    "reception": reception,
    "workshop": workshop,
    "parts": parts,
    "claims": claims,
}
