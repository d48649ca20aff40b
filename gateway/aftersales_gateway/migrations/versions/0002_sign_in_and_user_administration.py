"""sign-in and user administration

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 13:30:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('password_hash', sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column('disabled', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'refresh_tokens',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.String(length=80), nullable=False),
        sa.Column('family_id', sa.String(length=40), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'], ['staff.user_id'], name=op.f('fk_refresh_tokens_user_id_staff')
        ),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_refresh_tokens')),
    )
    op.create_index(op.f('ix_refresh_tokens_user_id'), 'refresh_tokens', ['user_id'])
    op.create_index(op.f('ix_refresh_tokens_family_id'), 'refresh_tokens', ['family_id'])
    op.create_table(
        'user_audit',
        sa.Column('audit_id', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=80), nullable=False),
        sa.Column('group_id', sa.String(length=40), nullable=False),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('details', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('audit_id', name=op.f('pk_user_audit')),
    )
    op.create_index(op.f('ix_user_audit_user_id'), 'user_audit', ['user_id'])
    op.create_index(op.f('ix_user_audit_group_id'), 'user_audit', ['group_id'])


def downgrade() -> None:
    op.drop_table('user_audit')
    op.drop_table('refresh_tokens')
    with op.batch_alter_table('staff') as batch:
        for column in ('created_at', 'locked_until', 'failed_logins', 'disabled', 'password_hash'):
            batch.drop_column(column)
