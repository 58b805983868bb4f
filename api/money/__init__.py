"""Money resource: amount due, payments (exactly once), batches, reversals, cash custody."""
