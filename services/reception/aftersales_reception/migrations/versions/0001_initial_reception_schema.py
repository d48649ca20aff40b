"""initial reception schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 00:02:22.642818
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
    op.create_table('customers',
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phones', sa.JSON(), nullable=False),
    sa.Column('address', sa.String(length=500), nullable=True),
    sa.Column('customer_class', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customers'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_customers_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_customers_site_id'), ['site_id'], unique=False)

    op.create_table('labor_operations',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('standard_hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('models', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'code', name=op.f('pk_labor_operations'))
    )
    op.create_table('labor_rates',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('payer', sa.String(length=20), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'payer', name=op.f('pk_labor_rates'))
    )
    op.create_table('vehicles',
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('brand', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('colour', sa.String(length=40), nullable=True),
    sa.Column('engine_number', sa.String(length=40), nullable=True),
    sa.Column('sale_date', sa.Date(), nullable=True),
    sa.Column('mileage', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.customer_id'], name=op.f('fk_vehicles_customer_id_customers')),
    sa.PrimaryKeyConstraint('vehicle_id', name=op.f('pk_vehicles')),
    sa.UniqueConstraint('group_id', 'vin', name='uq_vehicles_group_vin')
    )
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicles_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vehicles_site_id'), ['site_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicles_site_id'))
        batch_op.drop_index(batch_op.f('ix_vehicles_customer_id'))

    op.drop_table('vehicles')
    op.drop_table('labor_rates')
    op.drop_table('labor_operations')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customers_site_id'))
        batch_op.drop_index(batch_op.f('ix_customers_group_id'))

    op.drop_table('customers')
    drop_plumbing_tables()
