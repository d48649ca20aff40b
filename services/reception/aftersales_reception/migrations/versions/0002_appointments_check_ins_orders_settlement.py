"""appointments check-ins orders settlement

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:55:28.678277
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('additional_work',
    sa.Column('work_id', sa.String(length=60), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=60), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('found_by', sa.String(length=80), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operations', sa.JSON(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('estimated_hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('estimate_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('suggested_promised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('work_id', name=op.f('pk_additional_work'))
    )
    with op.batch_alter_table('additional_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_additional_work_order_id'), ['order_id'], unique=False)

    op.create_table('appointments',
    sa.Column('appointment_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('slot_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('estimated_hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('estimate_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('requested_work', sa.JSON(), nullable=False),
    sa.Column('operations', sa.JSON(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('service_advisor_id', sa.String(length=80), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('appointment_id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index('ix_appointments_site_day', ['site_id', 'day'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('check_ins',
    sa.Column('check_in_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('appointment_id', sa.String(length=40), nullable=True),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('mileage', sa.Integer(), nullable=False),
    sa.Column('mileage_reason', sa.Text(), nullable=True),
    sa.Column('previous_mileage', sa.Integer(), nullable=True),
    sa.Column('fuel_level', sa.Integer(), nullable=False),
    sa.Column('damage_marks', sa.JSON(), nullable=False),
    sa.Column('valuables', sa.JSON(), nullable=False),
    sa.Column('items_left', sa.JSON(), nullable=False),
    sa.Column('complaint', sa.Text(), nullable=False),
    sa.Column('notices', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('signed_by', sa.String(length=200), nullable=True),
    sa.Column('signature_method', sa.String(length=20), nullable=True),
    sa.Column('signature_ref', sa.String(length=500), nullable=True),
    sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('check_in_id', name=op.f('pk_check_ins'))
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_ins_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('entity_type', sa.String(length=20), nullable=False),
    sa.Column('entity_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_history'))
    )
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.create_index('ix_history_entity', ['entity_type', 'entity_id'], unique=False)

    op.create_table('order_counters',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'day', name=op.f('pk_order_counters'))
    )
    op.create_table('order_jobs',
    sa.Column('job_id', sa.String(length=60), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('line_id', sa.String(length=40), nullable=True),
    sa.Column('technician_id', sa.String(length=80), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('clocked_hours', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_order_jobs'))
    )
    with op.batch_alter_table('order_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_jobs_order_id'), ['order_id'], unique=False)

    op.create_table('order_qc',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('inspector_id', sa.String(length=80), nullable=False),
    sa.Column('job_ids', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_order_qc'))
    )
    with op.batch_alter_table('order_qc', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_qc_order_id'), ['order_id'], unique=False)

    op.create_table('orders',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('order_number', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('check_in_id', sa.String(length=40), nullable=True),
    sa.Column('appointment_id', sa.String(length=40), nullable=True),
    sa.Column('order_type', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('mileage', sa.Integer(), nullable=False),
    sa.Column('complaint', sa.Text(), nullable=False),
    sa.Column('fuel_level', sa.Integer(), nullable=True),
    sa.Column('promised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('old_part_disposition', sa.String(length=30), nullable=False),
    sa.Column('wash', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('service_advisor_id', sa.String(length=80), nullable=False),
    sa.Column('tax_rate', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('prices_include_tax', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('customer_signature', sa.JSON(), nullable=True),
    sa.Column('at_risk_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('discount_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('discount_status', sa.String(length=20), nullable=False),
    sa.Column('discount_reason', sa.Text(), nullable=True),
    sa.Column('discount_requested_by', sa.String(length=80), nullable=True),
    sa.Column('discount_approved_by', sa.String(length=80), nullable=True),
    sa.Column('statement', sa.JSON(), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settled_by', sa.String(length=80), nullable=True),
    sa.Column('exit_pass_number', sa.String(length=40), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_by', sa.String(length=80), nullable=True),
    sa.Column('next_service_date', sa.Date(), nullable=True),
    sa.Column('next_service_mileage', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_orders')),
    sa.UniqueConstraint('order_number', name='uq_orders_order_number')
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index('ix_orders_site_status', ['site_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('part_movements',
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('line_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('requisition_id', sa.String(length=60), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_part_movements'))
    )
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_movements_order_id'), ['order_id'], unique=False)

    op.create_table('payments',
    sa.Column('payment_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('payment_id', name=op.f('pk_payments'))
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_order_id'), ['order_id'], unique=False)

    op.create_table('recall_vehicles',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('recall_id', sa.String(length=60), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('completed_order_id', sa.String(length=40), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('group_id', 'recall_id', 'vin', name=op.f('pk_recall_vehicles'))
    )
    op.create_table('recalls',
    sa.Column('recall_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('oem_id', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('labor_operation_code', sa.String(length=40), nullable=True),
    sa.Column('part_numbers', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('recall_id', 'group_id', name=op.f('pk_recalls'))
    )
    op.create_table('recommendations',
    sa.Column('recommendation_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('work_id', sa.String(length=60), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('operations', sa.JSON(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('estimate_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('taken_up_order_id', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('recommendation_id', name=op.f('pk_recommendations'))
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendations_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('sites',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=12), nullable=True),
    sa.Column('tax_rate', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('prices_include_tax', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_sites'))
    )
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sites_group_id'), ['group_id'], unique=False)

    op.create_table('order_lines',
    sa.Column('line_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('payer', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('to_be_confirmed', sa.Boolean(), nullable=False),
    sa.Column('free', sa.Boolean(), nullable=False),
    sa.Column('free_reason', sa.String(length=300), nullable=True),
    sa.Column('skill', sa.String(length=40), nullable=True),
    sa.Column('unit', sa.String(length=20), nullable=True),
    sa.Column('work_id', sa.String(length=60), nullable=True),
    sa.Column('recommendation_id', sa.String(length=40), nullable=True),
    sa.Column('backordered_until', sa.Date(), nullable=True),
    sa.Column('backordered', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_order_lines_order_id_orders')),
    sa.PrimaryKeyConstraint('line_id', name=op.f('pk_order_lines'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_service_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('next_service_mileage', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('vehicles', schema=None) as batch_op:
        batch_op.drop_column('next_service_mileage')
        batch_op.drop_column('next_service_date')

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_order_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sites_group_id'))

    op.drop_table('sites')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendations_vehicle_id'))

    op.drop_table('recommendations')
    op.drop_table('recalls')
    op.drop_table('recall_vehicles')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payments_order_id'))

    op.drop_table('payments')
    with op.batch_alter_table('part_movements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_movements_order_id'))

    op.drop_table('part_movements')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_vehicle_id'))
        batch_op.drop_index('ix_orders_site_status')
        batch_op.drop_index(batch_op.f('ix_orders_customer_id'))

    op.drop_table('orders')
    with op.batch_alter_table('order_qc', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_qc_order_id'))

    op.drop_table('order_qc')
    with op.batch_alter_table('order_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_jobs_order_id'))

    op.drop_table('order_jobs')
    op.drop_table('order_counters')
    with op.batch_alter_table('history', schema=None) as batch_op:
        batch_op.drop_index('ix_history_entity')

    op.drop_table('history')
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_check_ins_site_id'))

    op.drop_table('check_ins')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_vehicle_id'))
        batch_op.drop_index('ix_appointments_site_day')

    op.drop_table('appointments')
    with op.batch_alter_table('additional_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_additional_work_order_id'))

    op.drop_table('additional_work')
