"""follow-ups, complaints, reminders, visits

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 00:55:42.422529
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('agents',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=80), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('site_id', 'user_id', name=op.f('pk_agents'))
    )
    op.create_table('complaints',
    sa.Column('complaint_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=True),
    sa.Column('customer_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('vehicle_id', sa.String(length=40), nullable=True),
    sa.Column('order_id', sa.String(length=40), nullable=True),
    sa.Column('followup_id', sa.String(length=40), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=30), nullable=True),
    sa.Column('at_risk', sa.Boolean(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('registered_by', sa.String(length=80), nullable=False),
    sa.Column('acknowledge_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolve_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('valid', sa.Boolean(), nullable=True),
    sa.Column('department', sa.String(length=30), nullable=True),
    sa.Column('responsible_person', sa.String(length=200), nullable=True),
    sa.Column('findings', sa.Text(), nullable=True),
    sa.Column('solutions', sa.JSON(), nullable=False),
    sa.Column('approved_solution', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('customer_accepted', sa.Boolean(), nullable=True),
    sa.Column('customer_satisfied', sa.Boolean(), nullable=True),
    sa.Column('classification', sa.String(length=30), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=80), nullable=True),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('escalation_reasons', sa.JSON(), nullable=False),
    sa.Column('acknowledge_escalated', sa.Boolean(), nullable=False),
    sa.Column('resolution_escalated', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('complaint_id', name=op.f('pk_complaints'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_status'), ['status'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_customer_id'), ['customer_id'], unique=False)

    op.create_table('followups',
    sa.Column('followup_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('order_number', sa.String(length=60), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=True),
    sa.Column('customer_class', sa.String(length=20), nullable=True),
    sa.Column('mandatory', sa.Boolean(), nullable=False),
    sa.Column('agent_id', sa.String(length=80), nullable=True),
    sa.Column('service_advisor_id', sa.String(length=80), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=80), nullable=True),
    sa.Column('satisfaction', sa.String(length=20), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('would_recommend', sa.Integer(), nullable=True),
    sa.Column('survey_index', sa.Numeric(precision=4, scale=1), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('complaint_id', sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint('followup_id', name=op.f('pk_followups')),
    sa.UniqueConstraint('order_id', name=op.f('uq_followups_order_id'))
    )
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followups_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_followups_status'), ['status'], unique=False)

    op.create_table('lost_reasons',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lost_reasons'))
    )
    with op.batch_alter_table('lost_reasons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lost_reasons_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lost_reasons_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('mileage_readings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('read_on', sa.Date(), nullable=False),
    sa.Column('km', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mileage_readings')),
    sa.UniqueConstraint('vehicle_id', 'source', name='uq_mileage_readings_source')
    )
    with op.batch_alter_table('mileage_readings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mileage_readings_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('recalls',
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('recall_id', sa.String(length=40), nullable=False),
    sa.Column('oem_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('vins', sa.JSON(), nullable=False),
    sa.Column('labor_operation_code', sa.String(length=40), nullable=True),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('group_id', 'recall_id', name=op.f('pk_recalls'))
    )
    op.create_table('recommendations',
    sa.Column('work_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('declined_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('work_id', name=op.f('pk_recommendations'))
    )
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendations_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('reminders',
    sa.Column('reminder_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=True),
    sa.Column('vehicle_id', sa.String(length=40), nullable=True),
    sa.Column('vin', sa.String(length=17), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('agent_id', sa.String(length=80), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('remind_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('reminder_id', name=op.f('pk_reminders')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_reminders_dedupe_key'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_remind_on'), ['remind_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_reminders_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('settled_orders',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('order_type', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('settled_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_settled_orders'))
    )
    with op.batch_alter_table('settled_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settled_orders_settled_at'), ['settled_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_settled_orders_site_id'), ['site_id'], unique=False)

    op.create_table('site_policies',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('updated_by', sa.String(length=80), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_site_policies'))
    )
    op.create_table('visits',
    sa.Column('order_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=40), nullable=False),
    sa.Column('vehicle_id', sa.String(length=40), nullable=False),
    sa.Column('order_number', sa.String(length=60), nullable=False),
    sa.Column('order_type', sa.String(length=20), nullable=False),
    sa.Column('mileage', sa.Integer(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('service_advisor_id', sa.String(length=80), nullable=True),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_visits'))
    )
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visits_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_visits_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('complaint_escalations',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('complaint_id', sa.String(length=40), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('escalated_to', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.complaint_id'], name=op.f('fk_complaint_escalations_complaint_id_complaints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_escalations')),
    sa.UniqueConstraint('complaint_id', 'level', name='uq_complaint_escalations_level')
    )
    with op.batch_alter_table('complaint_escalations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_escalations_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaint_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('complaint_id', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=30), nullable=True),
    sa.Column('to_status', sa.String(length=30), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.complaint_id'], name=op.f('fk_complaint_history_complaint_id_complaints'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_history'))
    )
    with op.batch_alter_table('complaint_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_history_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('followup_attempts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('followup_id', sa.String(length=40), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=80), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('satisfaction', sa.String(length=20), nullable=True),
    sa.Column('at_risk', sa.Boolean(), nullable=False),
    sa.Column('callback_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['followup_id'], ['followups.followup_id'], name=op.f('fk_followup_attempts_followup_id_followups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_attempts')),
    sa.UniqueConstraint('followup_id', 'number', name='uq_followup_attempts_no')
    )
    with op.batch_alter_table('followup_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_followup_attempts_followup_id'), ['followup_id'], unique=False)

    with op.batch_alter_table('archive_customers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agent_id', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_archive_customers_agent_id'), ['agent_id'], unique=False)

    with op.batch_alter_table('archive_vehicles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_at', sa.DateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('archive_vehicles', schema=None) as batch_op:
        batch_op.drop_column('registered_at')

    with op.batch_alter_table('archive_customers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_customers_agent_id'))
        batch_op.drop_column('agent_id')

    with op.batch_alter_table('followup_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followup_attempts_followup_id'))

    op.drop_table('followup_attempts')
    with op.batch_alter_table('complaint_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_history_complaint_id'))

    op.drop_table('complaint_history')
    with op.batch_alter_table('complaint_escalations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_escalations_complaint_id'))

    op.drop_table('complaint_escalations')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visits_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_visits_site_id'))
        batch_op.drop_index(batch_op.f('ix_visits_delivered_at'))
        batch_op.drop_index(batch_op.f('ix_visits_customer_id'))

    op.drop_table('visits')
    op.drop_table('site_policies')
    with op.batch_alter_table('settled_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_settled_orders_site_id'))
        batch_op.drop_index(batch_op.f('ix_settled_orders_settled_at'))

    op.drop_table('settled_orders')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_status'))
        batch_op.drop_index(batch_op.f('ix_reminders_site_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_remind_on'))
        batch_op.drop_index(batch_op.f('ix_reminders_kind'))
        batch_op.drop_index(batch_op.f('ix_reminders_customer_id'))
        batch_op.drop_index(batch_op.f('ix_reminders_agent_id'))

    op.drop_table('reminders')
    with op.batch_alter_table('recommendations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendations_vehicle_id'))

    op.drop_table('recommendations')
    op.drop_table('recalls')
    with op.batch_alter_table('mileage_readings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mileage_readings_vehicle_id'))

    op.drop_table('mileage_readings')
    with op.batch_alter_table('lost_reasons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lost_reasons_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_lost_reasons_site_id'))

    op.drop_table('lost_reasons')
    with op.batch_alter_table('followups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_followups_status'))
        batch_op.drop_index(batch_op.f('ix_followups_site_id'))
        batch_op.drop_index(batch_op.f('ix_followups_delivered_at'))
        batch_op.drop_index(batch_op.f('ix_followups_customer_id'))
        batch_op.drop_index(batch_op.f('ix_followups_agent_id'))

    op.drop_table('followups')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_customer_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_status'))
        batch_op.drop_index(batch_op.f('ix_complaints_site_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_received_at'))
        batch_op.drop_index(batch_op.f('ix_complaints_customer_id'))
        batch_op.drop_index(batch_op.f('ix_complaints_closed_at'))

    op.drop_table('complaints')
    op.drop_table('agents')
