"""jobs, time, qc, attendance, comebacks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:03:09.610161
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
    sa.Column('work_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('found_by', sa.String(length=80), nullable=True),
    sa.Column('suggested_operations', sa.JSON(), nullable=False),
    sa.Column('suggested_parts', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('found_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('work_id', name=op.f('pk_additional_work'))
    )
    with op.batch_alter_table('additional_work', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_additional_work_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_additional_work_site_id'), ['site_id'], unique=False)

    op.create_table('bays',
    sa.Column('bay_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('bay_id', name=op.f('pk_bays'))
    )
    with op.batch_alter_table('bays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bays_site_id'), ['site_id'], unique=False)

    op.create_table('comebacks',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('original_order_id', sa.String(length=40), nullable=False),
    sa.Column('original_site_id', sa.String(length=40), nullable=False),
    sa.Column('original_job_id', sa.String(length=40), nullable=True),
    sa.Column('technician_id', sa.String(length=40), nullable=True),
    sa.Column('matched_by', sa.String(length=20), nullable=False),
    sa.Column('operation_code', sa.String(length=40), nullable=True),
    sa.Column('similarity', sa.Numeric(precision=4, scale=2), nullable=True),
    sa.Column('days_after_delivery', sa.Integer(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_comebacks'))
    )
    with op.batch_alter_table('comebacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comebacks_detected_at'), ['detected_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_comebacks_original_site_id'), ['original_site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comebacks_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_comebacks_technician_id'), ['technician_id'], unique=False)

    op.create_table('orders',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_number', sa.String(length=40), nullable=True),
    sa.Column('order_type', sa.String(length=20), nullable=True),
    sa.Column('customer_id', sa.String(length=40), nullable=True),
    sa.Column('vehicle_id', sa.String(length=40), nullable=True),
    sa.Column('vin', sa.String(length=17), nullable=True),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('complaint', sa.Text(), nullable=True),
    sa.Column('promised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('qc_status', sa.String(length=20), nullable=False),
    sa.Column('qc_passed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_orders'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_vin'), ['vin'], unique=False)

    op.create_table('part_holds',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('line_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('requisition_id', sa.String(length=40), nullable=False),
    sa.Column('part_number', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=12, scale=3), nullable=False),
    sa.Column('expected_at', sa.Date(), nullable=True),
    sa.Column('arrived_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('order_id', 'line_id', name=op.f('pk_part_holds'))
    )
    op.create_table('qc_checks',
    sa.Column('check_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=True),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('checked_by', sa.String(length=80), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('job_ids', sa.JSON(), nullable=False),
    sa.Column('responsible_technician_id', sa.String(length=40), nullable=True),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('check_id', name=op.f('pk_qc_checks'))
    )
    with op.batch_alter_table('qc_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qc_checks_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qc_checks_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qc_checks_site_id'), ['site_id'], unique=False)

    op.create_table('risk_notices',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('promised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('elapsed_share', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('open_jobs', sa.Integer(), nullable=False),
    sa.Column('noticed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('order_id', 'promised_at', name=op.f('pk_risk_notices'))
    )
    op.create_table('shift_patterns',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('working_days', sa.JSON(), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_shift_patterns'))
    )
    op.create_table('jobs',
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('line_id', sa.String(length=40), nullable=False),
    sa.Column('work_id', sa.String(length=40), nullable=True),
    sa.Column('operation_code', sa.String(length=40), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('standard_hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('payer', sa.String(length=20), nullable=False),
    sa.Column('skill', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('qc_stage', sa.String(length=30), nullable=True),
    sa.Column('technician_id', sa.String(length=40), nullable=True),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('bay_id', sa.String(length=40), nullable=True),
    sa.Column('planned_date', sa.Date(), nullable=False),
    sa.Column('pause_reason', sa.String(length=40), nullable=True),
    sa.Column('plate_confirmed_by', sa.String(length=40), nullable=True),
    sa.Column('plate_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rework_count', sa.Integer(), nullable=False),
    sa.Column('rework_reason', sa.Text(), nullable=True),
    sa.Column('first_done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.order_id'], name=op.f('fk_jobs_order_id_orders')),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('order_id', 'line_id', name='uq_jobs_order_line')
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_planned_date'), ['planned_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_technician_id'), ['technician_id'], unique=False)

    op.create_table('attendance',
    sa.Column('technician_id', sa.String(length=40), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('hours', sa.Numeric(precision=6, scale=1), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['technician_id'], ['technicians.technician_id'], name=op.f('fk_attendance_technician_id_technicians')),
    sa.PrimaryKeyConstraint('technician_id', 'day', name=op.f('pk_attendance'))
    )
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attendance_site_id'), ['site_id'], unique=False)

    op.create_table('clock_sessions',
    sa.Column('session_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('technician_id', sa.String(length=40), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.job_id'], name=op.f('fk_clock_sessions_job_id_jobs')),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_clock_sessions'))
    )
    with op.batch_alter_table('clock_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clock_sessions_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clock_sessions_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clock_sessions_started_at'), ['started_at'], unique=False)
        batch_op.create_index('uq_clock_sessions_open_technician', ['technician_id'], unique=True, postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))

    op.create_table('job_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('from_status', sa.String(length=20), nullable=True),
    sa.Column('to_status', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.job_id'], name=op.f('fk_job_history_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_history'))
    )
    with op.batch_alter_table('job_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_history_job_id'), ['job_id'], unique=False)

    op.create_table('reworks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('job_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('check_id', sa.String(length=40), nullable=False),
    sa.Column('stage', sa.String(length=30), nullable=False),
    sa.Column('technician_id', sa.String(length=40), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['check_id'], ['qc_checks.check_id'], name=op.f('fk_reworks_check_id_qc_checks')),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.job_id'], name=op.f('fk_reworks_job_id_jobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reworks'))
    )
    with op.batch_alter_table('reworks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reworks_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reworks_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reworks_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reworks_technician_id'), ['technician_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('reworks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reworks_technician_id'))
        batch_op.drop_index(batch_op.f('ix_reworks_site_id'))
        batch_op.drop_index(batch_op.f('ix_reworks_job_id'))
        batch_op.drop_index(batch_op.f('ix_reworks_at'))

    op.drop_table('reworks')
    with op.batch_alter_table('job_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_history_job_id'))

    op.drop_table('job_history')
    with op.batch_alter_table('clock_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_clock_sessions_open_technician', postgresql_where=sa.text('ended_at IS NULL'), sqlite_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_clock_sessions_started_at'))
        batch_op.drop_index(batch_op.f('ix_clock_sessions_site_id'))
        batch_op.drop_index(batch_op.f('ix_clock_sessions_job_id'))

    op.drop_table('clock_sessions')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attendance_site_id'))

    op.drop_table('attendance')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_technician_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_status'))
        batch_op.drop_index(batch_op.f('ix_jobs_site_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_planned_date'))
        batch_op.drop_index(batch_op.f('ix_jobs_order_id'))

    op.drop_table('jobs')
    op.drop_table('shift_patterns')
    op.drop_table('risk_notices')
    with op.batch_alter_table('qc_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_qc_checks_site_id'))
        batch_op.drop_index(batch_op.f('ix_qc_checks_order_id'))
        batch_op.drop_index(batch_op.f('ix_qc_checks_job_id'))

    op.drop_table('qc_checks')
    op.drop_table('part_holds')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_vin'))
        batch_op.drop_index(batch_op.f('ix_orders_site_id'))

    op.drop_table('orders')
    with op.batch_alter_table('comebacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comebacks_technician_id'))
        batch_op.drop_index(batch_op.f('ix_comebacks_site_id'))
        batch_op.drop_index(batch_op.f('ix_comebacks_original_site_id'))
        batch_op.drop_index(batch_op.f('ix_comebacks_detected_at'))

    op.drop_table('comebacks')
    with op.batch_alter_table('bays', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bays_site_id'))

    op.drop_table('bays')
    with op.batch_alter_table('additional_work', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_additional_work_site_id'))
        batch_op.drop_index(batch_op.f('ix_additional_work_order_id'))

    op.drop_table('additional_work')
