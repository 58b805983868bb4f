"""Today's progress of a station's published plan, per route (ETag: poll every 30 s)."""
