"""initial claims schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 00:03:10.952279
"""
from collections.abc import Sequence

import sqlalchemy as sa
from aftersales_core.migrate import create_plumbing_tables, drop_plumbing_tables
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_plumbing_tables()


def downgrade() -> None:
    drop_plumbing_tables()
