"""Receipt blocks for the collector's phone (device receipt series)."""
