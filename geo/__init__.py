"""Spatial code: coordinates and datums, polygon checks, placement, balancing, workload
geometry and travel-time matrices.

Below the domain package: no models, no Flask, no ``routing``. Functions take a
``Session`` or ``Connection``, geometries and ids.
"""
