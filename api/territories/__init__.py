"""Territories: polygons of responsibility, their collectors, and the accounts they cover."""
