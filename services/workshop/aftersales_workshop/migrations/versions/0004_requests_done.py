"""requests done by Idempotency-Key

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 14:10:00
"""
from collections.abc import Sequence

from aftersales_core.migrate import create_missing_plumbing_tables
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_missing_plumbing_tables()


def downgrade() -> None:
    op.drop_table('requests_done')
