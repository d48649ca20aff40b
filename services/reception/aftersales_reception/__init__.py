"""Reception: the service advisor's records (customers, vehicles, labor catalog, ROs)."""
