"""initial parts schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 00:03:10.374742
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
    op.create_table('parts',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('models', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'part_number', name=op.f('pk_parts'))
    )


def downgrade() -> None:
    op.drop_table('parts')
    drop_plumbing_tables()
