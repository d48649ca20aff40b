"""indexes for the keyset pages of the lists

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 13:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns): each list's site filter, then its sort key ending in the id.
INDEXES = (
    ("ix_archive_customers_page", "archive_customers", ["site_id", "registered_at", "customer_id"]),
    ("ix_followups_page", "followups", ["site_id", "status", "next_attempt_at", "followup_id"]),
    ("ix_complaints_page", "complaints", ["site_id", "received_at", "complaint_id"]),
    ("ix_reminders_page", "reminders", ["site_id", "status", "remind_on", "reminder_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
