"""list indexes: claims and recalls are read a page at a time, newest first

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 13:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns): the keyset of each list, behind its usual filter.
INDEXES = (
    ("ix_warranty_claims_site_page", "warranty_claims", ["site_id", "created_at", "claim_id"]),
    ("ix_warranty_claims_oem_page", "warranty_claims", ["oem_id", "created_at", "claim_id"]),
    (
        "ix_insurance_claims_site_page",
        "insurance_claims",
        ["site_id", "created_at", "insurance_claim_id"],
    ),
    ("ix_recalls_page", "recalls", ["group_id", "starts_on", "recall_id"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
