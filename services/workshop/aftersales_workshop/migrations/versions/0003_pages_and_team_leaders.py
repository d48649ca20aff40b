"""keyset page indexes, team leaders

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("leader_id", sa.String(length=40), nullable=True))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_site_created", ["site_id", "created_at", "job_id"])
        batch_op.create_index(
            "ix_jobs_technician_created", ["technician_id", "created_at", "job_id"]
        )
    with op.batch_alter_table("comebacks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comebacks_group_detected", ["group_id", "detected_at", "order_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("comebacks", schema=None) as batch_op:
        batch_op.drop_index("ix_comebacks_group_detected")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_technician_created")
        batch_op.drop_index("ix_jobs_site_created")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("leader_id")
