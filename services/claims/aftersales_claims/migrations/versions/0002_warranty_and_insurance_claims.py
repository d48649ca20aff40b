"""warranty and insurance claims

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:16:59.894554
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('insurance_claims',
    sa.Column('insurance_claim_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('claim_number', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('order_number', sa.String(length=60), nullable=True),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('insurer', sa.String(length=100), nullable=True),
    sa.Column('policy_number', sa.String(length=60), nullable=True),
    sa.Column('report_number', sa.String(length=60), nullable=True),
    sa.Column('accident_date', sa.Date(), nullable=True),
    sa.Column('accident_description', sa.Text(), nullable=True),
    sa.Column('rescue', sa.Boolean(), nullable=False),
    sa.Column('assessor', sa.String(length=100), nullable=True),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('estimated_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('approved_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('repair_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('repaired_on', sa.Date(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('payment_reference', sa.String(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('insurance_claim_id', name=op.f('pk_insurance_claims')),
    sa.UniqueConstraint('site_id', 'claim_number', name='uq_insurance_claims_site_number')
    )
    with op.batch_alter_table('insurance_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_claims_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_insurance_claims_vin', ['group_id', 'vin'], unique=False)

    op.create_table('labor_allowances',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('standard_hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('models', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'code', name=op.f('pk_labor_allowances'))
    )
    op.create_table('mileage_readings',
    sa.Column('reading_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('mileage', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=60), nullable=False),
    sa.Column('source_id', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('reading_id', name=op.f('pk_mileage_readings'))
    )
    with op.batch_alter_table('mileage_readings', schema=None) as batch_op:
        batch_op.create_index('ix_mileage_readings_vehicle', ['group_id', 'vin'], unique=False)

    op.create_table('number_sequences',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'kind', 'day', name=op.f('pk_number_sequences'))
    )
    op.create_table('recall_vehicles',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('recall_id', sa.String(length=60), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'recall_id', 'vin', name=op.f('pk_recall_vehicles'))
    )
    with op.batch_alter_table('recall_vehicles', schema=None) as batch_op:
        batch_op.create_index('ix_recall_vehicles_vin', ['group_id', 'vin'], unique=False)

    op.create_table('recalls',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('recall_id', sa.String(length=60), nullable=False),
    sa.Column('oem_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('vins', sa.JSON(), nullable=False),
    sa.Column('labor_operation_code', sa.String(length=40), nullable=True),
    sa.Column('part_numbers', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'recall_id', name=op.f('pk_recalls'))
    )
    op.create_table('repair_orders',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_number', sa.String(length=60), nullable=False),
    sa.Column('order_type', sa.String(length=20), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=True),
    sa.Column('mileage', sa.Integer(), nullable=True),
    sa.Column('complaint', sa.Text(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_repair_orders'))
    )
    op.create_table('vehicles',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=True),
    sa.Column('brand', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('sale_date', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('group_id', 'vin', name=op.f('pk_vehicles'))
    )
    op.create_table('warranty_claims',
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('claim_number', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('claim_type', sa.String(length=20), nullable=False),
    sa.Column('oem_id', sa.String(length=40), nullable=True),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('order_number', sa.String(length=60), nullable=True),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('recall_id', sa.String(length=60), nullable=True),
    sa.Column('mileage', sa.Integer(), nullable=True),
    sa.Column('repair_opened_on', sa.Date(), nullable=True),
    sa.Column('repair_completed_on', sa.Date(), nullable=True),
    sa.Column('complaint_code', sa.String(length=40), nullable=True),
    sa.Column('complaint', sa.Text(), nullable=True),
    sa.Column('cause_code', sa.String(length=40), nullable=True),
    sa.Column('cause', sa.Text(), nullable=True),
    sa.Column('correction_code', sa.String(length=40), nullable=True),
    sa.Column('correction', sa.Text(), nullable=True),
    sa.Column('causal_part_number', sa.String(length=40), nullable=True),
    sa.Column('part_fitted_on', sa.Date(), nullable=True),
    sa.Column('part_fitted_mileage', sa.Integer(), nullable=True),
    sa.Column('appraisal', sa.JSON(), nullable=True),
    sa.Column('labor_lines', sa.JSON(), nullable=False),
    sa.Column('part_lines', sa.JSON(), nullable=False),
    sa.Column('sublet_lines', sa.JSON(), nullable=False),
    sa.Column('claimed_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('brand', sa.String(length=60), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=True),
    sa.Column('sale_date', sa.Date(), nullable=True),
    sa.Column('submission_count', sa.Integer(), nullable=False),
    sa.Column('appeal', sa.Boolean(), nullable=False),
    sa.Column('appeal_comments', sa.Text(), nullable=True),
    sa.Column('first_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('oem_claim_number', sa.String(length=60), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('approved_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('reason_code', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('payment_reference', sa.String(length=60), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_warranty_claims')),
    sa.UniqueConstraint('site_id', 'claim_number', name='uq_warranty_claims_site_number')
    )
    with op.batch_alter_table('warranty_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warranty_claims_oem_id'), ['oem_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_warranty_claims_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_warranty_claims_site_status', ['site_id', 'status'], unique=False)
        batch_op.create_index('ix_warranty_claims_vin', ['group_id', 'vin'], unique=False)

    op.create_table('warranty_terms',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('brand', sa.String(length=60), nullable=False),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('oem_id', sa.String(length=40), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('km', sa.Integer(), nullable=False),
    sa.Column('first_maintenance_months', sa.Integer(), nullable=False),
    sa.Column('first_maintenance_km', sa.Integer(), nullable=False),
    sa.Column('first_maintenance_operations', sa.JSON(), nullable=False),
    sa.Column('parts_months', sa.Integer(), nullable=False),
    sa.Column('parts_km', sa.Integer(), nullable=False),
    sa.Column('duplicate_window_days', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('group_id', 'brand', 'model', name=op.f('pk_warranty_terms'))
    )
    op.create_table('insurance_claim_history',
    sa.Column('entry_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('insurance_claim_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['insurance_claim_id'], ['insurance_claims.insurance_claim_id'], name=op.f('fk_insurance_claim_history_insurance_claim_id_insurance_claims')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_insurance_claim_history'))
    )
    with op.batch_alter_table('insurance_claim_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_insurance_claim_history_insurance_claim_id'), ['insurance_claim_id'], unique=False)

    op.create_table('warranty_claim_decisions',
    sa.Column('decision_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('submission_count', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('approved_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason_code', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('oem_claim_number', sa.String(length=60), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['warranty_claims.claim_id'], name=op.f('fk_warranty_claim_decisions_claim_id_warranty_claims')),
    sa.PrimaryKeyConstraint('decision_id', name=op.f('pk_warranty_claim_decisions'))
    )
    with op.batch_alter_table('warranty_claim_decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warranty_claim_decisions_claim_id'), ['claim_id'], unique=False)

    op.create_table('warranty_claim_history',
    sa.Column('entry_id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['warranty_claims.claim_id'], name=op.f('fk_warranty_claim_history_claim_id_warranty_claims')),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_warranty_claim_history'))
    )
    with op.batch_alter_table('warranty_claim_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warranty_claim_history_claim_id'), ['claim_id'], unique=False)

    op.create_table('warranty_claim_submissions',
    sa.Column('claim_id', sa.String(length=40), nullable=False),
    sa.Column('submission_count', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=80), nullable=False),
    sa.Column('claimed_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('appeal', sa.Boolean(), nullable=False),
    sa.Column('message_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['warranty_claims.claim_id'], name=op.f('fk_warranty_claim_submissions_claim_id_warranty_claims')),
    sa.PrimaryKeyConstraint('claim_id', 'submission_count', name=op.f('pk_warranty_claim_submissions'))
    )


def downgrade() -> None:
    op.drop_table('warranty_claim_submissions')
    with op.batch_alter_table('warranty_claim_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warranty_claim_history_claim_id'))

    op.drop_table('warranty_claim_history')
    with op.batch_alter_table('warranty_claim_decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warranty_claim_decisions_claim_id'))

    op.drop_table('warranty_claim_decisions')
    with op.batch_alter_table('insurance_claim_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_insurance_claim_history_insurance_claim_id'))

    op.drop_table('insurance_claim_history')
    op.drop_table('warranty_terms')
    with op.batch_alter_table('warranty_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_warranty_claims_vin')
        batch_op.drop_index('ix_warranty_claims_site_status')
        batch_op.drop_index(batch_op.f('ix_warranty_claims_order_id'))
        batch_op.drop_index(batch_op.f('ix_warranty_claims_oem_id'))

    op.drop_table('warranty_claims')
    op.drop_table('vehicles')
    op.drop_table('repair_orders')
    op.drop_table('recalls')
    with op.batch_alter_table('recall_vehicles', schema=None) as batch_op:
        batch_op.drop_index('ix_recall_vehicles_vin')

    op.drop_table('recall_vehicles')
    op.drop_table('number_sequences')
    with op.batch_alter_table('mileage_readings', schema=None) as batch_op:
        batch_op.drop_index('ix_mileage_readings_vehicle')

    op.drop_table('mileage_readings')
    op.drop_table('labor_allowances')
    with op.batch_alter_table('insurance_claims', schema=None) as batch_op:
        batch_op.drop_index('ix_insurance_claims_vin')
        batch_op.drop_index(batch_op.f('ix_insurance_claims_order_id'))

    op.drop_table('insurance_claims')
