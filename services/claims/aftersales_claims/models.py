"""Claims' tables (the warranty and insurance tables arrive with the Claims issue)."""

from __future__ import annotations

from aftersales_core.models import declarative_base

Base = declarative_base()
