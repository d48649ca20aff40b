"""Workshop: technicians, teams, dispatch, clocking, quality control."""
