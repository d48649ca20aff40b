"""indexes for the keyset pages of the lists; old-part dispositions in the vocabulary's
spelling (`returned_to_customer/scrapped/kept_for_warranty` ->
`return_to_customer/scrap/keep_for_warranty`)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 13:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (index, table, columns): each list's group filter, then its sort key ending in the id.
INDEXES = (
    ("ix_requisitions_page", "requisitions", ["group_id", "requested_at", "requisition_id"]),
    ("ix_back_orders_page", "back_orders", ["group_id", "created_at", "backorder_id"]),
    ("ix_purchase_orders_page", "purchase_orders", ["group_id", "created_at", "po_id"]),
    ("ix_shipments_page", "shipments", ["group_id", "noticed_at", "id"]),
    ("ix_supplier_claims_page", "supplier_claims", ["group_id", "created_at", "claim_id"]),
    ("ix_stocktakes_page", "stocktakes", ["group_id", "started_at", "stocktake_id"]),
    ("ix_counter_sales_page", "counter_sales", ["group_id", "created_at", "sale_id"]),
    ("ix_transfers_page", "transfers", ["group_id", "requested_at", "transfer_id"]),
    ("ix_ledger_page", "ledger_entries", ["site_id", "entry_id"]),
    ("ix_suppliers_page", "suppliers", ["group_id", "name", "supplier_id"]),
    ("ix_warehouses_page", "warehouses", ["group_id", "site_id", "created_at", "warehouse_id"]),
    ("ix_price_changes_page", "price_changes", ["group_id", "part_number", "effective_at",
                                                "change_id"]),
)

# Legacy spelling -> the vocabulary's (aftersales_contracts.vocabulary.OLD_PART_DISPOSITIONS).
DISPOSITIONS = {
    "returned_to_customer": "return_to_customer",
    "scrapped": "scrap",
    "kept_for_warranty": "keep_for_warranty",
}


def _respell(mapping: dict[str, str]) -> None:
    issues = sa.table("issues", sa.column("old_part_disposition", sa.String))
    for old, new in mapping.items():
        op.execute(
            issues.update()
            .where(issues.c.old_part_disposition == old)
            .values(old_part_disposition=new)
        )


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    _respell(DISPOSITIONS)


def downgrade() -> None:
    _respell({new: old for old, new in DISPOSITIONS.items()})
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
