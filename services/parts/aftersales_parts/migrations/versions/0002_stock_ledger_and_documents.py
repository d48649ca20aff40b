"""stock ledger, requisitions, purchasing, stocktake, counter sales, transfers

Warehouses, stock items (the totals the ledger sums to, with check constraints:
on hand and value never negative, reserved within on hand), lots (FIFO), the
ledger itself, requisitions with issues and returns, back orders, suppliers,
purchase orders, shipment notices, receipts, supplier claims, stocktakes,
counter sales, transfers, price changes, document counters and every
document's history.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:29:19.475908
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('back_orders',
    sa.Column('backorder_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('outstanding', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('demand', sa.String(length=20), nullable=False),
    sa.Column('requisition_id', sa.String(length=60), nullable=True),
    sa.Column('line_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('line_id', sa.String(length=60), nullable=True),
    sa.Column('order_id', sa.String(length=60), nullable=True),
    sa.Column('sale_id', sa.String(length=60), nullable=True),
    sa.Column('sale_line_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('po_id', sa.String(length=60), nullable=True),
    sa.Column('expected_at', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('outstanding >= 0', name=op.f('ck_back_orders_outstanding_not_negative')),
    sa.PrimaryKeyConstraint('backorder_id', name=op.f('pk_back_orders'))
    )
    with op.batch_alter_table('back_orders', schema=None) as batch_op:
        batch_op.create_index('ix_back_orders_waiting', ['site_id', 'part_number', 'status'], unique=False)

    op.create_table('counter_sales',
    sa.Column('sale_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('customer_id', sa.String(length=60), nullable=True),
    sa.Column('customer_name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('deposit', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.PrimaryKeyConstraint('sale_id', name=op.f('pk_counter_sales'))
    )
    with op.batch_alter_table('counter_sales', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_counter_sales_site_id'), ['site_id'], unique=False)

    op.create_table('document_counters',
    sa.Column('scope', sa.String(length=80), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_document_counters'))
    )
    op.create_table('document_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('document', sa.String(length=30), nullable=False),
    sa.Column('document_id', sa.String(length=60), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_history'))
    )
    with op.batch_alter_table('document_history', schema=None) as batch_op:
        batch_op.create_index('ix_document_history_doc', ['document', 'document_id', 'id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('stock_class', sa.String(length=10), nullable=False),
    sa.Column('warehouse_id', sa.String(length=60), nullable=False),
    sa.Column('bin', sa.String(length=40), nullable=False),
    sa.Column('lot_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('movement', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('balance_after', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('reference_kind', sa.String(length=20), nullable=False),
    sa.Column('reference_id', sa.String(length=60), nullable=False),
    sa.Column('order_id', sa.String(length=60), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.String(length=80), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_ledger_entries'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_item', ['site_id', 'stock_class', 'part_number', 'entry_id'], unique=False)
        batch_op.create_index('ix_ledger_reference', ['reference_kind', 'reference_id'], unique=False)
        batch_op.create_index('ix_ledger_time', ['group_id', 'occurred_at'], unique=False)

    op.create_table('price_changes',
    sa.Column('change_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('old_price', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('new_price', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('old_cost', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('new_cost', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('effective_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by', sa.String(length=80), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('change_id', name=op.f('pk_price_changes'))
    )
    with op.batch_alter_table('price_changes', schema=None) as batch_op:
        batch_op.create_index('ix_price_changes_part', ['group_id', 'part_number', 'effective_at'], unique=False)

    op.create_table('requisitions',
    sa.Column('requisition_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('order_id', sa.String(length=60), nullable=False),
    sa.Column('order_number', sa.String(length=60), nullable=False),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('approved_by', sa.String(length=80), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source_event_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('requisition_id', name=op.f('pk_requisitions')),
    sa.UniqueConstraint('source_event_id', name=op.f('uq_requisitions_source_event_id'))
    )
    with op.batch_alter_table('requisitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requisitions_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_requisitions_site', ['site_id', 'requested_at'], unique=False)

    op.create_table('shipments',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('shipment_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=True),
    sa.Column('oem_id', sa.String(length=60), nullable=False),
    sa.Column('po_id', sa.String(length=60), nullable=False),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expected_at', sa.Date(), nullable=True),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('noticed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shipments')),
    sa.UniqueConstraint('group_id', 'oem_id', 'shipment_id', name='uq_shipments_notice')
    )
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shipments_po_id'), ['po_id'], unique=False)

    op.create_table('stock_items',
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('stock_class', sa.String(length=10), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('on_hand', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('reserved', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('min_qty', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('max_qty', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('last_movement_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('on_hand >= 0', name=op.f('ck_stock_items_on_hand_not_negative')),
    sa.CheckConstraint('reserved >= 0 AND reserved <= on_hand', name=op.f('ck_stock_items_reserved_within_on_hand')),
    sa.CheckConstraint('value >= 0', name=op.f('ck_stock_items_value_not_negative')),
    sa.PrimaryKeyConstraint('site_id', 'stock_class', 'part_number', name=op.f('pk_stock_items'))
    )
    with op.batch_alter_table('stock_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_items_group_id'), ['group_id'], unique=False)

    op.create_table('suppliers',
    sa.Column('supplier_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('oem_id', sa.String(length=60), nullable=True),
    sa.Column('site_ids', sa.JSON(), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('emergency_lead_time_days', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('supplier_id', name=op.f('pk_suppliers'))
    )
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_suppliers_group_id'), ['group_id'], unique=False)

    op.create_table('transfers',
    sa.Column('transfer_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('from_site_id', sa.String(length=40), nullable=False),
    sa.Column('to_site_id', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('requested_by', sa.String(length=80), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shipped_by', sa.String(length=80), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('received_by', sa.String(length=80), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('transfer_id', name=op.f('pk_transfers'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_group_id'), ['group_id'], unique=False)

    op.create_table('warehouses',
    sa.Column('warehouse_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('warehouse_id', name=op.f('pk_warehouses')),
    sa.UniqueConstraint('site_id', 'name', name='uq_warehouses_site_name')
    )
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_warehouses_site_id'), ['site_id'], unique=False)

    op.create_table('counter_sale_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('sale_id', sa.String(length=60), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('reserved', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('special_ordered', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('issued', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['sale_id'], ['counter_sales.sale_id'], name=op.f('fk_counter_sale_lines_sale_id_counter_sales')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_counter_sale_lines'))
    )
    op.create_table('lots',
    sa.Column('lot_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('stock_class', sa.String(length=10), nullable=False),
    sa.Column('warehouse_id', sa.String(length=60), nullable=False),
    sa.Column('bin', sa.String(length=40), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('remaining', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.CheckConstraint('remaining >= 0', name=op.f('ck_lots_remaining_not_negative')),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.warehouse_id'], name=op.f('fk_lots_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('lot_id', name=op.f('pk_lots'))
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index('ix_lots_stock', ['site_id', 'stock_class', 'part_number'], unique=False)

    op.create_table('purchase_orders',
    sa.Column('po_id', sa.String(length=60), nullable=False),
    sa.Column('po_number', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('supplier_id', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expected_at', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['supplier_id'], ['suppliers.supplier_id'], name=op.f('fk_purchase_orders_supplier_id_suppliers')),
    sa.PrimaryKeyConstraint('po_id', name=op.f('pk_purchase_orders')),
    sa.UniqueConstraint('po_number', name=op.f('uq_purchase_orders_po_number'))
    )
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_orders_site_id'), ['site_id'], unique=False)

    op.create_table('requisition_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('requisition_id', sa.String(length=60), nullable=False),
    sa.Column('line_id', sa.String(length=60), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('payer', sa.String(length=20), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('reserved', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('backordered', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('issued', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('returned', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('cancelled', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('filled_at_once', sa.Boolean(), nullable=False),
    sa.Column('known_part', sa.Boolean(), nullable=False),
    sa.CheckConstraint('reserved >= 0 AND backordered >= 0 AND issued >= 0 AND cancelled >= 0 AND returned >= 0 AND returned <= issued', name=op.f('ck_requisition_lines_quantities_not_negative')),
    sa.ForeignKeyConstraint(['requisition_id'], ['requisitions.requisition_id'], name=op.f('fk_requisition_lines_requisition_id_requisitions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requisition_lines')),
    sa.UniqueConstraint('requisition_id', 'line_id', name='uq_requisition_lines_line')
    )
    op.create_table('stocktakes',
    sa.Column('stocktake_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('warehouse_id', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('started_by', sa.String(length=80), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=80), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['warehouse_id'], ['warehouses.warehouse_id'], name=op.f('fk_stocktakes_warehouse_id_warehouses')),
    sa.PrimaryKeyConstraint('stocktake_id', name=op.f('pk_stocktakes'))
    )
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stocktakes_site_id'), ['site_id'], unique=False)

    op.create_table('transfer_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('transfer_id', sa.String(length=60), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('shipped', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('received', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.transfer_id'], name=op.f('fk_transfer_lines_transfer_id_transfers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_lines'))
    )
    op.create_table('issues',
    sa.Column('issue_id', sa.String(length=60), nullable=False),
    sa.Column('requisition_id', sa.String(length=60), nullable=False),
    sa.Column('line_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('returned', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('returned_value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('old_part_disposition', sa.String(length=30), nullable=True),
    sa.Column('first_received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('warehouse_id', sa.String(length=60), nullable=False),
    sa.Column('bin', sa.String(length=40), nullable=False),
    sa.Column('issued_by', sa.String(length=80), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_pk'], ['requisition_lines.id'], name=op.f('fk_issues_line_pk_requisition_lines')),
    sa.PrimaryKeyConstraint('issue_id', name=op.f('pk_issues'))
    )
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issues_requisition_id'), ['requisition_id'], unique=False)

    op.create_table('part_returns',
    sa.Column('return_id', sa.String(length=60), nullable=False),
    sa.Column('requisition_id', sa.String(length=60), nullable=False),
    sa.Column('line_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('condition', sa.String(length=10), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('value', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('returned_by', sa.String(length=80), nullable=False),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_pk'], ['requisition_lines.id'], name=op.f('fk_part_returns_line_pk_requisition_lines')),
    sa.PrimaryKeyConstraint('return_id', name=op.f('pk_part_returns'))
    )
    with op.batch_alter_table('part_returns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_part_returns_requisition_id'), ['requisition_id'], unique=False)

    op.create_table('purchase_order_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('po_id', sa.String(length=60), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('received', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('rejected', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.po_id'], name=op.f('fk_purchase_order_lines_po_id_purchase_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_lines')),
    sa.UniqueConstraint('po_id', 'line_no', name='uq_purchase_order_lines_no')
    )
    op.create_table('receipts',
    sa.Column('receipt_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('po_id', sa.String(length=60), nullable=False),
    sa.Column('shipment_id', sa.String(length=60), nullable=True),
    sa.Column('warehouse_id', sa.String(length=60), nullable=False),
    sa.Column('received_by', sa.String(length=80), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['po_id'], ['purchase_orders.po_id'], name=op.f('fk_receipts_po_id_purchase_orders')),
    sa.PrimaryKeyConstraint('receipt_id', name=op.f('pk_receipts'))
    )
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_receipts_site_id'), ['site_id'], unique=False)

    op.create_table('stocktake_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('stocktake_id', sa.String(length=60), nullable=False),
    sa.Column('bin', sa.String(length=40), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('book', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('counted', sa.Numeric(precision=14, scale=3), nullable=True),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=4), nullable=False),
    sa.Column('counted_by', sa.String(length=80), nullable=True),
    sa.ForeignKeyConstraint(['stocktake_id'], ['stocktakes.stocktake_id'], name=op.f('fk_stocktake_lines_stocktake_id_stocktakes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stocktake_lines')),
    sa.UniqueConstraint('stocktake_id', 'bin', 'part_number', name='uq_stocktake_lines_bin')
    )
    op.create_table('receipt_lines',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('receipt_id', sa.String(length=60), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('part_number', sa.String(length=60), nullable=False),
    sa.Column('expected', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('counted', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('accepted', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('rejected', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('reject_reason', sa.String(length=30), nullable=True),
    sa.Column('variance', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.Column('bin', sa.String(length=40), nullable=False),
    sa.Column('unit_cost', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('claimed', sa.Numeric(precision=14, scale=3), nullable=False),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.receipt_id'], name=op.f('fk_receipt_lines_receipt_id_receipts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_lines'))
    )
    op.create_table('supplier_claims',
    sa.Column('claim_id', sa.String(length=60), nullable=False),
    sa.Column('group_id', sa.String(length=40), nullable=False),
    sa.Column('site_id', sa.String(length=40), nullable=False),
    sa.Column('supplier_id', sa.String(length=60), nullable=False),
    sa.Column('receipt_id', sa.String(length=60), nullable=False),
    sa.Column('po_id', sa.String(length=60), nullable=False),
    sa.Column('lines', sa.JSON(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('credited', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('decision_note', sa.String(length=500), nullable=True),
    sa.Column('created_by', sa.String(length=80), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['receipt_id'], ['receipts.receipt_id'], name=op.f('fk_supplier_claims_receipt_id_receipts')),
    sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_supplier_claims'))
    )
    with op.batch_alter_table('supplier_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supplier_claims_site_id'), ['site_id'], unique=False)

    with op.batch_alter_table('parts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('superseded_by', sa.String(length=60), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('parts', schema=None) as batch_op:
        batch_op.drop_column('superseded_by')

    with op.batch_alter_table('supplier_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_supplier_claims_site_id'))

    op.drop_table('supplier_claims')
    op.drop_table('receipt_lines')
    op.drop_table('stocktake_lines')
    with op.batch_alter_table('receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_receipts_site_id'))

    op.drop_table('receipts')
    op.drop_table('purchase_order_lines')
    with op.batch_alter_table('part_returns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_part_returns_requisition_id'))

    op.drop_table('part_returns')
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issues_requisition_id'))

    op.drop_table('issues')
    op.drop_table('transfer_lines')
    with op.batch_alter_table('stocktakes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stocktakes_site_id'))

    op.drop_table('stocktakes')
    op.drop_table('requisition_lines')
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_orders_site_id'))

    op.drop_table('purchase_orders')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index('ix_lots_stock')

    op.drop_table('lots')
    op.drop_table('counter_sale_lines')
    with op.batch_alter_table('warehouses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_warehouses_site_id'))

    op.drop_table('warehouses')
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_group_id'))

    op.drop_table('transfers')
    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_suppliers_group_id'))

    op.drop_table('suppliers')
    with op.batch_alter_table('stock_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_items_group_id'))

    op.drop_table('stock_items')
    with op.batch_alter_table('shipments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shipments_po_id'))

    op.drop_table('shipments')
    with op.batch_alter_table('requisitions', schema=None) as batch_op:
        batch_op.drop_index('ix_requisitions_site')
        batch_op.drop_index(batch_op.f('ix_requisitions_order_id'))

    op.drop_table('requisitions')
    with op.batch_alter_table('price_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_price_changes_part')

    op.drop_table('price_changes')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_time')
        batch_op.drop_index('ix_ledger_reference')
        batch_op.drop_index('ix_ledger_item')

    op.drop_table('ledger_entries')
    with op.batch_alter_table('document_history', schema=None) as batch_op:
        batch_op.drop_index('ix_document_history_doc')

    op.drop_table('document_history')
    op.drop_table('document_counters')
    with op.batch_alter_table('counter_sales', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_counter_sales_site_id'))

    op.drop_table('counter_sales')
    with op.batch_alter_table('back_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_back_orders_waiting')

    op.drop_table('back_orders')
