"""Stations: created, edited and closed by the county's admin; never deleted."""
