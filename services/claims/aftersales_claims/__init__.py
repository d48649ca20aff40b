"""Claims: warranty claims to the OEM and insurance accident claims."""
