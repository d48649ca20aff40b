"""initial customer-care schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 00:03:11.694124
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
    op.create_table('archive_customers',
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('customer_class', sa.String(length=20), nullable=False),
    sa.Column('registered_by', sa.String(length=80), nullable=True),
    sa.Column('recorded_for', sa.String(length=80), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_archive_customers'))
    )
    with op.batch_alter_table('archive_customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_customers_site_id'), ['site_id'], unique=False)

    op.create_table('archive_vehicles',
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('brand', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('sale_date', sa.Date(), nullable=True),
    sa.Column('mileage', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('vehicle_id', name=op.f('pk_archive_vehicles'))
    )
    with op.batch_alter_table('archive_vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_vehicles_customer_id'), ['customer_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('archive_vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_vehicles_customer_id'))

    op.drop_table('archive_vehicles')
    with op.batch_alter_table('archive_customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_customers_site_id'))

    op.drop_table('archive_customers')
    drop_plumbing_tables()
