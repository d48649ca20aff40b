"""initial workshop schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-24 00:03:09.608270
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
    op.create_table('teams',
    sa.Column('team_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('team_id', name=op.f('pk_teams'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teams_site_id'), ['site_id'], unique=False)

    op.create_table('technicians',
    sa.Column('technician_id', sa.String(length=40), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('team_id', sa.String(length=40), nullable=True),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('grade', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.team_id'], name=op.f('fk_technicians_team_id_teams')),
    sa.PrimaryKeyConstraint('technician_id', name=op.f('pk_technicians'))
    )
    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_technicians_site_id'), ['site_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('technicians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_technicians_site_id'))

    op.drop_table('technicians')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_site_id'))

    op.drop_table('teams')
    drop_plumbing_tables()
