"""list indexes, quantities to 3 places

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 13:50:00

Lists are keyset pages (`site_id`, then the sort key, then the id), so each gets an index
in that order; plates are searched per group. Quantities of a part's unit go to 0.001
(litres of oil, metres of hose) as the shared `Quantity` field allows.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_customers_site_created", "customers", ["site_id", "created_at", "customer_id"]),
    ("ix_vehicles_group_plate", "vehicles", ["group_id", "plate"]),
    ("ix_appointments_site_slot", "appointments", ["site_id", "slot_start", "appointment_id"]),
    ("ix_orders_site_created", "orders", ["site_id", "created_at", "order_id"]),
    ("ix_orders_group_created", "orders", ["group_id", "created_at", "order_id"]),
)
QUANTITIES = (("order_lines", "quantity"), ("part_movements", "quantity"))


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    for table, column in QUANTITIES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.Numeric(12, 3), existing_type=sa.Numeric(10, 2),
                existing_nullable=False,
            )  # fmt: skip


def downgrade() -> None:
    for table, column in QUANTITIES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column, type_=sa.Numeric(10, 2), existing_type=sa.Numeric(12, 3),
                existing_nullable=False,
            )  # fmt: skip
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
