"""Vector tiles of the map's layers (MVT) and a TileJSON document per layer."""
