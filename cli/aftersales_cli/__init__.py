"""The aftersales command-line tool."""
