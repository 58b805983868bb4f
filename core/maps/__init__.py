"""The map: scoped feature queries per layer, their vector tiles and data versions."""
