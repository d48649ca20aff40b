"""The gateway's route table: one module per service it fronts, each a list of rows
(`ROUTES`) and, where the gateway itself serves a row, a mixin with those methods."""

from __future__ import annotations

from importlib import import_module

from aftersales_core.tenancy import ROLES

from ..routing import Route, check_table

MODULES = (
    "ops",
    "directory",
    "auth",
    "users",
    "reception",
    "workshop",
    "parts",
    "claims",
    "customer_care",
)

_modules = [import_module(f"{__name__}.{name}") for name in MODULES]
MIXINS = [
    cls
    for module in _modules
    for cls in vars(module).values()
    if isinstance(cls, type)
    and cls.__module__ == module.__name__
    and cls.__name__.endswith("Routes")
]
TABLE: list[Route] = [route for module in _modules for route in getattr(module, "ROUTES", [])]
check_table(TABLE, ROLES)
