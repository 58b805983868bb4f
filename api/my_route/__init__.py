"""The collector's phone API: today's published route (ETag), any route in scope, re-plan."""
