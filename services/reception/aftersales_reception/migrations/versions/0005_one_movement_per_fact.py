"""one part movement per fact (document and line)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:40:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('part_movements') as batch:
        batch.add_column(sa.Column('document_id', sa.String(length=60), nullable=True))
        batch.create_index(
            'uq_part_movements_fact', ['kind', 'document_id', 'line_id'], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table('part_movements') as batch:
        batch.drop_index('uq_part_movements_fact')
        batch.drop_column('document_id')
