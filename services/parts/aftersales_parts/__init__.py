"""Parts: catalog, stock ledger, requisitions, purchasing, stocktake."""
