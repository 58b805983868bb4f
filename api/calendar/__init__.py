"""The station's calendar of the villages' rhythms: festivals, harvests, holidays, market days."""
