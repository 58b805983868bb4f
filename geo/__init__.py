"""Spatial code and persistence: typed models, spatial queries, travel-time matrices.

No Flask and no ``routing`` here: functions take a ``Session`` or ``Connection`` first.
"""
